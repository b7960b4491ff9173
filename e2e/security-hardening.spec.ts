import http from "node:http";
import { expect, test } from "@playwright/test";
import { ADMIN, ensureSignedIn, openDb } from "./helpers";

/**
 * Issue 12, the points that only a running `next start` can prove: the request gate in front of
 * Next.js (client address, body limits, Host allow-list), the sign-in redirect and forms that
 * post before JavaScript loads. The setup code (12.10) is proven in foundation.spec.ts.
 */
test.describe.configure({ mode: "serial" });

const PORT = Number(process.env.E2E_PORT ?? 3210);

type RawAnswer = { status: number; body: string; bytesSent: number };

/**
 * A raw HTTP request that declares `declaredBytes` of body but sends it slowly, in 64 KB chunks,
 * and stops sending as soon as the server answers: proves whether the server answered before
 * reading the body.
 */
function rawRequest(options: { method: string; path: string; headers: Record<string, string | number>; declaredBytes?: number }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let answered = false;
    const req = http.request({ host: "127.0.0.1", port: PORT, method: options.method, path: options.path, headers: { ...options.headers, ...(options.declaredBytes ? { "content-length": options.declaredBytes } : {}) } }, (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, bytesSent }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, body, bytesSent }));
    });
    req.on("error", (e) => (answered ? undefined : reject(e)));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      if (answered || !options.declaredBytes) return;
      if (bytesSent >= options.declaredBytes) return void req.end();
      const n = Math.min(chunk.length, options.declaredBytes - bytesSent);
      bytesSent += n;
      req.write(chunk.subarray(0, n), () => setImmediate(pump));
    };
    if (options.declaredBytes) pump();
    else req.end();
  });
}

test("12.2: a forged X-Forwarded-For is ignored: the log and the throttle see the socket address", async ({ browser }) => {
  const context = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": "203.0.113.66", "X-Omc-Client-Ip": "203.0.113.67" } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Username").fill("xff-probe");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong username or password.")).toBeVisible();
  await context.close();
  const db = openDb();
  try {
    const entry = db.prepare("SELECT summary FROM Activity WHERE summary LIKE 'Failed sign-in for \"xff-probe\"%' ORDER BY at DESC LIMIT 1").get() as { summary: string };
    expect(entry.summary).toBe('Failed sign-in for "xff-probe" from 127.0.0.1');
    const keys = (db.prepare("SELECT key FROM LoginThrottle").all() as { key: string }[]).map((r) => r.key);
    expect(keys).toContain("ip:127.0.0.1");
    expect(keys.filter((k) => k.includes("203.0.113."))).toEqual([]);
  } finally {
    db.close();
  }
});

test("12.3: a large anonymous body is refused before it is read; the large limit is only for signed-in attachment routes", async ({ page }) => {
  const big = 34 * 1024 * 1024;
  const anonymous = await rawRequest({ method: "POST", path: "/api/profiles/00000000-0000-4000-8000-000000000000/send-test", headers: { "content-type": "application/json" }, declaredBytes: big });
  expect(anonymous.status).toBe(413);
  expect(anonymous.body).toContain("Sign in first");
  // Answered long before the body was sent: nothing was buffered.
  expect(anonymous.bytesSent).toBeLessThan(big / 2);
  const toAction = await rawRequest({ method: "POST", path: "/login", headers: { "content-type": "text/plain;charset=UTF-8", "next-action": "0".repeat(42) }, declaredBytes: 8 * 1024 * 1024 });
  expect(toAction.status).toBe(413);

  // Signed in: server actions and pages still stop at 2 MB; send-test takes attachments.
  await ensureSignedIn(page);
  const cookie = (await page.context().cookies()).find((c) => c.name === "omc_session")!;
  const signedInAction = await rawRequest({ method: "POST", path: "/settings", headers: { cookie: `omc_session=${cookie.value}`, "content-type": "text/plain;charset=UTF-8", "next-action": "0".repeat(42) }, declaredBytes: 3 * 1024 * 1024 });
  expect(signedInAction.status).toBe(413);
  const attachmentRoute = await rawRequest({ method: "POST", path: "/api/profiles/00000000-0000-4000-8000-000000000000/send-test", headers: { cookie: `omc_session=${cookie.value}`, origin: `http://127.0.0.1:${PORT}`, "content-type": "multipart/form-data; boundary=x" }, declaredBytes: 3 * 1024 * 1024 });
  // Past the gate: the route answers for itself (unknown profile → 404, before reading the upload).
  expect(attachmentRoute.status).toBe(404);
  // JSON bodies (held in memory) stop at 2 MB on this route too; attachments go as multipart.
  const jsonToRoute = await rawRequest({ method: "POST", path: "/api/profiles/00000000-0000-4000-8000-000000000000/send-test", headers: { cookie: `omc_session=${cookie.value}`, "content-type": "application/json" }, declaredBytes: 3 * 1024 * 1024 });
  expect(jsonToRoute.status).toBe(413);
});

test("12.4: sign-in never redirects to another origin", async ({ browser }) => {
  for (const next of ["%2F%09%2Fevil.example%2F", "/..//evil.example/", "%2F%5Cevil.example", "//evil.example/"]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`/login?next=${next}`);
    await page.getByLabel("Username").fill(ADMIN.username);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    expect(new URL(page.url()).host).toBe(`127.0.0.1:${PORT}`);
    await context.close();
  }
});

test("12.9: without JavaScript the sign-in form posts (no password in a URL) and every form with fields posts", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const urls: string[] = [];
  const methods: string[] = [];
  page.on("request", (r) => {
    urls.push(r.url());
    if (r.isNavigationRequest()) methods.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  await page.goto("/login");
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === "/");
  expect(methods).toContain("POST /login");
  expect(urls.filter((u) => /password|E2e-Admin/i.test(u))).toEqual([]);
  // Every form on the console's pages posts, except the search/filter forms (no secrets, GET by design).
  for (const path of ["/settings", "/settings/admins", "/profiles/new?kind=m365-delegated", "/import", "/profiles"]) {
    await page.goto(path);
    const forms = await page.locator("form").evaluateAll((els) =>
      els.map((f) => ({ method: (f.getAttribute("method") ?? "get").toLowerCase(), role: f.getAttribute("role"), label: f.getAttribute("aria-label"), password: f.querySelector("input[type=password]") !== null })),
    );
    for (const f of forms) {
      if (f.role === "search" || f.label === "Filter logs") continue;
      expect({ path, ...f }).toMatchObject({ method: "post" });
    }
  }
  await context.close();
});

test("12.10: requests under a foreign Host name (DNS rebinding) are refused", async () => {
  const foreign = await rawRequest({ method: "GET", path: "/login", headers: { host: `evil.example:${PORT}` } });
  expect(foreign.status).toBe(421);
  const foreignAction = await rawRequest({ method: "POST", path: "/login", headers: { host: "rebind.evil.example", "content-type": "text/plain" } });
  expect(foreignAction.status).toBe(421);
  const own = await rawRequest({ method: "GET", path: "/login", headers: { host: `127.0.0.1:${PORT}` } });
  expect(own.status).toBe(200);
});
