import "server-only";
import { zipSync, strToU8 } from "fflate";
import { z } from "zod";
import type { Actor } from "../auth/actor";
import { AppError } from "../errors";
import type { ProfileSelection } from "../profiles/dal";
import { PROFILE_KINDS } from "../profiles/schema";
import { bulkFilterSchema, bulkSelectionSchema } from "../profiles/bulk-schema";
import { statusesOf } from "../profiles/list-query";
import { exportProfiles, type BulkExportOptions, type BulkExportPlan } from "./service";
import { EXPORT_FORMAT_IDS } from "./types";

/**
 * Where each profile's file goes in a bulk export (a folder per profile, because the target
 * systems expect fixed file names such as iMailOAuth.config): the profile name with anything
 * unsafe for IFS, Windows or a ZIP reader replaced; a name that folds onto an earlier one gets the
 * start of the profile id. The CLI (`export --all --out DIR`) and the console's ZIP share it.
 */
export function createBulkPaths(): (item: { profileName: string; profileId: string; filename: string }) => string {
  const used = new Set<string>();
  return ({ profileName, profileId, filename }) => {
    let folder = profileName.replace(/[^A-Za-z0-9._ -]+/g, "_").replace(/^[ .]+|[ .]+$/g, "").slice(0, 80) || "profile";
    if (used.has(folder.toLowerCase())) folder = `${folder}-${profileId.slice(0, 8)}`;
    used.add(folder.toLowerCase());
    return `${folder}/${filename}`;
  };
}

export type BulkZip = {
  filename: string;
  zip: Uint8Array;
  plan: BulkExportPlan;
  written: number;
  failed: { profileId: string; profileName: string; message: string }[];
};

/**
 * Every selected profile's export in one ZIP (deflated, a folder per profile), through the batched
 * exportProfiles (one activity entry per batch; the web admin's password checked once when
 * secrets are included). Throws AppError(invalid_input) when no selected profile has the format.
 */
export async function exportProfilesZip(actor: Actor, format: string, selection: ProfileSelection, options: BulkExportOptions): Promise<BulkZip> {
  const { plan, batches } = await exportProfiles(actor, format, selection, options);
  if (plan.matching === 0) {
    throw new AppError("invalid_input", `No selected profile has ${plan.label}${plan.otherKinds ? ` (it is not available for the kinds of the ${plan.otherKinds} selected)` : ""}.`, { field: "format" });
  }
  const files: Record<string, Uint8Array> = {};
  const pathOf = createBulkPaths();
  const failed: BulkZip["failed"] = [];
  let written = 0;
  for await (const batch of batches) {
    for (const item of batch) {
      if (!item.ok) {
        failed.push({ profileId: item.profileId, profileName: item.profileName, message: item.error.userMessage });
        continue;
      }
      files[pathOf(item)] = strToU8(item.content);
      written++;
    }
  }
  const mtime = options.now ?? new Date();
  const zip = zipSync(files, { level: 6, mtime });
  const stamp = mtime.toISOString().slice(0, 10);
  return { filename: `${plan.format}-${written}-profiles-${stamp}${options.includeSecrets ? "-with-secrets" : ""}.zip`, zip, plan, written, failed };
}

/**
 * The console's "Export all" request (the action validates the form with it): the list's filter
 * (search, kind, status), or the profiles ticked in the list (`ids`, comma-separated).
 */
export const bulkExportRequestSchema = z
  .object({
    format: z.enum(EXPORT_FORMAT_IDS, { message: "Choose an export format" }),
    q: z.string().trim().max(200, { message: "Search text must be at most 200 characters" }).optional(),
    kind: z.enum(PROFILE_KINDS, { message: "Unknown profile kind" }).optional(),
    status: bulkFilterSchema.shape.status,
    ids: z.preprocess((v) => (typeof v === "string" ? v.split(",").filter(Boolean) : v), bulkSelectionSchema.shape.ids),
    includeSecrets: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()),
    password: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.includeSecrets && !v.password) ctx.addIssue({ code: "custom", path: ["password"], message: "Enter your password to include secrets." });
  });
export type BulkExportRequest = z.infer<typeof bulkExportRequestSchema>;

/** The DAL selection of a validated "Export all" request: the ticked ids, or the list's filter. */
export function bulkExportSelection(input: Pick<BulkExportRequest, "ids" | "q" | "kind" | "status">): ProfileSelection {
  if (input.ids) return { ids: input.ids };
  return { query: input.q, kinds: input.kind ? [input.kind] : undefined, statuses: statusesOf(input.status) };
}
