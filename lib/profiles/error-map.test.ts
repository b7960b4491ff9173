import { describe, expect, it } from "vitest";
import { fixtureProfile } from "@/tests/fixtures/profiles";
import { fieldLabel } from "./error-map";
import { KIND_SCHEMAS, PROFILE_KINDS, SECRET_LABELS, SECRET_NAMES, profileInputSchema, updateProfileSchema } from "./schema";

/**
 * No raw validator text reaches an admin: every schema field of every kind, given bad values,
 * fails with a message that names the field (its form label or key) — never zod's generic
 * "Invalid input: expected string, received undefined" or "Too small: expected number to be >=1".
 */

const RAW = /Invalid input|Invalid option|Too small|Too big|expected \w+, received|Invalid string|Invalid (email|url|uuid)|received undefined/i;
const BAD_VALUES: unknown[] = [undefined, null, 12345, true, {}, ["a"], "", "   ", "x".repeat(3000), "not valid at all", -1, "\u0000"];

describe.each(PROFILE_KINDS)("%s: every field's errors name the field", (kind) => {
  const base = fixtureProfile(kind, `errors ${kind}`);
  const keys = Object.keys(KIND_SCHEMAS[kind].shape).filter((k) => k !== "kind");

  it.each(keys)("%s", (key) => {
    const label = fieldLabel(["settings", key]);
    let failures = 0;
    for (const bad of BAD_VALUES) {
      const settings = { ...base.settings, [key]: bad };
      if (bad === undefined) delete (settings as Record<string, unknown>)[key];
      const r = profileInputSchema.safeParse({ ...base, settings });
      if (r.success) continue;
      for (const issue of r.error.issues.filter((i) => i.path[1] === key)) {
        failures++;
        expect(issue.message, `${kind}.${key} = ${JSON.stringify(bad)?.slice(0, 30)}`).not.toMatch(RAW);
        expect(namesField(issue.message, key, label), `${kind}.${key} = ${JSON.stringify(bad)?.slice(0, 30)}: "${issue.message}"`).toBe(true);
      }
    }
    expect(failures, `${kind}.${key}: no bad value was refused`).toBeGreaterThan(0);
  });
});

/**
 * The message names the field: it contains the form's label or the key, or it opens with the
 * schema's own name for it ("IFS config folder must be …", "Time zone must be …"). A message that
 * opens with "must" or "Invalid" names nothing.
 */
function namesField(message: string, key: string, label: string): boolean {
  const m = message.toLowerCase();
  if (m.includes(label.toLowerCase()) || m.includes(key.toLowerCase())) return true;
  return /^[A-Za-z_][\w ()#/*.,'-]*? (must|is|may|needs|has|holds|does)\b/.test(message) && !/^(must|is|invalid|value)\b/i.test(message);
}

it("secrets, the version and the kind get named messages too", () => {
  const base = fixtureProfile("smtp-basic", "errors secrets");
  for (const name of SECRET_NAMES) {
    const r = profileInputSchema.safeParse({ ...base, secrets: { [name]: 42 } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toBe(`${SECRET_LABELS[name]} must be text`);
  }
  const v = updateProfileSchema.safeParse({ ...base, version: 0 });
  expect(v.error!.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^Version /)]);
  const k = profileInputSchema.safeParse({ ...base, settings: { ...base.settings, kind: "exchange-ews" } });
  expect(k.error!.issues[0].message).toMatch(/^Kind must be one of: m365-delegated/);
  const missing = profileInputSchema.safeParse({ secrets: {} });
  expect(missing.error!.issues[0].message).not.toMatch(RAW);
  expect(missing.error!.issues[0].message).toMatch(/^Kind /);
});
