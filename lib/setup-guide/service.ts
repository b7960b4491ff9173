import "server-only";
import { cache } from "react";
import { listActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { getProfile } from "../profiles/dal";
import { getOAuthRedirectUri, getTokenCacheForProfile } from "../tokens";
import { getSetupGuide, type ActivityFacts, type SetupGuide } from "./guide";

export type ProfileSetupGuide = SetupGuide & { profileId: string; profileName: string; facts: ActivityFacts };

async function succeeded(actor: Actor, profileId: string, action: string): Promise<boolean> {
  return (await listActivity(actor, { profileId, action, outcome: "success", pageSize: 1 })).total > 0;
}

/**
 * The setup checklist of a stored profile, with the proof the console holds: a token was acquired
 * (a successful token.acquire or a cache entry), a test send or IMAP login succeeded (activity
 * log). Memoized per request (the doctor panel and the guide on one page share it). Throws
 * AppError(not_found).
 */
export const getProfileSetupGuide = cache(async (actor: Actor, profileId: string): Promise<ProfileSetupGuide> => {
  const profile = await getProfile(actor, profileId);
  const [acquired, cached, sendSucceeded, imapSucceeded] = await Promise.all([
    succeeded(actor, profileId, "token.acquire"),
    getTokenCacheForProfile(actor, profileId),
    succeeded(actor, profileId, "mail.send"),
    succeeded(actor, profileId, "imap.test"),
  ]);
  const facts: ActivityFacts = { tokenAcquired: acquired || cached.length > 0, sendSucceeded, imapSucceeded };
  const guide = getSetupGuide(profile.settings, facts, {
    callbackUrl: profile.kind === "m365-auth-code" ? getOAuthRedirectUri() : undefined,
    certificateSha1: profile.certificate?.sha1Hex,
  });
  return { ...guide, profileId: profile.id, profileName: profile.name, facts };
});
