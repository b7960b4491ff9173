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
import type { SecretExportData } from "@/lib/export/results";

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
const { exportWithSecretsAction } = await import("@/app/(console)/profiles/[profileId]/export/actions");

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
