import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KIND_DESCRIPTIONS, PROFILE_FORM } from "../profiles/fields";
import { getSetupGuide } from "../setup-guide/guide";
import { storedSettings } from "@/tests/fixtures/stored-settings";
import { describeExchangeBasicAuth, EXCHANGE_BASIC_AUTH_TIMELINE, exchangeBasicAuthPhase, isExchangeOnlineSmtpHost } from "./exchange-basic-auth";

const ROOT = path.resolve(__dirname, "../..");
// Built from parts so this file does not match itself.
const STALE = [
  new RegExp(["30", "April", "2026"].join("\\s+"), "i"),
  new RegExp(["April", "30(th)?,?", "2026"].join("\\s+"), "i"),
  new RegExp(["partial", "enforcement"].join("\\s+"), "i"),
  new RegExp(["2026", "04", "30"].join("-")),
];

function* userFacingFiles(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (["node_modules", "generated", ".next", "__fixtures__"].includes(e.name)) continue;
      yield* userFacingFiles(p);
    } else if (/\.(tsx?|mjs|md)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) yield p;
  }
}

describe("Exchange Online Basic SMTP AUTH timeline (Microsoft, 27 January 2026)", () => {
  it("the retired 30 April 2026 date appears nowhere in user-facing text (pages, components, lib, CLI, README)", () => {
    const files = [...["app", "components", "lib", "cli"].flatMap((d) => [...userFacingFiles(path.join(ROOT, d))]), path.join(ROOT, "README.md")];
    expect(files.length).toBeGreaterThan(50);
    const hits = files.flatMap((f) => {
      const text = fs.readFileSync(f, "utf8");
      return STALE.filter((re) => re.test(text)).map((re) => `${path.relative(ROOT, f)}: ${re}`);
    });
    expect(hits).toEqual([]);
  });

  it("phases: unchanged until the end of December 2026, then off by default", () => {
    expect(exchangeBasicAuthPhase(new Date("2026-11-30T12:00:00Z"))).toBe("unchanged");
    expect(exchangeBasicAuthPhase(new Date("2026-12-30T23:59:59Z"))).toBe("unchanged");
    expect(exchangeBasicAuthPhase(new Date("2027-01-01T00:00:00Z"))).toBe("off-by-default");
    expect(describeExchangeBasicAuth(new Date("2026-11-30T00:00:00Z")).headline).toMatch(/end of December 2026 \(in 31 days\)/);
    expect(describeExchangeBasicAuth(new Date("2027-02-01T00:00:00Z")).detail).toMatch(/550 5\.7\.30.*tenant admin.*second half of 2027/);
    expect(EXCHANGE_BASIC_AUTH_TIMELINE).toMatch(/unchanged until December 2026.*end of December 2026.*disabled by default for existing tenants.*turn it back on.*new tenants.*second half of 2027/);
    expect(isExchangeOnlineSmtpHost("SMTP.Office365.com")).toBe(true);
    expect(isExchangeOnlineSmtpHost("smtp.gmail.com")).toBe(false);
  });

  it("the kind description, the legacy form and the guided setup state the timeline", () => {
    expect(KIND_DESCRIPTIONS["smtp-basic"]).toMatch(/end of December 2026.*second half of 2027/);
    expect(PROFILE_FORM["smtp-basic"].map((g) => g.description ?? "").join(" ")).toContain(EXCHANGE_BASIC_AUTH_TIMELINE);
    const guide = getSetupGuide(storedSettings("smtp-basic"), { tokenAcquired: false, sendSucceeded: false, imapSucceeded: false });
    expect(guide.steps.flatMap((s) => s.instructions).join(" ")).toContain(EXCHANGE_BASIC_AUTH_TIMELINE);
  });
});
