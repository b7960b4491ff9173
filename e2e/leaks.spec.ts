import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { open } from "../lib/crypto/secret-box";
import { FIXTURE_SECRETS } from "../tests/fixtures/profiles";
import { strFromU8, unzipSync } from "fflate";
import { collectResponses, DATA_DIR, ensureSignedIn, openDb, rawDbBytes, serverLog, storedSecrets } from "./helpers";

/**
 * Runs last (the "leaks" project depends on all others): after every other spec has created profiles, acquired tokens, sent and
 * exported, decrypt every secret the console actually holds — profile secrets, access and
 * refresh tokens — and prove none of them appears in the raw database file (and WAL), the
 * activity log and transcripts, the server's stdout/stderr, any page's HTML or RSC payload, or
 * an export made without "include secrets" (single downloads and "Download all formats" ZIPs),
 * and the result of "Compare with the file on the target" fed the stored secrets themselves.
 */
test.describe.configure({ mode: "serial" });

function storedSecretValues(): string[] {
  const key = Buffer.from(fs.readFileSync(path.join(DATA_DIR, "master.key"), "utf8").trim(), "base64");
  const db = openDb();
  const values = new Set<string>(FIXTURE_SECRETS);
  const addValue = (v: string) => {
    values.add(v);
    // Multi-line secrets (PEM keys): a distinctive line of each, too.
    for (const line of v.split(/\\n|\n/)) if (line.length >= 40 && !line.startsWith("-----")) values.add(line.trim());
  };
  const addAll = (obj: Record<string, unknown>) => {
    for (const v of Object.values(obj)) {
      if (typeof v !== "string" || v.length < 8) continue;
      let inner: unknown;
      try {
        inner = JSON.parse(v);
      } catch {
        inner = undefined;
      }
      // A service-account key file: only its private key is secret (client_email, ids and URLs
      // are shown and exported on purpose, as in IBM's sample).
      if (inner && typeof inner === "object" && typeof (inner as { private_key?: unknown }).private_key === "string") addValue((inner as { private_key: string }).private_key);
      else addValue(v);
    }
  };
  try {
    for (const row of db.prepare("SELECT id, secrets FROM Profile WHERE secrets IS NOT NULL").all() as { id: string; secrets: string }[]) addAll(JSON.parse(open(row.secrets, key, row.id)));
    for (const row of db.prepare("SELECT id, secrets FROM TokenCacheEntry").all() as { id: string; secrets: string }[]) addAll(JSON.parse(open(row.secrets, key, row.id)));
    // Alert channels: webhook URLs (Teams/Slack URLs hold a token) and signing secrets.
    for (const row of db.prepare("SELECT id, secrets FROM AlertChannel WHERE secrets IS NOT NULL").all() as { id: string; secrets: string }[]) addAll(JSON.parse(open(row.secrets, key, row.id)));
    // The relay's TLS private key (sealed with AAD "relay.tls").
    const tls = db.prepare("SELECT value FROM Setting WHERE key = 'relay.tls'").get() as { value: string } | undefined;
    if (tls) addValue((JSON.parse(open(tls.value, key, "relay.tls")) as { keyPem: string }).keyPem);
  } finally {
    db.close();
  }
  // Relay device passwords are never stored: e2e/relay.spec.ts notes the ones it was shown.
  const shown = path.join(DATA_DIR, "test-device-passwords.txt");
  if (fs.existsSync(shown)) for (const p of fs.readFileSync(shown, "utf8").split("\n").filter(Boolean)) values.add(p);
  return [...values];
}

function activityText(): string {
  const db = openDb();
  try {
    return JSON.stringify(db.prepare("SELECT * FROM Activity").all());
  } finally {
    db.close();
  }
}

test("no stored secret or token appears anywhere it must not", async ({ page, context }) => {
  // A sweep over every page of every profile, device and message the run made: it grows with the
  // run, so it gets more time than one flow; each step still waits on a condition.
  test.setTimeout(600_000);
  await ensureSignedIn(page);
  const secrets = storedSecretValues();
  expect(secrets.length).toBeGreaterThanOrEqual(FIXTURE_SECRETS.length);
  const tokens = secrets.filter((s) => s.startsWith("eyJ"));
  console.log(`[leaks] checking ${secrets.length} stored secret values (${tokens.length} tokens)`);

  // Every page, signed in, with its HTML and RSC payloads.
  const seen = collectResponses(context);
  const db = openDb();
  const profiles = db.prepare("SELECT id, kind FROM Profile").all() as { id: string; kind: string }[];
  const activityIds = (db.prepare("SELECT id FROM Activity WHERE detail IS NOT NULL ORDER BY at DESC LIMIT 20").all() as { id: string }[]).map((r) => r.id);
  const relayDevices = (db.prepare("SELECT name FROM RelayDevice").all() as { name: string }[]).map((r) => r.name);
  const relayMessages = (db.prepare("SELECT id FROM RelayMessage ORDER BY receivedAt DESC LIMIT 20").all() as { id: string }[]).map((r) => r.id);
  db.close();
  const urls = ["/", "/profiles", "/profiles/new", "/tokens", "/logs", "/logs?outcome=failure", "/settings", "/import"];
  for (const p of profiles) urls.push(`/profiles/${p.id}`, `/profiles/${p.id}/edit`, `/profiles/${p.id}/export`);
  for (const id of activityIds) urls.push(`/logs/${id}`);
  urls.push("/relay");
  for (const name of relayDevices) urls.push(`/relay/devices/${encodeURIComponent(name)}`);
  for (const id of relayMessages) urls.push(`/relay/messages/${id}`);
  for (const url of urls) {
    const res = await page.goto(url);
    expect(res?.status(), url).toBeLessThan(500);
  }
  // Pages that poll (countdowns, relay status, idle warning) never go network-idle: wait until
  // every response seen so far has been read instead.
  await seen.settled();

  // Every export the console offers, without secrets, through the download route.
  const exports: string[] = [];
  const formats = ["imail-config", "imcfg1", "system-properties", "java-properties-list", "ibmi-json", "ibmi-cl", "ibmi-clle", "exchange-powershell", "profile-json"];
  for (const p of profiles) {
    for (const f of formats) {
      const res = await page.request.get(`/profiles/${p.id}/export/${f}`);
      if (res.status() === 200) exports.push(await res.text());
    }
  }
  expect(exports.length).toBeGreaterThan(0);

  // "Download all formats" without secrets, for every profile: the ZIP's entries.
  const zips: string[] = [];
  for (const p of profiles) {
    await page.goto(`/profiles/${p.id}/export`);
    const button = page.getByRole("button", { name: "Download all formats (ZIP)" });
    const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
    const files = unzipSync(new Uint8Array(fs.readFileSync((await download.path())!)));
    zips.push(...Object.values(files).map((f) => strFromU8(f)));
  }
  expect(zips.length).toBeGreaterThan(0);

  // "Compare with the file on the target", fed the stored secrets themselves: the result (and
  // the log) must say same/differs without echoing them. The action's answers are in `seen`.
  const db2 = openDb();
  const named = db2.prepare("SELECT id, name, kind FROM Profile WHERE kind IN ('m365-delegated', 'm365-app-graph', 'm365-app-smtp')").all() as { id: string; name: string; kind: string }[];
  db2.close();
  let compared = 0;
  for (const p of named.slice(0, 6)) {
    const format = p.kind === "m365-app-smtp" ? "ibmi-json" : "imail-config";
    const res = await page.request.get(`/profiles/${p.id}/export/${format}`);
    if (res.status() !== 200) continue;
    const stored = storedSecrets(p.name);
    const text = (await res.text()).replace("<CLIENT_SECRET>", stored.clientSecret ?? "<CLIENT_SECRET>").replace("<DELEGATED_PASSWORD>", stored.password ?? "<DELEGATED_PASSWORD>");
    await page.goto(`/profiles/${p.id}/export?format=${format}`);
    await page.getByLabel(/ on the target today$/).fill(text);
    await page.getByRole("button", { name: "Compare", exact: true }).click();
    await expect(page.getByTestId("compare-summary")).toBeVisible();
    compared++;
  }
  expect(compared).toBeGreaterThan(0);
  await seen.settled();

  const places: [string, string][] = [
    ["raw database file and WAL", rawDbBytes()],
    ["activity log and transcripts", activityText()],
    ["server stdout/stderr", serverLog()],
    ["page HTML and RSC payloads", seen.bodies.join("\n")],
    ["exports without secrets", exports.join("\n")],
    ["ZIPs of all formats without secrets", zips.join("\n")],
  ];
  const leaks: string[] = [];
  for (const [where, text] of places) {
    for (const secret of secrets) if (text.includes(secret)) leaks.push(`${where}: ${secret.slice(0, 12)}…`);
  }
  console.log(`[leaks] ${places.length} places, ${seen.bodies.length} responses, ${exports.length} exports, ${zips.length} ZIP entries, ${compared} comparisons checked; leaks found: ${leaks.length}`);
  expect(leaks).toEqual([]);
});
