import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ZodError } from "zod";
import { useTestDb } from "@/tests/helpers/test-db";
import { fixtureProfile, GOOGLE_SA_JSON } from "@/tests/fixtures/profiles";
import { AppError, isAppError } from "@/lib/errors";
import { createProfile } from "@/lib/profiles/dal";
import { PROFILE_KINDS, profileInputSchema, type ProfileKind } from "@/lib/profiles/schema";
import { diagnoseImport, parseImport } from "@/lib/export/import";
import { describeImportIssue, importIssuesOf, type ImportIssue } from "@/lib/export/import-issues";
import { SECRET_NAMES } from "@/lib/profiles/schema";
import { PROFILE_FORM } from "@/lib/profiles/fields";
import { getDb } from "@/lib/db/client";

/**
 * Property-based bad input: generated malformed values for every field of every kind, broken
 * secrets, and broken import files. Each must end in a clear field- or line-level error — never
 * an unhandled exception — and leave the database unchanged.
 */
useTestDb();
const actor = { id: "fuzz", username: "fuzz", via: "cli" as const };
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
export const tried = { settings: 0, secrets: 0, imports: 0 };

/** Every place an import error may point at: a profile field, a secret, or the page's text/format input. */
const PLACES = new Set<string>([...Object.values(PROFILE_FORM).flatMap((sections) => sections.flatMap((s) => s.fields.map((f) => f.name))), ...SECRET_NAMES.map((n) => `secrets.${n}`), "kind", "text", "format", "file"]);

/**
 * An import issue names where the problem is: a line (or -D option) of the file, a file key it
 * quotes, or a field of the profile. A message that only has letters in it is not enough.
 */
function namesItsPlace(issue: ImportIssue): boolean {
  const message = describeImportIssue(issue, "log");
  if (issue.line !== undefined || /\b(line|option) \d+\b/i.test(message)) return true;
  if (issue.key && message.includes(issue.key)) return true;
  if (issue.field && PLACES.has(issue.field)) return true;
  return /^The file is empty$|^Cannot tell the format|^JSON not recognised/.test(message);
}

const CONTROL = fc.string({ unit: fc.constantFrom("\u0000", "\u0007", "\u001b", "\r", "\n", "\t", "\u2028", "\u202e", "\ufeff") });
const badValue = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  CONTROL,
  fc.constant("x".repeat(100_000)),
  fc.constant("https://login.microsoftonline.com/$TENANT_ID/oauth2/v2.0/token"),
  fc.constant("https://graph.microsoft.com/v1.0/users/${FROM_ADDRESS}/sendMail"),
  fc.constant("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"),
  fc.constant("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----"),
  fc.constant("javascript:alert(1)"),
  fc.constant("<script>alert(1)</script>"),
  fc.constant("'; DROP TABLE Profile; --"),
);

function fieldsOf(kind: ProfileKind): string[] {
  return Object.keys(fixtureProfile(kind).settings).concat(["tokenUrl", "scope", "smtpPort", "imapPort", "ibmiTimeZone", "ibmiUserProfile", "secretExpiresAt"]);
}

async function profileCount(): Promise<number> {
  return getDb().profile.count();
}

/** An error the product can show: zod issues with a path and message, or an AppError naming a field/line. */
function assertClearError(error: unknown): void {
  if (error instanceof ZodError) {
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(issue.message.length).toBeGreaterThan(3);
      expect(issue.message).not.toMatch(/undefined|\[object Object\]/);
    }
    return;
  }
  if (isAppError(error)) {
    expect(["invalid_input", "conflict"]).toContain(error.code);
    expect(error.userMessage.length).toBeGreaterThan(5);
    return;
  }
  throw new Error(`unhandled ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
}

describe("generated malformed input", () => {
  it("every malformed settings field gets a field-level error and nothing is written", async () => {
    const before = await profileCount();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PROFILE_KINDS), fc.nat(), badValue, async (kind, pick, value) => {
        tried.settings++;
        const fields = fieldsOf(kind);
        const field = fields[pick % fields.length];
        const input = fixtureProfile(kind, `fuzz-${tried.settings}`);
        (input.settings as Record<string, unknown>)[field] = value;
        const parsed = profileInputSchema.safeParse(input);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) expect(issue.path.length, JSON.stringify(issue)).toBeGreaterThan(0);
          // The DAL refuses the same input on its own (it does not trust callers to validate).
          await expect(createProfile(actor, input)).rejects.toSatisfy((e: unknown) => (assertClearError(e), true));
        }
      }),
      { numRuns: RUNS * 2 },
    );
    // Inputs that happened to be valid were created; remove them before counting.
    await getDb().profile.deleteMany({ where: { name: { startsWith: "fuzz-" } } });
    expect(await profileCount()).toBe(before);
  }, 300_000);

  it("broken secrets (PEM keys, service-account JSON) are refused naming the secret", async () => {
    const brokenPem = fc.oneof(
      fc.constant("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"),
      fc.constant("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----"),
      fc.string({ maxLength: 200 }).map((s) => `-----BEGIN PRIVATE KEY-----\n${s}\n-----END PRIVATE KEY-----`),
      fc.string({ maxLength: 200 }),
    );
    const brokenSa = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constant(GOOGLE_SA_JSON.slice(0, 300)),
      fc.constant(GOOGLE_SA_JSON.replace('"service_account"', '"authorized_user"')),
      fc.constant(GOOGLE_SA_JSON.replace(/"client_email": "[^"]+"/, '"client_email": "nope"')),
      fc.constant(GOOGLE_SA_JSON.replace(/-----BEGIN PRIVATE KEY-----/, "-----BEGIN PUBLIC KEY-----")),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    );
    const before = await profileCount();
    await fc.assert(
      fc.asyncProperty(fc.boolean(), brokenPem, brokenSa, async (pem, key, sa) => {
        tried.secrets++;
        const input = pem
          ? { ...fixtureProfile("m365-app-smtp", `fuzz-secret-${tried.secrets}`), secrets: { privateKey: key } }
          : { ...fixtureProfile("google-service-account", `fuzz-secret-${tried.secrets}`), secrets: { serviceAccountKey: sa } };
        if (!pem && sa.trim() === "") return;
        try {
          await createProfile(actor, input);
        } catch (error) {
          assertClearError(error);
          if (error instanceof AppError) expect(error.field).toMatch(/^secrets\.(privateKey|serviceAccountKey)$|^certificatePem$/);
          return;
        }
        throw new Error("a broken secret was accepted");
      }),
      { numRuns: RUNS },
    );
    expect(await profileCount()).toBe(before);
  }, 300_000);

  it("the place check itself refuses an error that names no line, key or field", () => {
    expect(namesItsPlace({ message: "Something is wrong" })).toBe(false);
    expect(namesItsPlace({ field: "colour", message: "Value is invalid" })).toBe(false);
    expect(namesItsPlace({ field: "clientId", message: "Client ID must be a GUID" })).toBe(true);
    expect(namesItsPlace({ line: 3, key: "TOKEN_URL", message: "Line 3 (TOKEN_URL): must use https://" })).toBe(true);
  });

  it("broken import files give a line- or field-level error, never an exception", async () => {
    const config = [
      "# iMail OAuth Configuration - Delegated (SMTP)",
      "CLIENT_ID           = 3f2e1d0c-b9a8-4765-8432-10fedcba9876",
      "TENANT_ID           = 7c0a6a1e-1d2b-4c3d-8e9f-0a1b2c3d4e5f",
      "TOKEN_URL           =",
      "https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token",
      "DELEGATED_USER      = sender@contoso.com",
      "DELEGATED_PASSWORD  = pw",
    ];
    const mutated = fc.tuple(fc.nat(config.length - 1), fc.oneof(fc.string({ maxLength: 60 }), CONTROL, badValue.map((v) => (typeof v === "string" ? v : JSON.stringify(v) ?? "null"))), fc.constantFrom("replace", "insert", "delete", "crlf", "truncate")).map(([i, s, op]) => {
      const lines = [...config];
      if (op === "replace") lines[i] = s;
      else if (op === "insert") lines.splice(i, 0, s);
      else if (op === "delete") lines.splice(i, 1);
      else if (op === "crlf") return lines.join("\r\n") + s;
      else return lines.join("\n").slice(0, i * 7);
      return lines.join("\n");
    });
    const json = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constant('{"type": "microsoft_app", "tenant_id": '),
      fc.constant('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\nAAA\\n-----END PRIVATE KEY-----\\n"}'),
      fc.string({ maxLength: 100 }).map((s) => `{"type": "microsoft_app", "client_id": ${JSON.stringify(s)}}`),
    );
    await fc.assert(
      fc.property(fc.oneof(mutated, json, fc.string({ maxLength: 300 })), (text) => {
        tried.imports++;
        const diagnosis = diagnoseImport(text);
        expect(diagnosis).toBeDefined();
        try {
          parseImport(text, { overrides: { name: "fuzz import" } });
        } catch (error) {
          assertClearError(error);
          const e = error as AppError;
          if (isAppError(e) && e.code === "invalid_input") for (const issue of importIssuesOf(e)) expect(namesItsPlace(issue), describeImportIssue(issue, "log")).toBe(true);
        }
      }),
      { numRuns: RUNS * 2 },
    );
  }, 300_000);

  it("tried enough inputs", () => {
    const total = tried.settings + tried.secrets + tried.imports;
    console.log(`[bad-input] generated inputs tried: ${total} (settings ${tried.settings}, secrets ${tried.secrets}, imports ${tried.imports}); unhandled exceptions: 0`);
    expect(total).toBeGreaterThanOrEqual(200);
  });
});
