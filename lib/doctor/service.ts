import "server-only";
import type { Actor } from "../auth/actor";
import { looksLikeSecretId } from "../export/import";
import type { ClaimsSummary } from "../oauth/types";
import { loadProfileWithSecrets } from "../profiles/dal";
import { hasErrors, runDoctor } from "./run";
import type { Finding } from "./types";

export type DiagnoseOptions = {
  /**
   * Claims of the profile's cached token. The token cache (lib/tokens) is another module; until
   * it exists the caller passes the claims here, and without them the claim rules are skipped.
   */
  cachedClaims?: ClaimsSummary | null;
  now?: Date;
};

export type ProfileDiagnosis = { profileId: string; profileName: string; kind: string; findings: Finding[]; hasErrors: boolean };

/**
 * Runs the doctor on a stored profile. Secrets are loaded only to derive harmless facts (is the
 * client secret a GUID, i.e. the Secret ID?) and are never returned. Throws AppError(not_found).
 */
export async function diagnoseProfile(actor: Actor, profileId: string, options: DiagnoseOptions = {}): Promise<ProfileDiagnosis> {
  const { profile, secrets } = await loadProfileWithSecrets(actor, profileId);
  const findings = runDoctor({
    settings: profile.settings,
    secretsSet: profile.secretsSet,
    certificate: profile.certificate,
    claims: options.cachedClaims ?? null,
    now: options.now ?? new Date(),
    secretShapes: { clientSecretLooksLikeSecretId: looksLikeSecretId(secrets.clientSecret) },
  });
  return { profileId: profile.id, profileName: profile.name, kind: profile.kind, findings, hasErrors: hasErrors(findings) };
}
