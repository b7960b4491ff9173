import { parseServiceAccountKey } from "../profiles/service-account-key";
import { profileSettingsSchema, type ProfileKind, type ProfileSettings } from "../profiles/schema";
import { fixtureProfile } from "@/tests/fixtures/profiles";

/** Test-only: fixture settings as the DAL stores them (defaults applied, key-derived fields filled). */
export function storedSettings(kind: ProfileKind, name = `Fixture ${kind}`, patch: Record<string, unknown> = {}): ProfileSettings {
  const p = fixtureProfile(kind, name);
  let s = profileSettingsSchema.parse({ ...p.settings, ...patch });
  if (s.kind === "google-service-account" && p.secrets.serviceAccountKey) {
    const key = parseServiceAccountKey(p.secrets.serviceAccountKey);
    s = { ...s, serviceAccountEmail: key.client_email, serviceAccountClientId: key.client_id, privateKeyId: key.private_key_id, projectId: key.project_id };
  }
  return s;
}

export const NOW = new Date("2026-03-15T12:00:00Z");
