import "server-only";
import type { Actor } from "../auth/actor";
import { systemActor } from "../auth/actor";
import { isAppError, tokenFailureOf } from "../errors";
import { describeClaims } from "../oauth/claims";
import { findProfile, setProfileHealth, type ProfileDto } from "../profiles/dal";
import { getConsoleSettings } from "../settings/dal";
import { getAccessToken } from "../tokens";
import { raiseAlert } from "./alerts";
import { runCanary, type CanaryConfig } from "./canary";
import { MINUTE, type Clock } from "./clock";
import { claimCheck, findCheckRow, finishCheck, listDevicesSilentLongerThanUsual, releaseCheck, type CheckRow } from "./dal";
import { decideAlert, expiryWarningDue } from "./decide";
import { expiryItemsOf, expiryVerdict, renewHint, type KeySighting } from "./expiry";
import { getRelayHealth } from "../relay/queue";
import { relayVerdict } from "./relay-check";
import type { AlertEvent, CheckState, CheckStatus, CheckType } from "./types";

/**
 * Runs one check: takes its lease, runs it, stores the result, decides the alerts. Never throws
 * for a failing check or an unexpected error inside it (that is an "unknown" result); returns
 * null when the lease is held elsewhere (or, with requireDue, the check is no longer due).
 */

export type RunContext = { clock: Clock; owner: string; actor?: Actor };

export type CheckRunReport = {
  checkId: string;
  type: CheckType;
  profileId: string | null;
  profileName: string | null;
  status: CheckState;
  message: string;
  hint: string;
  durationMs: number;
  latencyMs?: number;
  at: string;
  /** The alerts this run raised. */
  alerts: { id: string; event: AlertEvent }[];
};

type Outcome = { status: CheckStatus; message: string; hint: string; latencyMs?: number; config?: Record<string, unknown>; warnings?: { key: string; threshold: number; message: string; hint: string }[] };

const LEASE_MS = 5 * MINUTE;
/** A canary may wait up to its longest time limit (1800 s) plus sending and IMAP time. */
const CANARY_LEASE_MS = (1800 + 180) * 1000;

function leaseMsFor(id: string): number {
  return id.startsWith("canary:") ? CANARY_LEASE_MS : LEASE_MS;
}

export async function runCheck(id: string, ctx: RunContext, options: { trigger: "schedule" | "manual"; requireDue: boolean }): Promise<CheckRunReport | null> {
  const started = ctx.clock.now();
  // Claim first (one conditional UPDATE), then read the row under the lease: what another
  // process's run just stored is what this run starts from.
  if (!(await claimCheck(id, ctx.owner, started, leaseMsFor(id), options.requireDue))) return null;
  const actor = ctx.actor ?? systemActor();
  const t0 = performance.now();
  try {
    const row = await findCheckRow(id);
    if (!row) return null;
    const profile = row.profileId ? await findProfile(actor, row.profileId) : null;
    if (row.profileId && !profile) {
      await releaseCheck(id, ctx.owner);
      return null;
    }
    let outcome: Outcome;
    try {
      outcome = await execute(row, profile, actor, started);
    } catch (error) {
      outcome = {
        status: "unknown",
        message: isAppError(error) ? error.userMessage : "The check could not run (internal error; see the server log).",
        hint: isAppError(error) ? (error.hint ?? "") : "",
      };
      if (!isAppError(error)) console.error(`[monitor] check ${id} failed unexpectedly:`, error instanceof Error ? error.message : error);
    }
    const durationMs = performance.now() - t0;
    const now = ctx.clock.now();
    const { alertReminderHours } = await getConsoleSettings();
    const decision = decideAlert({ alertState: row.alertState === "failing" ? "failing" : "ok", failingSince: row.failingSince, lastAlertAt: row.lastAlertAt }, outcome.status, now, alertReminderHours);
    const warned = JSON.parse(row.warned || "{}") as Record<string, number>;
    const warnings = (outcome.warnings ?? []).filter((w) => {
      if (warned[w.key] !== undefined && warned[w.key] <= w.threshold) return false;
      warned[w.key] = w.threshold;
      return true;
    });
    await finishCheck(id, ctx.owner, now, row.intervalMinutes, { ...outcome, durationMs, trigger: options.trigger, alerting: decision.next, warned });
    if (profile) await recordProfileHealth(actor, profile, row.type as CheckType, outcome);
    const alerts: CheckRunReport["alerts"] = [];
    const base = { checkId: id, checkType: row.type, profileId: row.profileId, profileName: profile?.name ?? null };
    if (decision.event) {
      const failingFor = decision.event === "reminder" && decision.next.failingSince ? ` (failing since ${decision.next.failingSince.toISOString()})` : "";
      const a = await raiseAlert(now, { ...base, event: decision.event, status: outcome.status, message: `${outcome.message}${failingFor}`, hint: outcome.hint });
      alerts.push({ id: a.id, event: a.event });
    }
    for (const w of warnings) {
      const a = await raiseAlert(now, { ...base, event: "expiring", status: outcome.status, message: w.message, hint: w.hint });
      alerts.push({ id: a.id, event: a.event });
    }
    return { checkId: id, type: row.type as CheckType, profileId: row.profileId, profileName: profile?.name ?? null, status: outcome.status, message: outcome.message, hint: outcome.hint, durationMs, latencyMs: outcome.latencyMs, at: now.toISOString(), alerts };
  } catch (error) {
    await releaseCheck(id, ctx.owner).catch(() => undefined);
    throw error;
  }
}

/**
 * The profile's health (lists, badges) follows the checks that prove something about it: the
 * token check records itself (getAccessToken); a canary that arrived is end-to-end proof that
 * mail flows (ok), one that did not is failing; an expired certificate or secret is failing, and
 * the expiry check clears only a failure it set itself. Undecided results change nothing.
 */
async function recordProfileHealth(actor: Actor, profile: ProfileDto, type: CheckType, outcome: Outcome): Promise<void> {
  if (outcome.status === "unknown") return;
  if (type === "canary") {
    await setProfileHealth(actor, profile.id, outcome.status === "failing" ? { state: "failing", check: "canary", detail: `Canary: ${outcome.message}` } : { state: "ok", check: "canary", detail: outcome.message });
  } else if (type === "expiry") {
    if (outcome.status === "failing") await setProfileHealth(actor, profile.id, { state: "failing", check: "expiry", detail: `Expiry: ${outcome.message}` });
    else if (profile.health.state === "failing" && profile.health.check === "expiry") await setProfileHealth(actor, profile.id, { state: "ok", check: "expiry", detail: outcome.message });
  }
}

async function execute(row: CheckRow, profile: ProfileDto | null, actor: Actor, now: Date): Promise<Outcome> {
  switch (row.type as CheckType) {
    case "token":
      return tokenCheck(actor, profile!);
    case "expiry":
      return expiryCheck(row, profile!, now);
    case "canary":
      return runCanary(actor, profile!, JSON.parse(row.config || "{}") as CanaryConfig);
    case "relay": {
      // Silent: the relay's own rule (no message for a day) plus "longer than its usual interval".
      const [health, unusual] = await Promise.all([getRelayHealth(), listDevicesSilentLongerThanUsual(now)]);
      const known = new Set(health.silentDevices.map((d) => d.name));
      return relayVerdict({ ...health, silentDevices: [...health.silentDevices, ...unusual.filter((d) => !known.has(d.name)).map((d) => ({ name: `${d.name} (usually every ${d.usualMinutes} min)`, lastSeenAt: d.lastSeenAt }))] });
    }
    default:
      return { status: "unknown", message: `Unknown check type ${row.type}.`, hint: "" };
  }
}

/**
 * Token health: a new token from the identity provider (not the cache) — proof that the
 * credential still works today. For an authorization-code profile this is a refresh, which also
 * keeps its refresh token from lapsing (90 days unused). A transient IdP or network problem
 * (5xx, 429, timeout, connection reset) is "unknown", not "failing".
 */
async function tokenCheck(actor: Actor, profile: ProfileDto): Promise<Outcome> {
  try {
    const token = await getAccessToken(actor, profile.id, { forceRefresh: true });
    const claims = describeClaims(token.claims);
    return { status: "ok", message: `Token acquired${token.source === "new" ? "" : " (from cache)"}${claims ? `: ${claims}` : ""}; expires ${token.expiresAt.toISOString()}.`, hint: "" };
  } catch (error) {
    if (!isAppError(error)) throw error;
    const transient = tokenFailureOf(error)?.transient === true || error.code === "timeout";
    return {
      status: transient ? "unknown" : "failing",
      message: transient ? `Could not reach a verdict: ${error.userMessage}` : error.userMessage,
      hint: error.hint ?? (transient ? "A temporary problem at the identity provider or on the network; the next run tries again. Stored credentials were kept." : ""),
    };
  }
}

function expiryCheck(row: CheckRow, profile: ProfileDto, now: Date): Outcome {
  const config = JSON.parse(row.config || "{}") as { keySighting?: KeySighting };
  let sighting = config.keySighting;
  const s = profile.settings;
  if (s.kind === "google-service-account" && s.privateKeyId) {
    // First sighting of the profile's key: it has been there since the profile was created at
    // the latest (an overestimate at worst, which warns early). A new key id starts from now.
    if (!sighting) sighting = { keyId: s.privateKeyId, firstSeenAt: new Date(Math.min(new Date(profile.createdAt).getTime(), now.getTime())).toISOString() };
    else if (sighting.keyId !== s.privateKeyId) sighting = { keyId: s.privateKeyId, firstSeenAt: now.toISOString() };
  } else sighting = undefined;
  const items = expiryItemsOf(profile, now, sighting);
  const verdict = expiryVerdict(items);
  const warnings = items.flatMap((i) => {
    const threshold = expiryWarningDue(i.daysLeft, undefined);
    if (threshold === null) return [];
    return [{ key: i.key, threshold, message: `${i.label} ${i.hard ? "expires" : "should be rotated"} in ${i.daysLeft} day${i.daysLeft === 1 ? "" : "s"} (${i.expiresAt.slice(0, 10)}).`, hint: renewHint(i) }];
  });
  return { ...verdict, config: { ...config, keySighting: sighting }, warnings };
}
