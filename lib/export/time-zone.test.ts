import { describe, expect, it } from "vitest";
import { profileInputSchema } from "../profiles/schema";
import { formatIbmiTimestamp, parseIbmiTimestamp } from "./text";
import { IBM_TIME_ZONE_NAMES, exportTimeZone, formatUtcOffset, resolveTimeZone, timeZoneLabel } from "./time-zone";

describe("resolveTimeZone: QTIMZON names", () => {
  // name, offset (standard, minutes), IANA, DST, IBM-supplied
  const table: [string, number, string | null, boolean | null, boolean][] = [
    ["QN0600CST", -360, "America/Chicago", true, true],
    ["qn0600cst", -360, "America/Chicago", true, true],
    ["QN0500EST", -300, "America/New_York", true, true],
    ["QN0500EST3", -300, "America/New_York", true, true],
    ["QN0500EST2", -300, "Etc/GMT+5", false, true],
    ["QN0700MST2", -420, "America/Phoenix", false, true],
    ["QN0800PST", -480, "America/Los_Angeles", true, true],
    ["QN1000HST", -600, "Pacific/Honolulu", false, true],
    ["QN0330NST", -210, "America/St_Johns", true, true],
    ["QP0100CET", 60, "Europe/Zurich", true, true],
    ["QP0530IST", 330, "Asia/Kolkata", false, true],
    ["QP0900JST", 540, "Asia/Tokyo", false, true],
    ["QP1000AEST", 600, "Australia/Sydney", true, true],
    ["Q0000UTC", 0, "UTC", false, true],
    ["Q0000GMT2", 0, "Europe/London", true, true],
    ["QN0600UTCS", -360, "Etc/GMT+6", false, true],
    // Alternate zone whose rules changed since IBM shipped it: the description's offset wins.
    ["QP0600UTC2", 360, "Etc/GMT-6", false, true],
    // Not IBM-supplied: read from the pattern, fixed offset, DST unknown.
    ["QP0000UTC", 0, "UTC", null, false],
    ["QN0600XYZ", -360, "Etc/GMT+6", null, false],
    ["QP0545NPT", 345, null, null, false],
  ];
  it.each(table)("%s", (name, offset, iana, dst, supplied) => {
    const r = resolveTimeZone(name);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toBe(name.toUpperCase());
    expect(r.source).toBe("qtimzon");
    expect(r.offsetMinutes).toBe(offset);
    expect(r.iana).toBe(iana);
    expect(r.dst).toBe(dst);
    expect(r.ibmSupplied).toBe(supplied);
    expect(r.description).toContain(formatUtcOffset(offset));
  });

  it("names the offset and the IANA zone in one line", () => {
    const r = resolveTimeZone("QN0600CST");
    expect(r.ok && r.description).toBe("QN0600CST = UTC−06:00 (America/Chicago, with daylight saving time)");
    expect(timeZoneLabel("QN0600CST")).toBe("QN0600CST (America/Chicago)");
  });

  it("every IBM-supplied name maps to a zone this runtime knows, with the offset its name says", () => {
    for (const name of IBM_TIME_ZONE_NAMES) {
      const r = resolveTimeZone(name);
      expect(r.ok, name).toBe(true);
      if (!r.ok) continue;
      const m = name.match(/^Q([NP]?)(\d{2})(\d{2})/);
      const fromName = m ? (m[1] === "N" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0; // Q000GMT3: London
      // Southern-hemisphere and abolished-DST zones: the standard offset is the name's.
      expect(r.offsetMinutes, name).toBe(fromName);
    }
  });

  it.each([
    ["QN2500EST", /^Time zone must be within UTC−12:00 to UTC\+14:00: QN2500EST means UTC−25:00$/],
    ["QN0675CST", /^Time zone minutes must be 00–59: QN0675CST has "75"/],
    ["QN06CST", /^Time zone must be a QTIMZON name .*; "QN06CST" is not$/],
    ["Mars/Olympus", /^Time zone must be an IBM i QTIMZON name \(e\.g\. QN0600CST\) or an IANA name \(e\.g\. America\/Chicago\); "Mars\/Olympus" is neither$/],
    ["+05:30", /neither/],
    ["", /required/],
  ])("refuses %s with a message naming what is expected", (input, message) => {
    const r = resolveTimeZone(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe("resolveTimeZone: IANA names", () => {
  it("keeps the name and reports its standard offset and DST", () => {
    const r = resolveTimeZone("Europe/Berlin");
    expect(r).toMatchObject({ ok: true, value: "Europe/Berlin", source: "iana", qtimzon: null, iana: "Europe/Berlin", offsetMinutes: 60, dst: true });
  });
});

describe("exports use the QTIMZON zone for iMail's cache timestamp", () => {
  const instant = new Date("2026-07-01T12:00:00Z");
  it("QN0600CST writes Central daylight time in July, like America/Chicago", () => {
    expect(formatIbmiTimestamp(instant, "QN0600CST")).toBe("2026-07-01-07.00.00");
    expect(formatIbmiTimestamp(instant, "QN0600CST")).toBe(formatIbmiTimestamp(instant, "America/Chicago"));
    expect(parseIbmiTimestamp("2026-07-01-07.00.00", "QN0600CST")?.toISOString()).toBe(instant.toISOString());
  });
  it("a custom fractional offset is applied as a fixed offset", () => {
    expect(exportTimeZone("QP0545NPT")).toEqual({ offsetMinutes: 345 });
    expect(formatIbmiTimestamp(instant, "QP0545NPT")).toBe("2026-07-01-17.45.00");
  });
});

describe("the profile schema takes either name", () => {
  const base = { kind: "m365-delegated", name: "tz", tenantId: "11111111-2222-3333-4444-555555555555", clientId: "11111111-2222-3333-4444-555555555556", loginUser: "a@contoso.com" };
  it("stores a QTIMZON name upper-case", () => {
    const r = profileInputSchema.safeParse({ settings: { ...base, ibmiTimeZone: "qn0600cst" }, secrets: { password: "x" } });
    expect(r.success && r.data.settings.ibmiTimeZone).toBe("QN0600CST");
  });
  it("names the field and what was expected for bad input", () => {
    const r = profileInputSchema.safeParse({ settings: { ...base, ibmiTimeZone: "QN2500EST" }, secrets: { password: "x" } });
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path.join(".") === "settings.ibmiTimeZone");
    expect(issue?.message).toMatch(/^Time zone must be within .*: QN2500EST means UTC−25:00$/);
  });
});
