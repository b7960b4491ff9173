import "server-only";
import type { Actor } from "../auth/actor";
import { recordActivity } from "../activity/dal";
import { AppError } from "../errors";
import { isExchangeOnlineSmtpHost } from "../mail/exchange-basic-auth";
import { imapTargetOf } from "../mail/targets";
import { getProfile, getProfileByName, iterateProfiles } from "../profiles/dal";
import { listDevices } from "../relay/devices";
import { getRelayHealth } from "../relay/queue";
import { getChannel, getAlert, raiseAlert, describeChannel, type AlertDto } from "./alerts";
import { DAY, MINUTE, systemClock, type Clock } from "./clock";
import {
  AUTH_CODE_MAX_INTERVAL_MINUTES,
  RELAY_CHECK_ID,
  checkId,
  createCheckRow,
  deleteCheckRow,
  countRecentRelayFailuresByDevice,
  findCheckRow,
  latestRun,
  listChecks,
  syncChecks,
  updateCheckRow,
  type CheckDto,
} from "./dal";
import { deliverDueAlerts } from "./delivery";
import { expiryItemsOf, type ExpiryItem, type KeySighting } from "./expiry";
import { defaultOwner } from "./scheduler";
import { runCheck, type CheckRunReport } from "./run";
import { monitorConfigSchema, type MonitorConfigInput } from "./schema";
import type { CheckType } from "./types";

/** What `check run` and "Run now" do, and the data of the monitoring pages. */

export type RunNowReport = CheckRunReport & {
  /** The check was running in another process (server or CLI): this is that run's result. */
  ranElsewhere: boolean;
};

export type RunNowOptions = {
  clock?: Clock;
  concurrency?: number;
  deliveryTimeoutMs?: number;
  owner?: string;
  waitPollMs?: number;
  /** Called when a check is already running elsewhere and this call waits for it. */
  onWaiting?: (check: { id: string; profileName: string | null; type: CheckType }) => void;
};

/**
 * Runs checks now: all, those of one profile (by name), or one check ("NAME:type"). A check
 * already running elsewhere is not started twice: this waits for that run and reports it.
 * Alerts the runs raise are delivered (one attempt each) before returning; retries are the
 * server's job. Throws AppError(not_found) for an unknown profile or check type.
 */
export async function runChecksNow(actor: Actor, selector: string | undefined, options: RunNowOptions = {}): Promise<RunNowReport[]> {
  const clock = options.clock ?? systemClock;
  const owner = options.owner ?? defaultOwner();
  await syncChecks(clock.now());
  const ids = await selectChecks(actor, selector, clock.now());
  const reports: RunNowReport[] = [];
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id; id = queue.shift()) {
      const r = await runOneCheckNow(actor, id, { ...options, clock, owner });
      if (r) reports.push(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, queue.length)) }, worker));
  for (const r of reports) await deliverReportAlerts(r, { ...options, clock });
  return reports.sort((a, b) => (a.profileName ?? "").localeCompare(b.profileName ?? "") || a.type.localeCompare(b.type));
}

/**
 * Runs one check now (the twin of "Run now"), or — when it is running in another process — waits
 * for that run and reports it. Null when the check does not exist (its profile was deleted).
 * Alerts it raises are not delivered here: see deliverReportAlerts.
 */
export async function runOneCheckNow(actor: Actor, id: string, options: RunNowOptions = {}): Promise<RunNowReport | null> {
  const clock = options.clock ?? systemClock;
  const owner = options.owner ?? defaultOwner();
  const r = await runCheck(id, { clock, owner, actor }, { trigger: "manual", requireDue: false });
  if (r) return { ...r, ranElsewhere: false };
  const row = await findCheckRow(id);
  if (!row) return null;
  options.onWaiting?.({ id, profileName: row.profile?.name ?? null, type: row.type as CheckType });
  return waitForOtherRun(id, options.waitPollMs ?? 250);
}

/** Delivers the alerts a run raised (one attempt each; retries are the server's job). */
export async function deliverReportAlerts(report: RunNowReport, options: Pick<RunNowOptions, "clock" | "deliveryTimeoutMs"> = {}): Promise<void> {
  for (const a of report.alerts) await deliverDueAlerts(options.clock ?? systemClock, { onlyAlertId: a.id, timeoutMs: options.deliveryTimeoutMs });
}

/** Creates the checks of profiles that have none yet (the scheduler does this on its own rounds). */
export async function ensureChecks(clock: Clock = systemClock): Promise<void> {
  await syncChecks(clock.now());
}

async function selectChecks(actor: Actor, selector: string | undefined, now: Date): Promise<string[]> {
  if (!selector) return (await listChecks(actor, now)).filter((c) => c.enabled).map((c) => c.id);
  if (selector === "relay" || selector === RELAY_CHECK_ID) {
    if (!(await findCheckRow(RELAY_CHECK_ID))) throw new AppError("not_found", "There is no relay check: the relay has no devices yet.");
    return [RELAY_CHECK_ID];
  }
  const m = selector.match(/^(.*):(token|expiry|canary|relay)$/);
  const name = m ? m[1] : selector;
  const type = m ? (m[2] as CheckType) : undefined;
  const profile = await getProfileByName(actor, name);
  const checks = await listChecks(actor, now, { profileId: profile.id, type });
  if (checks.length === 0) throw new AppError("not_found", `Profile "${profile.name}" has no ${type ? `${type} ` : ""}check.${type === "canary" ? " Enable the canary on the profile page (or: npm run cli -- check config NAME --canary-to ADDR --canary-imap PROFILE)." : ""}`);
  return checks.map((c) => c.id);
}

/** Waits while another process holds the lease, then returns its latest run. */
async function waitForOtherRun(id: string, pollMs: number): Promise<RunNowReport | null> {
  for (;;) {
    const row = await findCheckRow(id);
    if (!row) return null;
    if (!row.leaseUntil || row.leaseUntil.getTime() <= Date.now()) {
      const run = await latestRun(id);
      if (!run) return null;
      return {
        checkId: id,
        type: row.type as CheckType,
        profileId: row.profileId,
        profileName: row.profile?.name ?? null,
        status: run.status as RunNowReport["status"],
        message: run.message,
        hint: row.lastHint,
        durationMs: run.durationMs,
        latencyMs: run.latencyMs ?? undefined,
        at: run.at.toISOString(),
        alerts: [],
        ranElsewhere: true,
      };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The last result of every check (check list, the Checks page). */
export async function listCheckResults(actor: Actor, clock: Clock = systemClock): Promise<CheckDto[]> {
  await syncChecks(clock.now());
  return listChecks(actor, clock.now());
}

export type ProfileMonitoring = {
  checks: CheckDto[];
  tokenIntervalHours: number | null;
  tokenIntervalMaxHours: number;
  canary: { enabled: boolean; to: string; imapProfileId: string; intervalMinutes: number; timeLimitSeconds: number } | null;
};

export async function getProfileMonitoring(actor: Actor, profileId: string, clock: Clock = systemClock): Promise<ProfileMonitoring> {
  const profile = await getProfile(actor, profileId);
  await syncChecks(clock.now());
  const checks = await listChecks(actor, clock.now(), { profileId });
  const token = checks.find((c) => c.type === "token");
  const canary = checks.find((c) => c.type === "canary");
  const cfg = (canary?.config ?? {}) as { to?: string; imapProfileId?: string; timeLimitSeconds?: number };
  return {
    checks,
    tokenIntervalHours: token ? token.intervalMinutes / 60 : null,
    tokenIntervalMaxHours: (profile.kind === "m365-auth-code" ? AUTH_CODE_MAX_INTERVAL_MINUTES : 30 * 24 * 60) / 60,
    canary: canary ? { enabled: canary.enabled, to: cfg.to ?? "", imapProfileId: cfg.imapProfileId ?? "", intervalMinutes: canary.intervalMinutes, timeLimitSeconds: cfg.timeLimitSeconds ?? 300 } : null,
  };
}

/**
 * Saves a profile's monitoring settings: the token check's interval (an authorization-code
 * profile is refreshed at least weekly, so its interval is capped at 7 days) and the canary.
 * Throws AppError(invalid_input) naming the field.
 */
export async function configureProfileMonitoring(actor: Actor, profileId: string, raw: MonitorConfigInput, clock: Clock = systemClock): Promise<ProfileMonitoring> {
  const parsed = monitorConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("invalid_input", issue?.message ?? "Invalid monitoring settings", { field: issue?.path.map(String).join(".") || undefined });
  }
  const input = parsed.data;
  const profile = await getProfile(actor, profileId);
  const now = clock.now();
  await syncChecks(now);
  const changes: string[] = [];
  const tokenRow = await findCheckRow(checkId("token", profile.id));
  if (input.tokenIntervalHours !== undefined) {
    if (!tokenRow) throw new AppError("invalid_input", `Profile "${profile.name}" has no token to check (${profile.kind}).`, { field: "tokenIntervalHours" });
    const minutes = Math.round(input.tokenIntervalHours * 60);
    if (profile.kind === "m365-auth-code" && minutes > AUTH_CODE_MAX_INTERVAL_MINUTES) {
      throw new AppError("invalid_input", "Token check interval of an authorization-code profile must be at most 168 hours (7 days): its refresh token must be used at least weekly so it never reaches Microsoft's 90-day inactivity expiry.", { field: "tokenIntervalHours" });
    }
    if (minutes !== tokenRow.intervalMinutes) {
      // The next run moves with the interval, but never later than it would have been.
      const next = new Date(Math.min(tokenRow.nextRunAt.getTime(), (tokenRow.lastRunAt ?? now).getTime() + minutes * MINUTE));
      await updateCheckRow(tokenRow.id, { intervalMinutes: minutes, nextRunAt: next });
      changes.push(`token check every ${input.tokenIntervalHours} h`);
    }
  }
  const canaryId = checkId("canary", profile.id);
  const canaryRow = await findCheckRow(canaryId);
  if (input.canaryEnabled) {
    if (profile.kind === "log-only") throw new AppError("invalid_input", "A log-only profile sends nothing: it cannot run a canary.", { field: "canaryEnabled" });
    const imap = await getProfile(actor, input.canaryImapProfileId!).catch(() => null);
    if (!imap) throw new AppError("invalid_input", "The IMAP profile for the canary does not exist.", { field: "canaryImapProfileId" });
    if (!imapTargetOf(imap.settings)) throw new AppError("invalid_input", `Profile "${imap.name}" has no IMAP access: choose a profile that can read the canary mailbox.`, { field: "canaryImapProfileId" });
    const config = { ...(canaryRow ? JSON.parse(canaryRow.config) : {}), to: input.canaryTo, imapProfileId: imap.id, timeLimitSeconds: input.canaryTimeLimitSeconds };
    await createCheckRow({ id: canaryId, type: "canary", profileId: profile.id, intervalMinutes: input.canaryIntervalMinutes, config, nextRunAt: canaryRow?.nextRunAt ?? now, enabled: true });
    changes.push(`canary to ${input.canaryTo} every ${input.canaryIntervalMinutes} min, read through "${imap.name}", limit ${input.canaryTimeLimitSeconds} s`);
  } else if (canaryRow) {
    await deleteCheckRow(canaryId);
    changes.push("canary off");
  }
  if (changes.length) await recordActivity(actor, { action: "monitor.configure", outcome: "success", profileId: profile.id, profileName: profile.name, summary: `Monitoring of "${profile.name}": ${changes.join("; ")}` });
  return getProfileMonitoring(actor, profileId, clock);
}

/**
 * "Send a test alert": one alert (event test) to one channel, delivered now with a single
 * attempt; the result says whether the receiver accepted it.
 */
export async function sendTestAlert(actor: Actor, channelNameOrId: string, options: { clock?: Clock; timeoutMs?: number } = {}): Promise<{ ok: boolean; message: string; alert: AlertDto }> {
  const clock = options.clock ?? systemClock;
  const channel = await getChannel(actor, channelNameOrId);
  const alert = await raiseAlert(
    clock.now(),
    { event: "test", checkType: "test", status: "ok", message: `Test alert from the OAuth Mail Console to channel "${channel.name}" (${describeChannel(channel)}), sent by ${actor.username}.`, hint: "Nothing to do: this proves the channel works." },
    { onlyChannelId: channel.id, actor },
  );
  await deliverDueAlerts(clock, { onlyAlertId: alert.id, timeoutMs: options.timeoutMs, maxAttempts: 1 });
  const after = (await getAlert(alert.id))!;
  const d = after.deliveries[0];
  const ok = d?.state === "delivered";
  return { ok, message: ok ? `Test alert delivered to "${channel.name}".` : `Test alert to "${channel.name}" failed: ${d?.lastError || "not delivered"}`, alert: after };
}

// ---------------------------------------------------------------------------------------------
// Dashboard

export type TrafficLight = "green" | "amber" | "red" | "grey";

export type ProfileLight = { profileId: string; profileName: string; kind: string; light: TrafficLight; checks: { type: CheckType; status: CheckDto["status"]; message: string; lastRunAt: string | null }[] };

export type CalendarEntry = ExpiryItem & { profileId: string; profileName: string };

/** Red if any check fails; amber if any warns or could not decide; green when all pass; grey before the first run. */
export function lightOf(statuses: CheckDto["status"][]): TrafficLight {
  if (statuses.includes("failing")) return "red";
  if (statuses.includes("warning") || statuses.includes("unknown")) return "amber";
  return statuses.includes("ok") ? "green" : "grey";
}

export async function getTrafficLights(actor: Actor, clock: Clock = systemClock): Promise<ProfileLight[]> {
  const checks = await listChecks(actor, clock.now());
  const byProfile = new Map<string, ProfileLight>();
  for (const c of checks) {
    if (!c.profileId) continue;
    let p = byProfile.get(c.profileId);
    if (!p) byProfile.set(c.profileId, (p = { profileId: c.profileId, profileName: c.profileName ?? "", kind: c.profileKind ?? "", light: "grey", checks: [] }));
    if (c.enabled) p.checks.push({ type: c.type, status: c.status, message: c.message, lastRunAt: c.lastRunAt });
  }
  const out = [...byProfile.values()];
  for (const p of out) p.light = lightOf(p.checks.map((c) => c.status).filter((s) => s !== "pending"));
  return out.sort((a, b) => a.profileName.localeCompare(b.profileName));
}

/** Everything that expires (or is due for rotation) within `days` (default 90), soonest first; already expired included. */
export async function getExpiryCalendar(actor: Actor, clock: Clock = systemClock, days = 90): Promise<CalendarEntry[]> {
  const now = clock.now();
  const sightings = new Map((await listChecks(actor, now, { type: "expiry" })).map((c) => [c.profileId, (c.config as { keySighting?: KeySighting }).keySighting]));
  const out: CalendarEntry[] = [];
  for await (const batch of iterateProfiles(actor, {}, { withSecrets: false })) {
    for (const { profile } of batch) {
      for (const item of expiryItemsOf(profile, now, sightings.get(profile.id))) {
        if (new Date(item.expiresAt).getTime() <= now.getTime() + days * DAY) out.push({ ...item, profileId: profile.id, profileName: profile.name });
      }
    }
  }
  return out.sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
}

export type BasicAuthInventory = {
  /** Profiles that sign in with a password (kind smtp-basic). */
  total: number;
  /** Of those, the ones that submit to Exchange Online (smtp.office365.com …). */
  exchangeOnline: number;
  profiles: { id: string; name: string; host: string; exchangeOnline: boolean }[];
};

/** Profiles still on Basic SMTP authentication, for the Exchange Online timeline on the dashboard. */
export async function getBasicAuthInventory(actor: Actor): Promise<BasicAuthInventory> {
  const out: BasicAuthInventory = { total: 0, exchangeOnline: 0, profiles: [] };
  for await (const batch of iterateProfiles(actor, { kinds: ["smtp-basic"] }, { withSecrets: false })) {
    for (const { profile } of batch) {
      const host = "smtpHost" in profile.settings ? profile.settings.smtpHost : "";
      const exo = isExchangeOnlineSmtpHost(host);
      out.total++;
      if (exo) out.exchangeOnline++;
      out.profiles.push({ id: profile.id, name: profile.name, host, exchangeOnline: exo });
    }
  }
  out.profiles.sort((a, b) => Number(b.exchangeOnline) - Number(a.exchangeOnline) || a.name.localeCompare(b.name));
  return out;
}

export type DeviceLight = { name: string; light: TrafficLight; detail: string };

/**
 * A light per enabled relay device: red when its messages failed for good in the last 24 hours,
 * amber when it has been silent for over a day, grey before it was ever seen, green otherwise.
 */
export async function getRelayDeviceLights(actor: Actor): Promise<DeviceLight[]> {
  const [devices, health, failures] = await Promise.all([listDevices(actor), getRelayHealth(), countRecentRelayFailuresByDevice()]);
  const silent = new Set(health.silentDevices.map((d) => d.name));
  return devices
    .filter((d) => d.enabled)
    .map((d) => {
      const failed = failures.get(d.name) ?? 0;
      if (failed > 0) return { name: d.name, light: "red" as const, detail: `${failed} message${failed === 1 ? "" : "s"} failed in 24 h` };
      if (silent.has(d.name)) return { name: d.name, light: "amber" as const, detail: d.lastSeenAt ? `silent since ${d.lastSeenAt}` : "never seen" };
      if (!d.lastSeenAt) return { name: d.name, light: "grey" as const, detail: "not seen yet" };
      return { name: d.name, light: "green" as const, detail: `last seen ${d.lastSeenAt}` };
    });
}
