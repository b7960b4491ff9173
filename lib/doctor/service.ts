import "server-only";
import type { Actor } from "../auth/actor";
import { looksLikeSecretId } from "../export/import";
import type { ClaimsSummary } from "../oauth/types";
import { loadProfileWithSecrets } from "../profiles/dal";
import { getTokenCacheForProfile, tokenScopeFor } from "../tokens";
import { applyAcknowledgements, listAcknowledgements } from "./acknowledgements";
import { hasErrors, runDoctor } from "./run";
import type { Finding } from "./types";

export type DiagnoseOptions = {
  /**
   * Claims to check instead of the token cache's (null: skip the claim rules). When absent, the
   * claims of the profile's cached token for its default scope are read from lib/tokens.
   */
  cachedClaims?: ClaimsSummary | null;
  now?: Date;
};

export type ProfileDiagnosis = { profileId: string; profileName: string; kind: string; findings: Finding[]; hasErrors: boolean };

/**
 * Runs the doctor on a stored profile; findings an admin acknowledged (with the same facts) carry
 * `acknowledged` and do not count as errors. Secrets are loaded only to derive harmless facts (is the
 * client secret a GUID, i.e. the Secret ID?) and are never returned. Throws AppError(not_found).
 */
export async function diagnoseProfile(actor: Actor, profileId: string, options: DiagnoseOptions = {}): Promise<ProfileDiagnosis> {
  const { profile, secrets } = await loadProfileWithSecrets(actor, profileId);
  let claims = options.cachedClaims;
  if (claims === undefined) {
    // The token for the profile's default scope: an IMAP-only token of a delegated profile would
    // otherwise be judged against the SMTP rules.
    const entries = (await getTokenCacheForProfile(actor, profileId)).filter((e) => e.claims.decoded && e.state !== "refresh-only");
    const scope = tokenScopeFor(profile.settings, "default");
    claims = (entries.find((e) => e.scope === scope) ?? null)?.claims ?? null;
  }
  const raw = runDoctor({
    settings: profile.settings,
    secretsSet: profile.secretsSet,
    certificate: profile.certificate,
    claims,
    now: options.now ?? new Date(),
    secretShapes: { clientSecretLooksLikeSecretId: looksLikeSecretId(secrets.clientSecret) },
  });
  const findings = applyAcknowledgements(raw, await listAcknowledgements(actor, profileId));
  return { profileId: profile.id, profileName: profile.name, kind: profile.kind, findings, hasErrors: hasErrors(findings) };
}
