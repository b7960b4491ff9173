import { describe, expect, it } from "vitest";
import { HOUR } from "./clock";
import { daysUntil, decideAlert, expiryWarningDue, type AlertingState } from "./decide";

const t0 = new Date("2026-11-30T00:00:00Z");
const at = (h: number) => new Date(t0.getTime() + h * HOUR);
const ok: AlertingState = { alertState: "ok", failingSince: null, lastAlertAt: null };

describe("decideAlert", () => {
  it("alerts once on turning failing, reminds every N hours, once on recovery", () => {
    let s = ok;
    const step = (status: Parameters<typeof decideAlert>[1], h: number) => {
      const d = decideAlert(s, status, at(h), 24);
      s = d.next;
      return d.event;
    };
    expect(step("ok", 0)).toBeNull();
    expect(step("failing", 1)).toBe("failing");
    expect(step("failing", 7)).toBeNull();
    expect(step("unknown", 13)).toBeNull();
    expect(step("failing", 24.9)).toBeNull();
    expect(step("failing", 25)).toBe("reminder");
    expect(step("failing", 31)).toBeNull();
    expect(step("failing", 49)).toBe("reminder");
    expect(s.failingSince).toEqual(at(1));
    expect(step("warning", 50)).toBe("recovered");
    expect(step("ok", 51)).toBeNull();
  });

  it("an unknown (transient) result neither alerts nor recovers", () => {
    expect(decideAlert(ok, "unknown", t0, 24)).toEqual({ event: null, next: ok });
    const failing: AlertingState = { alertState: "failing", failingSince: t0, lastAlertAt: t0 };
    expect(decideAlert(failing, "unknown", at(100), 24)).toEqual({ event: null, next: failing });
  });
});

describe("expiry thresholds", () => {
  it("warns at 30, 14, 7 and 1 days, once each, and only the nearest when several were crossed", () => {
    expect(expiryWarningDue(31, undefined)).toBeNull();
    expect(expiryWarningDue(30, undefined)).toBe(30);
    expect(expiryWarningDue(20, 30)).toBeNull();
    expect(expiryWarningDue(14, 30)).toBe(14);
    expect(expiryWarningDue(10, undefined)).toBe(14);
    expect(expiryWarningDue(7, 14)).toBe(7);
    expect(expiryWarningDue(2, 7)).toBeNull();
    expect(expiryWarningDue(1, 7)).toBe(1);
    expect(expiryWarningDue(1, 1)).toBeNull();
    expect(expiryWarningDue(0, 1)).toBeNull();
  });

  it("counts whole days, rounding up", () => {
    expect(daysUntil(new Date(t0.getTime() + 36 * HOUR), t0)).toBe(2);
    expect(daysUntil(new Date(t0.getTime() - HOUR), t0)).toBe(0);
  });
});
