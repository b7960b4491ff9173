import { z } from "zod";
import { PROFILE_FORM } from "../profiles/fields";
import { PROFILE_KINDS, SECRET_NAMES, type ProfileKind } from "../profiles/kinds";
import { runDoctor } from "./run";
import type { Severity } from "./types";

/**
 * Live validation of the profile form: the doctor's own rules (lib/doctor/rules.ts, the same
 * list `doctor NAME` and the profile page run) applied to what is typed, before it is saved.
 * The browser sends the non-secret fields as typed and, for secrets, only which are filled and
 * their shape (lib/doctor/secret-shapes.ts) — never a secret value.
 */
export const draftCheckSchema = z.object({
  kind: z.enum(PROFILE_KINDS),
  values: z.record(z.string().max(100), z.string().max(20_000)).refine((v) => Object.keys(v).length <= 100, { message: "Too many fields" }),
  secretsSet: z.array(z.enum(SECRET_NAMES)).max(SECRET_NAMES.length),
  clientSecretLooksLikeSecretId: z.boolean(),
});
export type DraftCheckInput = z.input<typeof draftCheckSchema>;

/** A finding on one field of the form. */
export type DraftHint = { field: string; ruleId: string; severity: Severity; title: string; problem: string; fix: string };

/** Form strings as the stored settings would hold them (numbers and checkboxes typed). */
function settingsOf(kind: ProfileKind, values: Record<string, string>): Record<string, unknown> {
  const specs = new Map(PROFILE_FORM[kind].flatMap((s) => s.fields).map((f) => [f.name, f]));
  const out: Record<string, unknown> = { kind };
  for (const [name, raw] of Object.entries(values)) {
    const spec = specs.get(name);
    if (!spec || spec.secret) continue;
    const v = raw.trim();
    if (v === "") continue;
    out[name] = spec.type === "number" && /^\d+$/.test(v) ? Number(v) : spec.type === "checkbox" ? v === "true" : v;
  }
  return out;
}

export function diagnoseDraft(input: z.output<typeof draftCheckSchema>, now = new Date()): DraftHint[] {
  const findings = runDoctor({
    settings: settingsOf(input.kind, input.values) as { kind: ProfileKind },
    secretsSet: Object.fromEntries(input.secretsSet.map((n) => [n, true])),
    certificate: null,
    claims: null,
    now,
    secretShapes: { clientSecretLooksLikeSecretId: input.clientSecretLooksLikeSecretId },
  });
  return findings
    .filter((f): f is typeof f & { field: string } => Boolean(f.field) && f.severity !== "info")
    .map((f) => ({ field: f.field, ruleId: f.ruleId, severity: f.severity, title: f.title, problem: f.problem, fix: f.fix }));
}
