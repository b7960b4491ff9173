import { z } from "zod";

/** Acknowledging a doctor finding (console form and CLI): the rule, and which of its findings. */
export const acknowledgeFindingSchema = z.object({
  ruleId: z.string().trim().min(1, { message: "Rule is required (the finding's rule id, e.g. national-cloud-mismatch)" }).max(100, { message: "Rule must be at most 100 characters" }),
  /** One finding of the rule; all its current findings when absent. */
  fingerprint: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{16}$/, { message: "Fingerprint must be the 16 hex digits the doctor shows for the finding" })
    .optional(),
  note: z.string().trim().max(500, { message: "Note must be at most 500 characters" }).regex(/^[^\u0000-\u001f\u007f]*$/, { message: "Note must be one line without control characters" }).default(""),
});
export type AcknowledgeFindingInput = z.input<typeof acknowledgeFindingSchema>;
