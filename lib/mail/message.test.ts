import { describe, expect, it } from "vitest";
import { DEFAULT_TEST_SUBJECT, attachmentSize, testMessageSchema } from "./message";

describe("testMessageSchema", () => {
  it("accepts form-style input (comma/semicolon lists, checkbox values) and applies defaults", () => {
    const m = testMessageSchema.parse({ to: "a@example.com, b@example.com; c@example.com", cc: "", bcc: undefined, subject: "", body: "", readReceipt: "on", deliveryReceipt: "false", from: "" });
    expect(m).toMatchObject({ to: ["a@example.com", "b@example.com", "c@example.com"], cc: [], bcc: [], subject: DEFAULT_TEST_SUBJECT, readReceipt: true, deliveryReceipt: false, html: false, attachments: [] });
    expect(m.from).toBeUndefined();
    expect(m.body.length).toBeGreaterThan(10);
  });

  it("accepts CLI-style arrays (repeated flags)", () => {
    expect(testMessageSchema.parse({ to: ["a@example.com", "b@example.com,c@example.com"] }).to).toEqual(["a@example.com", "b@example.com", "c@example.com"]);
  });

  it("names the field of a bad address", () => {
    const r = testMessageSchema.safeParse({ to: ["ok@example.com", "not-an-address"] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ["to", 1], message: "To: each address must be an email address like name@example.com" });
    expect(testMessageSchema.safeParse({ to: [] }).error?.issues[0].message).toBe("To: at least one address is required");
    expect(testMessageSchema.safeParse({ to: "a@example.com", from: "nope" }).success).toBe(false);
  });

  it("refuses a multi-line subject and header injection through attachment names", () => {
    expect(testMessageSchema.safeParse({ to: "a@example.com", subject: "a\r\nBcc: victim@example.com" }).success).toBe(false);
    expect(testMessageSchema.safeParse({ to: "a@example.com", attachments: [{ filename: "x\r\nX-Evil: 1", contentBase64: "aGk=" }] }).success).toBe(false);
  });

  it("validates attachments (base64, content type) and the total size", () => {
    const ok = testMessageSchema.parse({ to: "a@example.com", attachments: [{ filename: "a.txt", contentBase64: Buffer.from("hello").toString("base64") }] });
    expect(ok.attachments[0]).toMatchObject({ filename: "a.txt", contentType: "application/octet-stream" });
    expect(attachmentSize(ok.attachments[0])).toBe(5);
    expect(testMessageSchema.safeParse({ to: "a@example.com", attachments: [{ filename: "a", contentBase64: "not base64!" }] }).success).toBe(false);
    expect(testMessageSchema.safeParse({ to: "a@example.com", attachments: [{ filename: "a", contentType: "bad type", contentBase64: "aGk=" }] }).success).toBe(false);
    const big = Buffer.alloc(26 * 1024 * 1024).toString("base64");
    const r = testMessageSchema.safeParse({ to: "a@example.com", attachments: [{ filename: "big.bin", contentBase64: big }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(/at most 25\.00 MB/);
  });

  it("computes decoded sizes with padding", () => {
    for (const n of [0, 1, 2, 3, 4, 100, 1001]) expect(attachmentSize({ contentBase64: Buffer.alloc(n).toString("base64") })).toBe(n);
  });
});
