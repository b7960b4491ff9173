import "server-only";
import { z } from "zod";
import { openSecret, sealSecret } from "../crypto/keyring";
import { assertKeyMatchesCertificate, describeCertificate, parsePrivateKey } from "../crypto/certificate";
import { AppError } from "../errors";
import { parseServiceAccountKey, settingsFromServiceAccountKey } from "../oauth/service-account-key";
import { SECRET_LABELS, SECRET_NAMES, profileSettingsSchema, secretsAllowed, secretsRequired, type ParsedProfileInput, type ProfileSecrets, type ProfileSettings } from "./schema";

/**
 * The secret policy of a profile, beside the DAL that stores it: which secrets a kind keeps, how a
 * submitted set merges with the stored one (blank keeps, clearSecrets removes), the checks on
 * their shape, and sealing/opening the encrypted blob (AES-256-GCM, AAD = the profile id).
 * Secrets never leave this module and the DAL except to the code that uses them.
 */

/** Setting → the key-file property it comes from, to name the property in errors. */
const KEY_FIELD_OF: Record<string, string> = {
  tokenUrl: "token_uri",
  serviceAccountEmail: "client_email",
  serviceAccountClientId: "client_id",
  privateKeyId: "private_key_id",
  projectId: "project_id",
  authUri: "auth_uri",
  authProviderCertUrl: "auth_provider_x509_cert_url",
  clientCertUrl: "client_x509_cert_url",
  universeDomain: "universe_domain",
};

/**
 * Merges submitted secrets into the stored ones (blank keeps, clearSecrets removes), drops those
 * the kind does not use, checks required ones and their shape, and derives non-secret settings
 * from them (service-account email/client id). Throws AppError(invalid_input) naming the field.
 */
export function mergeSecrets(settings: ProfileSettings, stored: ProfileSecrets, input: Pick<ParsedProfileInput, "secrets" | "clearSecrets">): { secrets: ProfileSecrets; settings: ProfileSettings } {
  const allowed = secretsAllowed(settings);
  const merged: ProfileSecrets = {};
  for (const name of allowed) {
    const submitted = input.secrets[name];
    if (submitted !== undefined && submitted.trim() !== "") merged[name] = name === "password" || name === "clientSecret" ? submitted : submitted.trim();
    else if (!input.clearSecrets.includes(name) && stored[name] !== undefined) merged[name] = stored[name];
  }
  for (const name of secretsRequired(settings)) {
    if (!merged[name]) {
      const hint = name === "clientSecret" ? " (paste the secret's Value from Certificates & secrets, not its Secret ID)" : "";
      throw new AppError("invalid_input", `${SECRET_LABELS[name]} is required${hint}`, { field: `secrets.${name}` });
    }
  }
  let next = settings;
  if (merged.privateKey) {
    parsePrivateKey(merged.privateKey, "secrets.privateKey");
    if ("certificatePem" in settings && settings.certificatePem) {
      try {
        assertKeyMatchesCertificate(settings.certificatePem, merged.privateKey);
      } catch (error) {
        if (error instanceof AppError) throw new AppError("invalid_input", error.userMessage, { field: error.field === "certificatePem" ? "certificatePem" : "secrets.privateKey" });
        throw error;
      }
    }
  }
  if (settings.kind === "google-service-account" && merged.serviceAccountKey) {
    let key;
    try {
      key = parseServiceAccountKey(merged.serviceAccountKey);
    } catch (error) {
      if (error instanceof AppError) throw new AppError("invalid_input", error.userMessage, { field: "secrets.serviceAccountKey" });
      throw error;
    }
    // The key's URLs become settings: validate them like any setting (a token_uri must be https).
    const checked = profileSettingsSchema.safeParse({ ...settings, ...settingsFromServiceAccountKey(key, settings), ...(!settings.domain && key.domain ? { domain: key.domain } : {}) });
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new AppError("invalid_input", `Service account key: ${KEY_FIELD_OF[String(issue.path[0])] ?? String(issue.path[0])}: ${issue.message}`, { field: "secrets.serviceAccountKey" });
    }
    next = checked.data;
  }
  if ("certificatePem" in settings && settings.certificatePem) describeCertificate(settings.certificatePem);
  return { secrets: merged, settings: next };
}

/** Seals the secrets for the row `id` ("v1." blob, AAD = id) and lists their names for lists that never decrypt. */
export async function sealSecrets(id: string, secrets: ProfileSecrets): Promise<{ secrets: string | null; secretNames: string }> {
  const names = SECRET_NAMES.filter((n) => secrets[n] !== undefined);
  if (names.length === 0) return { secrets: null, secretNames: "" };
  return { secrets: await sealSecret(JSON.stringify(secrets), id), secretNames: names.join(",") };
}

/** Opens the row's secrets. Throws AppError(secret_undecryptable) from the keyring when the blob cannot be opened. */
export async function decryptSecrets(row: { id: string; secrets: string | null }): Promise<ProfileSecrets> {
  if (!row.secrets) return {};
  const json = JSON.parse(await openSecret(row.secrets, row.id));
  return z.partialRecord(z.enum(SECRET_NAMES), z.string()).parse(json);
}
