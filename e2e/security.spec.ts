import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { BASE_URL, DATA_DIR, ensureSignedIn, openDb } from "./helpers";

/**
 * The authorization matrix. Pages, route handlers and server actions are read from the build's
 * own manifests, so a new one cannot be forgotten: each is called without a session, with an
 * expired session and with a forged cookie, and must be refused without changing anything.
 */
test.describe.configure({ mode: "serial" });

const BASE = BASE_URL;
// Public by design: how an admin signs in or creates the first admin (refuses once one exists).
const PUBLIC_PAGES = new Set(["/login", "/setup"]);
const PUBLIC_ACTIONS = new Set(["signInAction", "setupAdminAction"]);

type Manifest = Record<string, string>;
type ActionManifest = { node: Record<string, { workers: Record<string, unknown>; filename: string; exportedName: string }> };

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.resolve(".next/server", file), "utf8")) as T;
}

/** "/(console)/profiles/[profileId]/page" → "/profiles/<id>" */
function toUrl(entry: string, params: Record<string, string>): string {
  const route = entry
    .replace(/^app(?=\/)/, "")
    .replace(/\/(page|route)$/, "")
    .split("/")
    .filter((seg) => !/^\(.*\)$/.test(seg))
    .map((seg) => {
      const m = seg.match(/^\[(.+)\]$/);
      if (!m) return seg;
      if (!(m[1] in params)) throw new Error(`no test value for route parameter ${seg} in ${entry}: add one to the matrix`);
      return params[m[1]];
    })
    .join("/");
  return route === "" ? "/" : route;
}

/** A fingerprint of everything an action could change (activity excluded: refusals may be logged). */
function dbState(): string {
  const db = openDb();
  try {
    return ["Profile", "Admin", "Setting", "TokenCacheEntry", "OAuthState"]
      .map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).all()))
      .join("|");
  } finally {
    db.close();
  }
}

// Route parameters without a record of their own: a session check must refuse before any lookup.
const params: Record<string, string> = { format: "imail-config", name: "matrix-device", messageId: "00000000-0000-4000-8000-000000000000" };
let validCookie = "";
let expiredCookie = "";

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await ensureSignedIn(page);
  await page.goto("/profiles/new?kind=log-only");
  await page.getByLabel("Profile name").fill(`matrix ${Date.now()}`);
  await page.getByLabel("From address").fill("matrix@example.com");
  await page.getByRole("button", { name: "Create profile" }).click();
  await page.waitForURL(/\/profiles\/[0-9a-f-]{36}/);
  params.profileId = new URL(page.url()).pathname.split("/")[2];
  const db = openDb();
  params.activityId = (db.prepare("SELECT id FROM Activity ORDER BY at DESC LIMIT 1").get() as { id: string }).id;
  db.close();
  validCookie = (await page.context().cookies()).find((c) => c.name === "omc_session")!.value;
  // A second session, then expired in the database.
  const other = await browser.newContext();
  const p2 = await other.newPage();
  await ensureSignedIn(p2);
  expiredCookie = (await other.cookies()).find((c) => c.name === "omc_session")!.value;
  await other.close();
  const rw = new Database(path.join(DATA_DIR, "console.db"));
  rw.prepare("UPDATE Session SET expiresAt = ? WHERE id = (SELECT id FROM Session ORDER BY createdAt DESC LIMIT 1)").run(Date.now() - 60_000);
  rw.close();
  await page.close();
});

const CALLERS: { label: string; cookie?: () => string }[] = [
  { label: "no session" },
  { label: "expired session", cookie: () => `omc_session=${expiredCookie}` },
  { label: "forged cookie", cookie: () => "omc_session=Zm9yZ2VkLXNlc3Npb24tdmFsdWUtMTIzNDU2Nzg5" },
];

async function newRequest(playwright: { request: { newContext: (o: object) => Promise<APIRequestContext> } }, cookie?: string): Promise<APIRequestContext> {
  return playwright.request.newContext({ baseURL: BASE, extraHTTPHeaders: cookie ? { Cookie: cookie } : {}, maxRedirects: 0 });
}

function refused(status: number, location: string | undefined, body: string): boolean {
  if (status === 401 || status === 403) return true;
  if (status >= 300 && status < 400 && (location ?? "").includes("/login")) return true;
  // requireAdmin() inside a rendering page answers with a redirect marker in the RSC/HTML payload.
  return /NEXT_REDIRECT|\/login/.test(body) && !/Sign out/.test(body);
}

test("every page and route handler refuses anonymous, expired and forged sessions", async ({ playwright }) => {
  const entries = Object.keys(readJson<Manifest>("app-paths-manifest.json"));
  const pages = entries.filter((e) => e.endsWith("/page")).map((e) => toUrl(e, params)).filter((u) => !PUBLIC_PAGES.has(u) && !u.startsWith("/_")); // /_not-found, /_global-error: Next internals
  const routes = entries.filter((e) => e.endsWith("/route")).map((e) => toUrl(e, params)).filter((u) => !u.endsWith(".svg") && !u.endsWith("favicon.ico"));
  expect(pages.length).toBeGreaterThanOrEqual(8);
  for (const caller of CALLERS) {
    const request = await newRequest(playwright, caller.cookie?.());
    for (const url of pages) {
      const res = await request.get(url);
      const body = await res.text();
      expect(refused(res.status(), res.headers()["location"], body), `${caller.label} GET ${url} → ${res.status()}`).toBe(true);
      expect(body).not.toContain("matrix@example.com");
    }
    for (const url of routes) {
      for (const method of ["GET", "POST"] as const) {
        const res = await request.fetch(url, { method, headers: { "Content-Type": "application/json", Origin: BASE }, data: method === "POST" ? "{}" : undefined });
        const body = await res.text();
        // 405 = the handler has no such method: nothing ran.
        expect(res.status() === 405 || refused(res.status(), res.headers()["location"], body), `${caller.label} ${method} ${url} → ${res.status()}`).toBe(true);
      }
    }
    await request.dispose();
  }
});

/** Actions that answer an unauthenticated caller with an empty result instead of a redirect. */
const QUIET_ACTIONS: Record<string, { input: unknown; signedInSees: string }> = {
  checkProfileDraftAction: {
    input: { kind: "m365-delegated", values: { smtpPort: "465", smtpSecurity: "starttls" }, secretsSet: [], clientSecretLooksLikeSecretId: false },
    signedInSees: "port-security-mismatch",
  },
};

test("every server action refuses anonymous, expired and forged sessions and changes nothing", async ({ playwright }) => {
  const actions = Object.entries(readJson<ActionManifest>("server-reference-manifest.json").node);
  expect(actions.length).toBeGreaterThanOrEqual(8);
  const before = dbState();
  for (const [id, info] of actions) {
    if (PUBLIC_ACTIONS.has(info.exportedName)) continue;
    const host = toUrl(Object.keys(info.workers)[0], params);
    const quiet = QUIET_ACTIONS[info.exportedName];
    if (quiet) {
      // Called while typing: refused without a redirect (that would take the admin off the
      // form), as an empty answer to an input that gives hints to a signed-in admin.
      for (const caller of CALLERS) {
        const request = await newRequest(playwright, caller.cookie?.());
        const res = await request.post(host, { headers: { "Next-Action": id, Origin: BASE, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" }, data: JSON.stringify([quiet.input]) });
        const body = await res.text();
        expect(body, `${caller.label} → ${info.exportedName} must answer nothing`).toMatch(/^1:\[\]$/m);
        expect(body).not.toContain(quiet.signedInSees);
        await request.dispose();
      }
      const signedIn = await newRequest(playwright, `omc_session=${validCookie}`);
      const res = await signedIn.post(host, { headers: { "Next-Action": id, Origin: BASE, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" }, data: JSON.stringify([quiet.input]) });
      expect(await res.text(), `a signed-in admin gets hints from ${info.exportedName}`).toContain(quiet.signedInSees);
      await signedIn.dispose();
      continue;
    }
    for (const caller of CALLERS) {
      const request = await newRequest(playwright, caller.cookie?.());
      // Bound arguments come first in the real encoding; a refused caller never gets to parse them.
      const res = await request.post(host, {
        headers: { "Next-Action": id, Origin: BASE, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
        data: JSON.stringify([params.profileId, "$undefined"]),
      });
      const body = await res.text();
      const redirect = res.headers()["x-action-redirect"] ?? res.headers()["location"] ?? "";
      expect(redirect.includes("/login") || res.status() === 401 || res.status() === 403, `${caller.label} → ${info.exportedName} (${info.filename}) answered ${res.status()} ${redirect} ${body.slice(0, 200)}`).toBe(true);
      await request.dispose();
    }
  }
  expect(dbState()).toBe(before);
});

test("the public actions cannot be abused: setup refuses once an admin exists", async ({ playwright }) => {
  const [id] = Object.entries(readJson<ActionManifest>("server-reference-manifest.json").node).find(([, v]) => v.exportedName === "setupAdminAction")!;
  const request = await newRequest(playwright);
  const before = dbState();
  const res = await request.post("/setup", {
    headers: { "Next-Action": id, Origin: BASE },
    // React's reply encoding: "0" holds the arguments (previous state, then the FormData "$K1").
    multipart: { "1_username": "intruder", "1_password": "Intruder-Password-1", "1_confirm": "Intruder-Password-1", "0": '[{"status":"idle"},"$K1"]' },
  });
  // Whatever the action answers, no admin was added (createAdmin's onlyIfNone check is proven
  // in lib/auth/admins.test.ts; here: the public endpoint changes nothing).
  expect(res.status()).toBeLessThan(500);
  expect(await res.text()).not.toContain('"status":"success"');
  expect(dbState()).toBe(before);
  await request.dispose();
});

test("a server action from a foreign origin is refused even with a valid session (CSRF)", async ({ playwright }) => {
  const actions = Object.entries(readJson<ActionManifest>("server-reference-manifest.json").node);
  const [id, info] = actions.find(([, v]) => v.exportedName === "deleteProfileAction")!;
  const host = toUrl(Object.keys(info.workers)[0], params);
  const before = dbState();
  const request = await newRequest(playwright, `omc_session=${validCookie}`);
  const res = await request.post(host, {
    headers: { "Next-Action": id, Origin: "https://evil.example", "Content-Type": "text/plain;charset=UTF-8" },
    data: JSON.stringify([params.profileId, "$undefined"]),
  });
  expect(res.status()).toBeGreaterThanOrEqual(400);
  expect(dbState()).toBe(before);
  await request.dispose();
});

test("security headers on every response", async ({ playwright }) => {
  const request = await newRequest(playwright, `omc_session=${validCookie}`);
  for (const url of ["/login", "/", `/profiles/${params.profileId}`]) {
    const res = await request.get(url);
    const h = res.headers();
    const csp = h["content-security-policy"] ?? "";
    expect(csp, url).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(csp).toContain("object-src 'none'");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("same-origin");
    expect(h["x-frame-options"]).toBe("DENY");
    expect(h["x-powered-by"]).toBeUndefined();
  }
  await request.dispose();
});
