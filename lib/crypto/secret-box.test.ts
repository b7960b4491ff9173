import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isSealed, keyFingerprint, open, openWithAny, seal } from "./secret-box";

const key = randomBytes(32);
const other = randomBytes(32);

describe("secret-box", () => {
  it("round-trips text, including unicode and empty strings", () => {
    for (const text of ["s3cr3t", "", "pässwörd 🔑 ~!@#", "x".repeat(100_000)]) {
      const sealed = seal(text, key, "record-1");
      expect(sealed.startsWith("v1.")).toBe(true);
      expect(isSealed(sealed)).toBe(true);
      expect(sealed).not.toContain(text || "\u0000");
      expect(open(sealed, key, "record-1")).toBe(text);
    }
  });

  it("uses a fresh IV every time", () => {
    expect(seal("same", key, "a")).not.toBe(seal("same", key, "a"));
  });

  it("refuses a tampered tag, ciphertext or IV", () => {
    const sealed = seal("secret value", key, "r");
    const raw = Buffer.from(sealed.slice(3), "base64");
    for (const index of [0, 15, raw.length - 1]) {
      const copy = Buffer.from(raw);
      copy[index] ^= 0x01;
      expect(() => open("v1." + copy.toString("base64"), key, "r")).toThrow(/could not be decrypted/);
    }
  });

  it("refuses the wrong key", () => {
    expect(() => open(seal("x", key, "r"), other, "r")).toThrow(/wrong master key/);
  });

  it("refuses a blob moved to another record (AAD mismatch)", () => {
    expect(() => open(seal("x", key, "record-a"), key, "record-b")).toThrow(/could not be decrypted/);
  });

  it("refuses unknown versions and truncated blobs", () => {
    expect(() => open("v2.AAAA", key, "r")).toThrow(/unknown format version/);
    expect(() => open("v1.AAAA", key, "r")).toThrow(/truncated/);
  });

  it("opens with any key of a ring and says which", () => {
    const sealed = seal("x", other, "r");
    expect(openWithAny(sealed, [key, other], "r")).toEqual({ plaintext: "x", keyIndex: 1 });
    expect(() => openWithAny(sealed, [key], "r")).toThrow();
  });

  it("fingerprints keys without revealing them", () => {
    expect(keyFingerprint(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyFingerprint(key)).not.toBe(keyFingerprint(other));
  });
});
