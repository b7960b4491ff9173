import { z } from "zod";
import { AppError } from "../errors";
import { parsePrivateKey } from "../crypto/certificate";

/** The fields of a Google service-account key file that the console relies on. */
export const serviceAccountKeySchema = z.object({
  type: z.literal("service_account", { message: 'type must be "service_account" (download a JSON key for a service account, not an OAuth client)' }),
  client_email: z.email({ message: "client_email must be the service account's email" }),
  private_key: z.string().min(1, { message: "private_key is missing" }),
  client_id: z.string().regex(/^\d+$/, { message: "client_id must be the numeric client ID" }),
  private_key_id: z.string().optional(),
  project_id: z.string().optional(),
  token_uri: z.string().optional(),
  auth_uri: z.string().optional(),
  auth_provider_x509_cert_url: z.string().optional(),
  client_x509_cert_url: z.string().optional(),
  universe_domain: z.string().optional(),
  domain: z.string().optional(),
});
export type ServiceAccountKey = z.infer<typeof serviceAccountKeySchema>;

function lineOf(text: string, position: number): number {
  return text.slice(0, position).split("\n").length;
}

/**
 * Parses a service-account key JSON. Throws AppError(invalid_input, field serviceAccountKey)
 * naming the line of a JSON syntax error or the first missing/invalid property.
 */
export function parseServiceAccountKey(text: string): ServiceAccountKey {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const msg = error instanceof Error ? error.message : String(error);
    const pos = Number(msg.match(/position (\d+)/)?.[1]);
    const where = Number.isFinite(pos) ? ` at line ${lineOf(text, pos)}` : "";
    throw new AppError("invalid_input", `Service account key is not valid JSON${where}: ${msg.replace(/^.*?: /, "").slice(0, 120)}`, { field: "serviceAccountKey" });
  }
  const parsed = serviceAccountKeySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("invalid_input", `Service account key: ${issue.path.join(".") || "file"}: ${issue.message}`, { field: "serviceAccountKey" });
  }
  parsePrivateKey(parsed.data.private_key, "serviceAccountKey");
  return parsed.data;
}

/** Google's token endpoint, the default of a service-account profile's token URL. */
export const GOOGLE_DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token";

/** The non-secret settings a stored key determines (shown, exported without secrets). */
export type KeyDerivedSettings = {
  serviceAccountEmail: string;
  serviceAccountClientId: string;
  privateKeyId?: string;
  projectId?: string;
  authUri?: string;
  authProviderCertUrl?: string;
  clientCertUrl?: string;
  universeDomain?: string;
};
export const KEY_DERIVED_FIELDS = ["serviceAccountEmail", "serviceAccountClientId", "privateKeyId", "projectId", "authUri", "authProviderCertUrl", "clientCertUrl", "universeDomain"] as const;

/**
 * The settings a key determines, and the token URL: the key's `token_uri` replaces the token URL
 * while that is still Google's default (a key for a private endpoint or a test server brings its
 * own), so the console, the IBM i file and the exports with and without secrets use one URL.
 * A token URL the admin set to something else is kept.
 */
export function settingsFromServiceAccountKey(key: ServiceAccountKey, current: { tokenUrl?: string }): KeyDerivedSettings & { tokenUrl?: string } {
  const derived: KeyDerivedSettings & { tokenUrl?: string } = {
    serviceAccountEmail: key.client_email,
    serviceAccountClientId: key.client_id,
    privateKeyId: key.private_key_id,
    projectId: key.project_id,
    authUri: key.auth_uri,
    authProviderCertUrl: key.auth_provider_x509_cert_url,
    clientCertUrl: key.client_x509_cert_url,
    universeDomain: key.universe_domain,
  };
  const tokenUri = key.token_uri?.trim();
  if (tokenUri && (!current.tokenUrl || current.tokenUrl === GOOGLE_DEFAULT_TOKEN_URL)) derived.tokenUrl = tokenUri;
  return derived;
}
