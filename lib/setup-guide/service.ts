import "server-only";
import { cache } from "react";
import { listActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { diagnoseProfile } from "../doctor/service";
import { getProfile } from "../profiles/dal";
import { getOAuthRedirectUri, getTokenCacheForProfile } from "../tokens";
import { listSetupChecks, setSetupStepCheck, type SetupStepCheckInput } from "./checks";
import { getSetupGuide, type ActivityFacts, type SetupGuide } from "./guide";

export type ProfileSetupGuide = SetupGuide & { profileId: string; profileName: string; facts: ActivityFacts };

async function succeeded(actor: Actor, profileId: string, action: string): Promise<boolean> {
  return (await listActivity(actor, { profileId, action, outcome: "success", pageSize: 1 })).total > 0;
}

/** The doctor's diagnosis, once per request (the doctor panel and the guide on one page share it). */
export const getProfileDiagnosis = cache((actor: Actor, profileId: string) => diagnoseProfile(actor, profileId));

async function buildProfileSetupGuide(actor: Actor, profileId: string, diagnosis: Awaited<ReturnType<typeof diagnoseProfile>>): Promise<ProfileSetupGuide> {
  const profile = await getProfile(actor, profileId);
  const [acquired, cached, sendSucceeded, imapSucceeded, checks] = await Promise.all([
    succeeded(actor, profileId, "token.acquire"),
    getTokenCacheForProfile(actor, profileId),
    succeeded(actor, profileId, "mail.send"),
    succeeded(actor, profileId, "imap.test"),
    listSetupChecks(actor, profileId),
  ]);
  const facts: ActivityFacts = { tokenAcquired: acquired || cached.length > 0, sendSucceeded, imapSucceeded };
  const guide = getSetupGuide(profile.settings, facts, {
    callbackUrl: profile.kind === "m365-auth-code" ? getOAuthRedirectUri() : undefined,
    certificateSha1: profile.certificate?.sha1Hex,
    findings: diagnosis.findings,
    checks,
  });
  return { ...guide, profileId: profile.id, profileName: profile.name, facts };
}

/**
 * The setup checklist of a stored profile, with the proof the console holds: a token was acquired
 * (a successful token.acquire or a cache entry), a test send or IMAP login succeeded (activity
 * log), the doctor's open findings (a step it finds fault with is not verified) and the manual
 * steps an admin ticked off. Memoized per request. Throws AppError(not_found).
 */
export const getProfileSetupGuide = cache(async (actor: Actor, profileId: string): Promise<ProfileSetupGuide> => buildProfileSetupGuide(actor, profileId, await getProfileDiagnosis(actor, profileId)));

/**
 * Ticks a manual step of the profile's guide off (or reopens it); stored and logged. The console
 * action and `cli setup NAME --check/--uncheck STEP` both call this. Returns the guide afterwards.
 * Throws AppError(invalid_input) for a step that is not manual on this profile.
 */
export async function checkSetupStep(actor: Actor, profileId: string, input: SetupStepCheckInput): Promise<ProfileSetupGuide> {
  const diagnosis = await diagnoseProfile(actor, profileId);
  const before = await buildProfileSetupGuide(actor, profileId, diagnosis);
  const manual = before.steps.filter((s) => s.verifiedBy === null);
  await setSetupStepCheck(actor, { id: before.profileId, name: before.profileName }, manual, input);
  return buildProfileSetupGuide(actor, profileId, diagnosis);
}

/** The guide, fresh (no per-request memo): for the CLI and after a change. */
export async function loadProfileSetupGuide(actor: Actor, profileId: string): Promise<ProfileSetupGuide> {
  return buildProfileSetupGuide(actor, profileId, await diagnoseProfile(actor, profileId));
}
