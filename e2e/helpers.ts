import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import Database from "better-sqlite3";
import { expect, type BrowserContext, type Page } from "@playwright/test";
import { open } from "../lib/crypto/secret-box";

export const DATA_DIR = path.resolve(".tmp/e2e-data");
export const SCREENSHOT_DIR = path.resolve("e2e/screenshots");
export const ADMIN = { username: "e2e-admin", password: "E2e-Admin-Password-2026!" };
/** The e2e server's origin (playwright.config.ts starts it on E2E_PORT, 3210 by default). */
export const BASE_URL = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3210)}`;

/** Signs in through the login form. */
export async function signIn(page: Page, creds = ADMIN): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username").fill(creds.username);
  await page.getByLabel("Password").fill(creds.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** axe-core (WCAG 2.1 A/AA rules): no serious or critical violation on the page as it is now. */
export async function expectNoSeriousA11yViolations(page: Page, where: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const text = bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`).join("\n");
  expect(bad, `${where}:\n${text}`).toEqual([]);
}

/**
 * Issue 16's page sweep for one page as it is now: at 1440 px (light) and 390 px (dark, so axe
 * checks the contrast of both themes) — no sideways scrolling at 390 px, a full-page screenshot
 * `NAME-WIDTH.png`, and no serious or critical axe violation. Leaves the viewport at 1280 px and
 * the theme on "system".
 */
export async function sweepPage(page: Page, name: string): Promise<void> {
  const origin = new URL(page.url()).origin;
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.context().addCookies([{ name: "omc_theme", value: width === 390 ? "dark" : "light", url: origin }]);
    await page.reload();
    await expect(page.locator("h1").first()).toBeVisible();
    if (width === 390) {
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(scroll, `${page.url()} scrolls sideways by ${scroll}px: ${(await overflowing(page)).join("; ")}`).toBeLessThanOrEqual(0);
    }
    await screenshot(page, `${name}-${width}`);
    await expectNoSeriousA11yViolations(page, `${name} at ${width} px`);
  }
  await page.context().addCookies([{ name: "omc_theme", value: "system", url: origin }]);
  await page.setViewportSize({ width: 1280, height: 720 });
}

/**
 * Records the body of every response the console sends to this context (HTML, RSC payloads,
 * server-action results), so a test can prove no secret ever reached the browser. Bodies are read
 * asynchronously: `settled()` waits until every response seen so far has been read (a condition,
 * not a pause, so a busy machine only makes it slower, never wrong).
 */
export function collectResponses(context: BrowserContext, into?: { bodies: string[] }): { bodies: string[]; settled: () => Promise<void> } {
  const bodies = into?.bodies ?? [];
  const pending = new Set<Promise<void>>();
  context.on("response", (response) => {
    const read = (async () => {
      try {
        const type = response.headers()["content-type"] ?? "";
        if (/text|json|x-component|javascript/.test(type) || type === "") bodies.push(await response.text());
      } catch {
        // bodies of redirects and aborted requests are not available
      }
    })();
    pending.add(read);
    void read.finally(() => pending.delete(read));
  });
  return {
    bodies,
    settled: async () => {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}

export function openDb(): Database.Database {
  return new Database(path.join(DATA_DIR, "console.db"), { readonly: true, fileMustExist: true });
}

/** Decrypts a profile's secrets with the e2e server's key file, to prove what is stored. */
export function storedSecrets(name: string): Record<string, string> {
  const db = openDb();
  try {
    const row = db.prepare("SELECT id, secrets FROM Profile WHERE name = ?").get(name) as { id: string; secrets: string | null } | undefined;
    if (!row) throw new Error(`no profile ${name}`);
    if (!row.secrets) return {};
    const key = Buffer.from(fs.readFileSync(path.join(DATA_DIR, "master.key"), "utf8").trim(), "base64");
    return JSON.parse(open(row.secrets, key, row.id));
  } finally {
    db.close();
  }
}

export function rawDbBytes(): string {
  return ["console.db", "console.db-wal", "console.db-journal"]
    .map((f) => path.join(DATA_DIR, f))
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f).toString("latin1"))
    .join("\n");
}

export function serverLog(): string {
  const f = path.join(DATA_DIR, "server.log");
  return fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "";
}

/** The newest one-time setup code the server printed (lib/startup.ts), read from DATA_DIR/server.log. */
export function setupCodeFromLog(): string {
  const codes = [...serverLog().matchAll(/setup code: ([A-Z0-9-]{19})/g)].map((m) => m[1]);
  if (!codes.length) throw new Error("no setup code in the server log");
  return codes[codes.length - 1];
}

/**
 * Signs in, creating the admin through /setup first when the console is fresh, so every spec
 * file can run on its own or after the others (they share one server and database).
 */
export async function ensureSignedIn(page: Page): Promise<void> {
  await page.goto("/login");
  if (new URL(page.url()).pathname === "/setup") {
    await page.getByLabel("Setup code").fill(setupCodeFromLog());
    await page.getByLabel("Admin username").fill(ADMIN.username);
    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page.getByLabel("Repeat password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create admin and sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    return;
  }
  if (new URL(page.url()).pathname !== "/login") return;
  await signIn(page);
}

/**
 * POSTs a body of `size` bytes in chunks and returns the status as soon as the server answers,
 * even before the body is sent: a server that refuses an oversized body from its Content-Length
 * answers 413 and closes, and a client still writing then sees EPIPE/ECONNRESET. Whether the
 * answer comes before or after the last byte depends on load, so the test waits for the answer
 * (a condition) instead of requiring the whole body to be written first.
 */
export function postLarge(url: string, headers: Record<string, string>, size: number, fill = 0x61): Promise<{ status: number; bytesWritten: number }> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = http.request(url, { method: "POST", headers: { ...headers, "Content-Length": String(size) } }, (res) => {
      answered = true;
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, bytesWritten: written }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      // A write after the server answered and closed is expected; without an answer it is a failure.
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(1024 * 1024, fill);
    const pump = () => {
      while (!answered && written < size) {
        const n = Math.min(chunk.length, size - written);
        written += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** Elements wider than the viewport, for the failure message. */
export async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const vw = document.documentElement.clientWidth;
    for (const el of Array.from(document.querySelectorAll<HTMLElement>("body *"))) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > vw + 1) {
        // Only the outermost offender: skip elements inside a scroll container that clips them.
        let clipped = false;
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          const o = getComputedStyle(p).overflowX;
          if ((o === "auto" || o === "scroll" || o === "hidden" || o === "clip") && p.getBoundingClientRect().right <= vw + 1) clipped = true;
        }
        if (!clipped) out.push(`${el.tagName.toLowerCase()}.${String(el.className).slice(0, 80)} right=${Math.round(r.right)}`);
      }
    }
    return out.slice(0, 8);
  });
}
