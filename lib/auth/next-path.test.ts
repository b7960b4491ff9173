import { describe, expect, it } from "vitest";
import { safeNextPath } from "./next-path";

const BASE = "https://console.example.com";

describe("safeNextPath", () => {
  it("keeps same-origin paths with their query and hash", () => {
    expect(safeNextPath("/profiles/abc?tab=logs#x", BASE)).toBe("/profiles/abc?tab=logs#x");
    expect(safeNextPath("/logs", "http://127.0.0.1:3000")).toBe("/logs");
  });
  it.each(["/\t/evil.example/", "/..//evil.example/", "//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "/\n/evil.example", "", "profiles", "/%2F%2Fevil.example"])("refuses %j", (next) => {
    const out = safeNextPath(next, BASE);
    expect(new URL(out, BASE).origin).toBe(BASE);
    expect(out.startsWith("//")).toBe(false);
  });
  it("gives / for anything that is not a string", () => {
    expect(safeNextPath(null, BASE)).toBe("/");
    expect(safeNextPath(42, BASE)).toBe("/");
  });
});
