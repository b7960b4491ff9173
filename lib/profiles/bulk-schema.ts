import { z } from "zod";
import { PROFILE_KINDS } from "./kinds";
import { STATUS_FILTERS } from "./list-query";
import { BULK_MAX_IDS, BULK_OPERATIONS } from "./bulk-types";

/**
 * Which profiles a bulk operation covers, as the console and the CLI name them: the ticked
 * profiles (ids), or every profile matching the list's filter (search, kind, status — the same
 * parameters lib/profiles/list-query.ts parses for the list).
 */
export const bulkFilterSchema = z.object({
  q: z.string().trim().max(200, { message: "Search text must be at most 200 characters" }).optional().transform((v) => v || undefined),
  kind: z.enum(PROFILE_KINDS, { message: `Unknown profile kind; expected one of ${PROFILE_KINDS.join(", ")}` }).optional(),
  status: z.enum(Object.keys(STATUS_FILTERS) as [string, ...string[]], { message: `Unknown status filter; expected one of ${Object.keys(STATUS_FILTERS).join(", ")}` }).optional(),
});

export const bulkSelectionSchema = z
  .object({
    ids: z
      .array(z.uuid({ message: "Unknown profile id" }))
      .min(1, { message: "Select at least one profile" })
      .max(BULK_MAX_IDS, { message: `Select at most ${BULK_MAX_IDS} profiles one by one, or select all matching the filter` })
      .optional(),
    filter: bulkFilterSchema.optional(),
  })
  .refine((v) => (v.ids === undefined) !== (v.filter === undefined), { message: "Select profiles one by one (ids) or all matching a filter, not both" });
export type BulkSelectionInput = z.infer<typeof bulkSelectionSchema>;

/** The body of POST /api/profiles/bulk. Delete needs the count the admin confirmed. */
export const bulkRequestSchema = z
  .object({
    operation: z.enum(BULK_OPERATIONS, { message: `Choose an operation: ${BULK_OPERATIONS.join(", ")}` }),
    selection: bulkSelectionSchema,
    confirmCount: z.number().int().min(1).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.operation === "delete" && v.confirmCount === undefined) ctx.addIssue({ code: "custom", path: ["confirmCount"], message: "Confirm how many profiles to delete." });
  });
export type BulkRequest = z.infer<typeof bulkRequestSchema>;
