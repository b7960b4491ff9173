import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { runCliCaptured } from "@/tests/helpers/cli";
import { startFakeEntra, type FakeEntra } from "@/tests/fakes/fake-entra";
import { APP_CERT_PEM, CLIENT, SECRET, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import { localOperator, type Actor } from "@/lib/auth/actor";
import { createAdmin } from "@/lib/auth/admins";
import { listExportFormats } from "@/lib/export/formats";
import { createProfile, type ProfileDto } from "@/lib/profiles/dal";
import type { ProfileKind } from "@/lib/profiles/schema";
import { getAccessToken } from "@/lib/tokens";
import { idle } from "@/lib/action-result";
import type { AllFormatsData, SecretExportData } from "@/lib/export/results";
import { unzipSync } from "fflate";
import { listActivity } from "@/lib/activity/dal";

/**
 * The CLI and the console are twins: for the same profile and options they write the same bytes.
 * The console side runs its real entry points — the download route (without secrets) and the
 * "Include secrets" server action — with only the session lookup replaced by the signed-in admin.
 */

const signedIn = vi.hoisted(() => ({ admin: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({
  requireAdmin: async () => signedIn.admin,
  getCurrentAdmin: async () => signedIn.admin,
}));

const { GET } = await import("@/app/(console)/profiles/[profileId]/export/[format]/route");
const { exportWithSecretsAction, exportAllFormatsAction } = await import("@/app/(console)/profiles/[profileId]/export/actions");

const db = useTestDb();
const PASSWORD = "Correct-Horse-Battery-9";
const operator = localOperator();
let idp: FakeEntra;
let outDir: string;
const profiles: ProfileDto[] = [];
const cachedTokens = new Map<string, string>();

async function profileOf(kind: ProfileKind, settings: Record<string, unknown> = {}): Promise<ProfileDto> {
  const base = fixtureProfile(kind, `twin ${kind}`);
  return createProfile(operator, { ...base, settings: { ...base.settings, ...settings } as never });
}

beforeAll(async () => {
  // Exports carry their render time: one frozen clock for both twins (Date only; timers stay real).
  vi.useFakeTimers({ toFake: ["Date"], now: new Date() });
  idp = await startFakeEntra({
    tenants: [TENANT],
    clients: [{ clientId: CLIENT, secret: [SECRET.delegatedClientSecret, SECRET.graphClientSecret], certificates: [APP_CERT_PEM] }],
    users: [{ username: "sender@contoso.com", password: SECRET.delegatedPassword }],
  });
  const tokenUrl = `${idp.url}/{TENANT_ID}/oauth2/v2.0/token`;
  const a = await createAdmin(operator, "alice", PASSWORD);
  signedIn.admin = { id: a.id, username: a.username, via: "web" };
  for (const kind of ["m365-delegated", "m365-app-graph", "m365-app-smtp", "google-service-account", "log-only"] as const) {
    profiles.push(await profileOf(kind, kind.startsWith("m365") ? { tokenUrl } : {}));
  }
  // iMail's token cache keys are written only when a valid token is cached: cache one for each iMail kind.
  for (const p of profiles.filter((x) => x.kind === "m365-delegated" || x.kind === "m365-app-graph")) {
    cachedTokens.set(p.id, (await getAccessToken(signedIn.admin, p.id)).accessToken);
  }
  outDir = path.join(db.dir, "cli-out");
  fs.mkdirSync(outDir);
});

afterAll(async () => {
  vi.useRealTimers();
  await idp?.close();
});

const cases = () => profiles.flatMap((p) => listExportFormats(p.kind).map((f) => [p, f.id] as const));

async function cliExport(p: ProfileDto, format: string, withSecrets: boolean): Promise<{ bytes: Buffer; err: string }> {
  const file = path.join(outDir, `${p.id}.${format}${withSecrets ? ".secrets" : ""}`);
  const r = await runCliCaptured(["export", p.name, "--format", format, "--out", file, ...(withSecrets ? ["--include-secrets"] : [])]);
  expect(r.code, r.err).toBe(0);
  return { bytes: fs.readFileSync(file), err: r.err };
}

async function consoleDownload(p: ProfileDto, format: string): Promise<Buffer> {
  const res = await GET(new Request(`http://localhost/profiles/${p.id}/export/${format}`), { params: Promise.resolve({ profileId: p.id, format }) });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function consoleWithSecrets(p: ProfileDto, format: string): Promise<SecretExportData> {
  const form = new FormData();
  form.set("format", format);
  form.set("password", PASSWORD);
  form.set("intent", "download");
  const r = await exportWithSecretsAction(p.id, idle, form);
  if (r.status !== "success" || !r.data) throw new Error(`export action failed: ${JSON.stringify(r)}`);
  return r.data;
}

describe("console and CLI exports are byte-identical", () => {
  it("covers every format of every kind under test", () => {
    expect(cases().length).toBeGreaterThanOrEqual(20);
  });

  it("without secrets: the download route and `export --out`", async () => {
    for (const [p, format] of cases()) {
      const web = await consoleDownload(p, format);
      const { bytes } = await cliExport(p, format, false);
      expect(bytes.equals(web), `${p.kind} ${format}`).toBe(true);
      expect(web.toString("utf8")).not.toContain(SECRET.graphClientSecret);
    }
  });

  it("with secrets: the password-checked action and `export --include-secrets --out`, cached tokens included", async () => {
    let withToken = 0;
    for (const [p, format] of cases()) {
      const web = await consoleWithSecrets(p, format);
      const { bytes, err } = await cliExport(p, format, true);
      expect(bytes.equals(Buffer.from(web.content, "utf8")), `${p.kind} ${format}`).toBe(true);
      const token = cachedTokens.get(p.id);
      if (token && ["imail-config", "system-properties", "java-properties-list"].includes(format)) {
        // The iMail cache keys (DELEGATED_TOKEN / TOKEN, imail.oauth.token) hold the cached token on both sides.
        expect(web.token).toMatchObject({ included: true });
        expect(web.content).toContain(token);
        expect(err).toMatch(/cached access token .* is included/);
        withToken++;
      } else {
        expect(web.content).not.toMatch(/^(DELEGATED_)?TOKEN\s*=|imail\.oauth\.token/m);
      }
    }
    expect(withToken).toBe(6);
  });

  it("without a cached token neither side writes the cache keys, and both say why", async () => {
    const p = await profileOf("m365-delegated", { name: "twin no token", tokenUrl: `${idp.url}/{TENANT_ID}/oauth2/v2.0/token` });
    const web = await consoleWithSecrets(p, "imail-config");
    const { bytes, err } = await cliExport(p, "imail-config", true);
    expect(bytes.equals(Buffer.from(web.content, "utf8"))).toBe(true);
    expect(web.token).toMatchObject({ included: false });
    expect(web.content).not.toMatch(/^DELEGATED_TOKEN/m);
    expect(err).toContain(`no cached token included: ${web.token!.note}`);
  });
});

async function consoleAllFormats(p: ProfileDto, withSecrets: boolean, password = PASSWORD) {
  const form = new FormData();
  if (withSecrets) {
    form.set("includeSecrets", "on");
    form.set("password", password);
  }
  return exportAllFormatsAction(p.id, idle as never, form);
}

function entriesOf(data: AllFormatsData): Record<string, Uint8Array> {
  return unzipSync(Buffer.from(data.zipBase64, "base64"));
}

describe("Download all formats (one profile, one ZIP)", () => {
  it("without secrets: each entry is the bytes of that format's download, and the CLI's ZIP has the same entries", async () => {
    for (const p of profiles) {
      const r = await consoleAllFormats(p, false);
      if (r.status !== "success" || !r.data) throw new Error(JSON.stringify(r));
      const files = entriesOf(r.data);
      const formats = listExportFormats(p.kind);
      expect(Object.keys(files).length, p.kind).toBe(formats.length);
      for (const e of r.data.entries) {
        const single = await consoleDownload(p, e.format);
        expect(Buffer.from(files[e.path]).equals(single), `${p.kind} ${e.format}`).toBe(true);
        expect(single.toString("utf8")).not.toContain(SECRET.graphClientSecret);
      }
      const file = path.join(outDir, `${p.id}.all.zip`);
      const cli = await runCliCaptured(["export", p.name, "--all-formats", "--out", file]);
      expect(cli.code, cli.err).toBe(0);
      const cliFiles = unzipSync(fs.readFileSync(file));
      expect(Object.keys(cliFiles).sort()).toEqual(Object.keys(files).sort());
      for (const k of Object.keys(files)) expect(Buffer.from(cliFiles[k]).equals(Buffer.from(files[k])), k).toBe(true);
      expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    }
  });

  it("with secrets: only after the password, each entry equals “Download with secrets” (cached token included), logged once", async () => {
    const p = profiles.find((x) => x.kind === "m365-delegated")!;
    const refused = await consoleAllFormats(p, true, "not-my-password");
    expect(refused).toMatchObject({ status: "error", code: "unauthorized", fieldErrors: { password: [expect.any(String)] } });
    const missing = await exportAllFormatsAction(p.id, idle as never, (() => { const f = new FormData(); f.set("includeSecrets", "on"); return f; })());
    expect(missing).toMatchObject({ status: "error", fieldErrors: { password: ["Enter your password to include secrets."] } });

    const r = await consoleAllFormats(p, true);
    if (r.status !== "success" || !r.data) throw new Error(JSON.stringify(r));
    expect(r.data.includedSecrets).toBe(true);
    expect(r.data.token).toMatchObject({ included: true });
    const files = entriesOf(r.data);
    for (const e of r.data.entries) {
      const single = await consoleWithSecrets(p, e.format);
      expect(Buffer.from(files[e.path]).toString("utf8"), e.format).toBe(single.content);
    }
    expect(Buffer.from(files["iMailOAuth.config"]).toString("utf8")).toContain(cachedTokens.get(p.id)!);
    const log = await listActivity(operator, { profileId: p.id, action: "export" });
    expect(log.items.some((i) => /in all \d+ formats as one ZIP .* WITH secrets/.test(i.summary))).toBe(true);
    expect(log.items.some((i) => i.outcome === "failure" && /all \d+ formats \(ZIP\) with secrets: password not confirmed/.test(i.summary))).toBe(true);

    const file = path.join(outDir, `${p.id}.secrets.zip`);
    const cli = await runCliCaptured(["export", p.name, "--all-formats", "--include-secrets", "--out", file]);
    expect(cli.code, cli.err).toBe(0);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const cliFiles = unzipSync(fs.readFileSync(file));
    for (const k of Object.keys(files)) expect(Buffer.from(cliFiles[k]).equals(Buffer.from(files[k])), k).toBe(true);
  });

  it("the CLI names what is missing", async () => {
    const r = await runCliCaptured(["export", profiles[0].name, "--all-formats"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out FILE\.zip/);
  });
});
