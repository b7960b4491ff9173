import { describe, expect, it } from "vitest";
import type { RelayHealth } from "../relay/queue";
import { relayVerdict } from "./relay-check";

const healthy: RelayHealth = { queued: 0, sending: 0, deferred: 0, failed: 0, depth: 0, oldestDeferredAgeSeconds: null, failedLast24h: 0, deliveredLast24h: 12, silentDevices: [] };

describe("relay health verdict", () => {
  it("ok with the numbers when nothing is wrong", () => {
    expect(relayVerdict(healthy)).toMatchObject({ status: "ok", message: expect.stringContaining("delivered 12") });
  });
  it("fails on final failures and on a deferred message older than an hour", () => {
    expect(relayVerdict({ ...healthy, failed: 2, failedLast24h: 2 }).status).toBe("failing");
    expect(relayVerdict({ ...healthy, deferred: 1, depth: 1, oldestDeferredAgeSeconds: 3599 }).status).toBe("ok");
    expect(relayVerdict({ ...healthy, deferred: 1, depth: 1, oldestDeferredAgeSeconds: 3601 })).toMatchObject({ status: "failing", message: expect.stringContaining("60 min") });
  });
  it("warns on silent devices and on a backlog", () => {
    expect(relayVerdict({ ...healthy, silentDevices: [{ name: "printer-3", lastSeenAt: null }] })).toMatchObject({ status: "warning", message: expect.stringContaining("printer-3") });
    expect(relayVerdict({ ...healthy, queued: 101, depth: 101 }).status).toBe("warning");
  });
});
