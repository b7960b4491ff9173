import { describe, expect, it } from "vitest";
import { PROFILE_FORM, type FieldSpec } from "./fields";
import { KIND_SCHEMAS, PROFILE_KINDS, SECRET_NAMES, secretsAllowed, type ProfileKind, type SecretName } from "./schema";

/**
 * The profile form (fields.ts, plain data for the browser) is tied to the zod schemas: every
 * field is a key of its kind's schema (or a secret the kind can hold), every key the schema
 * requires has a field marked required, and a field marked required is required by the schema.
 * A schema change that forgets the form (or the reverse) fails here.
 */

const fieldsOf = (kind: ProfileKind): FieldSpec[] => PROFILE_FORM[kind].flatMap((s) => s.fields);
/** Required = the schema refuses the key when it is absent (no .optional(), no .default()). */
const requiredKeys = (kind: ProfileKind) => Object.entries(KIND_SCHEMAS[kind].shape).filter(([k, v]) => k !== "kind" && !v.safeParse(undefined).success).map(([k]) => k);

/** Every secret the kind can hold under any choice of its selects (credential, client auth, grant). */
function secretsOf(kind: ProfileKind): Set<SecretName> {
  const out = new Set<SecretName>();
  for (const credentialType of ["secret", "certificate"]) {
    for (const clientAuth of ["client_secret_basic", "private_key_jwt"]) {
      for (const grantType of ["client_credentials", "password"]) for (const n of secretsAllowed({ kind, credentialType, clientAuth, grantType })) out.add(n);
    }
  }
  return out;
}

describe.each(PROFILE_KINDS)("form of %s", (kind) => {
  const keys = new Set(Object.keys(KIND_SCHEMAS[kind].shape));

  it("every field is a schema key or a secret the kind holds, once", () => {
    const names = fieldsOf(kind).map((f) => (f.secret ? `secrets.${f.secret}` : f.name));
    expect(new Set(names).size, "a field appears twice").toBe(names.length);
    for (const f of fieldsOf(kind)) {
      if (f.secret) {
        expect(SECRET_NAMES).toContain(f.secret);
        expect([...secretsOf(kind)], `${kind}: secret field ${f.name}`).toContain(f.secret);
      } else {
        expect(keys.has(f.name), `${kind}: field "${f.name}" is not in the schema`).toBe(true);
      }
    }
  });

  it("every secret the kind holds has a field", () => {
    const secretFields = new Set(fieldsOf(kind).map((f) => f.secret).filter(Boolean));
    for (const n of secretsOf(kind)) expect(secretFields.has(n), `${kind}: no field for secret ${n}`).toBe(true);
  });

  it("every required schema key has a field marked required, and only those are marked", () => {
    const required = requiredKeys(kind);
    const fields = new Map(fieldsOf(kind).filter((f) => !f.secret).map((f) => [f.name, f]));
    for (const k of required) {
      expect(fields.has(k), `${kind}: required key "${k}" has no field`).toBe(true);
      expect(fields.get(k)!.required, `${kind}: "${k}" is required by the schema but not marked in the form`).toBe(true);
    }
    for (const f of fields.values()) if (f.required) expect(required, `${kind}: "${f.name}" is marked required but the schema makes it optional`).toContain(f.name);
  });
});

it("the check itself catches a stray field (a form that names a key the schema lacks)", () => {
  const keys = new Set(Object.keys(KIND_SCHEMAS["log-only"].shape));
  expect(keys.has("fromAddres")).toBe(false);
  expect(requiredKeys("log-only")).toEqual(expect.arrayContaining(["name", "fromAddress"]));
});
