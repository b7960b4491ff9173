import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { rawDatabaseBytes, useTestDb } from "@/tests/helpers/test-db";
import { runCliCaptured } from "@/tests/helpers/cli";
import { profileFor } from "@/tests/helpers/relay";
import { enqueueMessage } from "@/lib/relay/queue";
import { ensureSpoolDir, openSpoolWriter } from "@/lib/relay/spool";
import { initMasterKey } from "@/lib/crypto/keyring";

// The relay's CLI twin with the exact command names of issue 14, against a real (test) database.

const db = useTestDb();
const cli = (...argv: string[]) => runCliCaptured(argv);

async function queueOne(deviceName: string, profileId: string): Promise<string> {
  ensureSpoolDir();
  const id = randomUUID();
  const raw = Buffer.from(`Message-ID: <${id}@test>\r\nFrom: a@contoso.com\r\nSubject: cli test\r\n\r\nhello\r\n`);
  const w = await openSpoolWriter({ id, deviceId: null, deviceName, profileId, mailFrom: "a@contoso.com", rcptTo: ["b@example.net"], clientIp: "127.0.0.1", receivedAt: new Date().toISOString() });
  await w.write(raw);
  const { size, sha256 } = await w.commit();
  await enqueueMessage({ id, deviceId: null, deviceName, profileId, mailFrom: "a@contoso.com", rcptTo: ["b@example.net"], size, sha256, messageId: `<${id}@test>`, subject: "cli test", clientIp: "127.0.0.1", receivedAt: new Date(), lifetimeMs: 3600_000 });
  return id;
}

let profileId = "";

beforeAll(async () => {
  await initMasterKey();
  profileId = (await profileFor("log-only", "relay-log", {})).id;
});

describe("relay CLI", { timeout: 120_000 }, () => {
  it("device add prints the password once (--json), list/show never do", async () => {
    const add = await cli("relay", "device", "add", "erp-job", "--profile", "relay-log", "--allow-from", "@contoso.com", "--allow-from", "erp@example.org", "--allow-ip", "10.1.2.0/24", "--rate", "60", "--quota", "5000", "--json");
    expect(add.code, add.err).toBe(0);
    const d = JSON.parse(add.out) as { name: string; username: string; password: string; allowedSenders: string[]; allowedIps: string[]; rateLimit: number; dailyQuota: number };
    expect(d).toMatchObject({ name: "erp-job", username: "erp-job", allowedSenders: ["@contoso.com", "erp@example.org"], allowedIps: ["10.1.2.0/24"], rateLimit: 60, dailyQuota: 5000 });
    expect(d.password.length).toBeGreaterThanOrEqual(24);
    for (const argv of [["relay", "device", "list"], ["relay", "device", "list", "--json"], ["relay", "device", "show", "erp-job"], ["relay", "device", "show", "erp-job", "--json"], ["relay", "status", "--json"]]) {
      const r = await cli(...argv);
      expect(r.code, `${argv.join(" ")}: ${r.err}`).toBe(0);
      expect(r.out).not.toContain(d.password);
    }
    expect(rawDatabaseBytes(db).includes(Buffer.from(d.password))).toBe(false);
    const show = await cli("relay", "device", "show", "erp-job");
    expect(show.out).toContain("CHGSMTPA FWDHUBSVR(");
    expect(show.out).toContain("QIBM_SMTP_MAILHUB_PORT");
  });

  it("refuses bad input naming the field (exit 2)", async () => {
    const noProfile = await cli("relay", "device", "add", "x1", "--profile", "nope");
    expect(noProfile.code).toBe(2);
    expect(noProfile.err).toMatch(/profile: No profile named "nope"/);
    const badIp = await cli("relay", "device", "add", "x2", "--profile", "relay-log", "--allow-ip", "10.0.0.0/99");
    expect(badIp.code).toBe(2);
    expect(badIp.err).toMatch(/allowIp.*Allowed IPs: each entry must be an IP address or a CIDR/);
    const risky = await cli("relay", "device", "add", "x3", "--profile", "relay-log", "--no-auth");
    expect(risky.code).toBe(2);
    expect(risky.err).toMatch(/Allowed IPs are required/);
    const badState = await cli("relay", "queue", "list", "--state", "lost");
    expect(badState.code).toBe(2);
  });

  it("disable, enable, rotate-password, delete", async () => {
    expect((await cli("relay", "device", "disable", "erp-job")).out).toBe("erp-job: disabled");
    expect((await cli("relay", "device", "enable", "erp-job")).out).toBe("erp-job: enabled");
    const rot = await cli("relay", "device", "rotate-password", "erp-job", "--json");
    expect((JSON.parse(rot.out) as { password: string }).password).toHaveLength(28);
    expect((await cli("relay", "device", "delete", "erp-job")).code).toBe(0);
    expect((await cli("relay", "device", "show", "erp-job")).code).toBe(1);
  });

  it("queue list, show, retry, export, delete", async () => {
    const id = await queueOne("erp-job", profileId);
    const list = await cli("relay", "queue", "list", "--state", "queued", "--json");
    expect((JSON.parse(list.out) as { items: { id: string }[] }).items.map((i) => i.id)).toContain(id);
    expect((await cli("relay", "queue", "list", "--device", "erp-job")).out).toContain(id);
    const show = await cli("relay", "queue", "show", id);
    expect(show.out).toContain("Subject: cli test");
    const out = path.join(db.dir, "m.eml");
    expect((await cli("relay", "queue", "export", id, "--out", out)).code).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toContain("hello");
    const retryQueued = await cli("relay", "queue", "retry", id);
    expect(retryQueued.code).toBe(0);
    expect((await cli("relay", "queue", "retry", "--failed", "--json")).out).toContain('"requeued": 0');
    expect((await cli("relay", "queue", "delete", id)).code).toBe(0);
    expect((await cli("relay", "queue", "show", id)).code).toBe(1);
  });
});
