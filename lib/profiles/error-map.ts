import { z } from "zod";
import { PROFILE_FORM } from "./fields";
import { SECRET_LABELS, type SecretName } from "./kinds";

/**
 * zod's fallback wording ("Invalid input: expected string, received undefined", "Too small:
 * expected number to be >=1") never reaches an admin: every issue without a message of its own
 * names the field — by the form's label, else its key — and says what is expected. Schema-level
 * messages (schema.ts) still win; this map only fills the gaps. Installed once, globally, by
 * importing this module (schema.ts does).
 */

const LABELS = new Map<string, string>();
for (const sections of Object.values(PROFILE_FORM)) for (const s of sections) for (const f of s.fields) if (!f.secret && !LABELS.has(f.name)) LABELS.set(f.name, f.label);
const OTHER_LABELS: Record<string, string> = { version: "Version", settings: "Settings", secrets: "Secrets", clearSecrets: "Secrets to clear", kind: "Kind" };

/** The words for a field at `path` (settings.smtpPort → "SMTP port", secrets.password → "Password"). */
export function fieldLabel(path: readonly PropertyKey[]): string {
  const keys = path.filter((p): p is string => typeof p === "string");
  const last = keys[keys.length - 1];
  if (!last) return "The value";
  if (keys[keys.length - 2] === "secrets" && last in SECRET_LABELS) return SECRET_LABELS[last as SecretName];
  return LABELS.get(last) ?? OTHER_LABELS[last] ?? last;
}

const EXPECTED: Record<string, string> = { string: "text", number: "a number", int: "a whole number", boolean: "yes or no", object: "a set of fields", array: "a list", date: "a date", bigint: "a whole number" };
const FORMATS: Record<string, string> = { email: "an email address like name@example.com", url: "a full URL such as https://example.com", uuid: "a UUID", guid: "a GUID", date: "a date (YYYY-MM-DD)", datetime: "a date and time (ISO 8601)" };

/** The message for one issue, or undefined to keep zod's (custom issues carry their own). */
export function describeIssue(iss: z.core.$ZodRawIssue): string | undefined {
  const label = fieldLabel(iss.path ?? []);
  switch (iss.code) {
    case "invalid_type": {
      const expected = EXPECTED[iss.expected] ?? String(iss.expected);
      return iss.input === undefined || iss.input === null ? `${label} is required (${expected})` : `${label} must be ${expected}`;
    }
    case "too_small": {
      const min = Number(iss.minimum);
      if (iss.origin === "string") return min <= 1 ? `${label} is required` : `${label} must be at least ${min} characters`;
      if (iss.origin === "array" || iss.origin === "set") return `${label} needs at least ${min} item${min === 1 ? "" : "s"}`;
      return `${label} must be ${iss.inclusive === false ? "greater than" : "at least"} ${min}`;
    }
    case "too_big": {
      const max = Number(iss.maximum);
      if (iss.origin === "string") return `${label} must be at most ${max} characters`;
      if (iss.origin === "array" || iss.origin === "set") return `${label} may have at most ${max} items`;
      return `${label} must be ${iss.inclusive === false ? "less than" : "at most"} ${max}`;
    }
    case "invalid_value":
      return `${label} must be one of: ${iss.values.map(String).join(", ")}`;
    case "invalid_format":
      return `${label} must be ${FORMATS[iss.format] ?? `in the expected format (${iss.format})`}`;
    case "not_multiple_of":
      return `${label} must be a multiple of ${String(iss.divisor)}`;
    case "unrecognized_keys":
      return `Unknown field${iss.keys.length === 1 ? "" : "s"}: ${iss.keys.join(", ")}`;
    case "invalid_union":
      return `${label} does not match any of the allowed forms`;
    case "invalid_key":
    case "invalid_element":
      return `${label} holds an invalid entry`;
    default:
      return undefined;
  }
}

z.config({ customError: describeIssue });
