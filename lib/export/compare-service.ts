import "server-only";
import { z } from "zod";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { AppError, isAppError } from "../errors";
import { loadProfileWithSecrets } from "../profiles/dal";
import { KIND_LABELS } from "../profiles/schema";
import { COMPARE_FORMATS, compareExportText, type CompareResult } from "./compare";
import { getExportFormat } from "./formats";

/** The longest file accepted for a comparison (the target files are a few KB). */
export const MAX_COMPARE_CHARS = 256 * 1024;

/** The console's "Compare" form and the CLI's `--diff FILE` (one schema). */
export const compareRequestSchema = z.object({
  format: z.enum(COMPARE_FORMATS, { message: `Choose a format to compare: ${COMPARE_FORMATS.join(", ")}` }),
  text: z
    .string({ message: "Paste the file that is on the target system" })
    .max(MAX_COMPARE_CHARS, { message: `The pasted file is longer than ${MAX_COMPARE_CHARS / 1024} KB; paste the one file the export is for` })
    .refine((t) => t.trim() !== "", { message: "Paste the file that is on the target system" }),
});
export type CompareRequest = z.infer<typeof compareRequestSchema>;

export type ProfileComparison = CompareResult & { profileName: string; formatLabel: string; filename: string };

/**
 * Compares the pasted file with this profile's export of `format`, rendered with the stored
 * secrets so secret fields can be told "same" or "differs" — no secret value (stored or pasted)
 * is in the result or the activity entry, which names only the keys that differ. Throws AppError:
 * invalid_input (format, or a pasted file the target could not read either, naming the line),
 * unsupported (format not for the kind), not_found.
 */
export async function compareWithExport(actor: Actor, profileId: string, request: CompareRequest, options: { now?: Date } = {}): Promise<ProfileComparison> {
  const f = getExportFormat(request.format);
  const { profile, secrets } = await loadProfileWithSecrets(actor, profileId);
  if (!f.kinds.includes(profile.kind)) throw new AppError("unsupported", `${f.label} is not available for ${KIND_LABELS[profile.kind]} profiles.`, { field: "format" });
  const expected = f.render({ settings: profile.settings, secrets, now: options.now ?? new Date() });
  let result: CompareResult;
  try {
    result = compareExportText(request.format, expected.content, request.text, Object.values(secrets).filter((v): v is string => typeof v === "string"));
  } catch (error) {
    if (isAppError(error)) {
      await recordActivity(actor, { action: "export", outcome: "failure", profileId: profile.id, profileName: profile.name, summary: `Compare with ${f.label} refused: ${error.userMessage.slice(0, 200)}`, errorCode: error.code });
    }
    throw error;
  }
  const differing = result.rows.filter((r) => r.status === "changed" || r.status === "missing" || r.status === "extra");
  const keys = differing.map((r) => `${r.status} ${r.key ?? `line ${r.expected[0]?.line ?? r.actual[0]?.line}`}`);
  await recordActivity(actor, {
    action: "export",
    outcome: "info",
    profileId: profile.id,
    profileName: profile.name,
    summary: `Compared the file on the target with "${profile.name}" as ${f.label}: ${result.identical ? "same" : `${differing.length} difference(s)${keys.length ? ` (${keys.slice(0, 8).join(", ")}${keys.length > 8 ? ", …" : ""})` : ""}`}`,
  });
  return { ...result, profileName: profile.name, formatLabel: f.label, filename: expected.filename };
}
