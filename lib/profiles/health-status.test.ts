import { describe, expect, it } from "vitest";
import { HEALTH_CHECKS, healthBadge, healthOf, testHistoryLabel, type ProfileHealthStatus } from "./health-status";

describe("profile health", () => {
  it("reads the typed union from a row, with the check that set it", () => {
    const at = new Date("2026-11-30T10:00:00Z");
    expect(healthOf({ status: "failing", statusDetail: "Token: AADSTS7000215", statusCheck: "token", statusAt: at })).toEqual({ state: "failing", check: "token", detail: "Token: AADSTS7000215", at: at.toISOString() });
    expect(healthOf({ status: "untested", statusDetail: "", statusCheck: "", statusAt: null })).toEqual({ state: "untested" });
    expect(healthOf({ status: "incomplete", statusDetail: "mailbox missing", statusCheck: "", statusAt: null })).toEqual({ state: "incomplete", detail: "mailbox missing" });
  });

  it("never shows 'Failing' next to an unexplained empty test history: the badge names the check that failed", () => {
    for (const state of ["failing", "needs-reauth", "ok"] as const) {
      for (const check of HEALTH_CHECKS) {
        const h: ProfileHealthStatus = { state, check, detail: "x", at: null };
        const badge = healthBadge(h).label;
        const strip = testHistoryLabel(0, 0);
        expect(strip).not.toBe("No tests yet");
        // A state no send/IMAP test set says which check set it.
        if (check !== "send" && check !== "imap") expect(badge).toMatch(/ · (token request|authorization|token cache|canary|expiry check)$/);
      }
    }
    expect(healthBadge({ state: "failing", check: "token", detail: "Token: bad secret", at: "2026-11-30T10:00:00.000Z" })).toEqual({ label: "Failing · token request", title: "Token: bad secret — set by the token request at 2026-11-30 10:00:00 UTC" });
    expect(healthBadge({ state: "failing", check: "send", detail: "Send: 535", at: null }).label).toBe("Failing");
    expect(testHistoryLabel(3, 4)).toBe("3 of 4 ok");
  });
});
