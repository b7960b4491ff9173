import type { RelayHealth } from "../relay/queue";
import type { CheckStatus } from "./types";

/**
 * The relay's health as a check verdict. Pure. Failing: a relayed message failed for good in the
 * last 24 hours, or a deferred one has waited over an hour (Exchange/Graph keeps refusing it).
 * Warning: devices silent for over a day or for longer than their usual interval (a device that
 * stopped sending is how a broken job looks from here), or a backlog of over 100 messages.
 */
export const RELAY_DEFERRED_FAIL_SECONDS = 3600;
export const RELAY_BACKLOG_WARN = 100;

export function relayVerdict(h: RelayHealth): { status: CheckStatus; message: string; hint: string } {
  const facts = `queue ${h.depth} (deferred ${h.deferred}), delivered ${h.deliveredLast24h} and failed ${h.failedLast24h} in 24 h`;
  if (h.failedLast24h > 0) {
    return { status: "failing", message: `${h.failedLast24h} relayed message${h.failedLast24h === 1 ? "" : "s"} failed for good in the last 24 h; ${facts}.`, hint: "See the final reply of each (npm run cli -- relay queue list --state failed; relay queue show ID): a refused sender, a revoked permission, a dead token; fix the device's profile, then relay queue retry." };
  }
  if (h.oldestDeferredAgeSeconds !== null && h.oldestDeferredAgeSeconds > RELAY_DEFERRED_FAIL_SECONDS) {
    return { status: "failing", message: `The oldest deferred message has waited ${Math.round(h.oldestDeferredAgeSeconds / 60)} min; ${facts}.`, hint: "The relay keeps retrying: see the last attempt's reply (npm run cli -- relay queue list --state deferred): throttling 429, a 4xx from Exchange, the token endpoint unreachable." };
  }
  if (h.silentDevices.length > 0) {
    const names = h.silentDevices.map((d) => d.name);
    return { status: "warning", message: `Silent for longer than usual (or a day): ${names.slice(0, 10).join(", ")}${names.length > 10 ? ` and ${names.length - 10} more` : ""}; ${facts}.`, hint: "A device that stopped sending may have a broken job or lost its network; disable retired devices (npm run cli -- relay device disable NAME)." };
  }
  if (h.depth > RELAY_BACKLOG_WARN) return { status: "warning", message: `${h.depth} messages waiting; ${facts}.`, hint: "Deliveries are slower than arrivals: check throttling replies (npm run cli -- relay queue list)." };
  return { status: "ok", message: `Relay healthy: ${facts}.`, hint: "" };
}
