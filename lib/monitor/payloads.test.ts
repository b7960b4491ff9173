import { createHmac, timingSafeEqual } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { renderGenericPayload, renderSlackPayload, renderTeamsPayload, signWebhookBody } from "./payloads";
import type { AlertMessage } from "./types";

/**
 * The documented formats, as schemas:
 * - Teams incoming webhook / Workflows "post to a channel when a webhook request is received":
 *   { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive",
 *   contentUrl: null, content: <AdaptiveCard> }] }, an Adaptive Card of a version Teams renders
 *   (≤ 1.5 on desktop), the body made of card elements; payloads over 28 KB are refused.
 * - Slack incoming webhook: `text` (fallback, required when blocks are used for notifications),
 *   `blocks` (≤ 50): header (plain_text ≤ 150), section (text ≤ 3000 and/or ≤ 10 fields of
 *   ≤ 2000), context (≤ 10 elements).
 */
const textObject = (max: number) => z.object({ type: z.enum(["plain_text", "mrkdwn"]), text: z.string().min(1).max(max), emoji: z.boolean().optional() }).strict();
const teamsSchema = z
  .object({
    type: z.literal("message"),
    attachments: z
      .array(
        z
          .object({
            contentType: z.literal("application/vnd.microsoft.card.adaptive"),
            contentUrl: z.null(),
            content: z
              .object({
                $schema: z.literal("http://adaptivecards.io/schemas/adaptive-card.json"),
                type: z.literal("AdaptiveCard"),
                version: z.string().regex(/^1\.[0-5]$/),
                body: z
                  .array(
                    z.discriminatedUnion("type", [
                      z.object({ type: z.literal("TextBlock"), text: z.string().min(1), wrap: z.boolean().optional(), weight: z.enum(["Default", "Lighter", "Bolder"]).optional(), size: z.enum(["Default", "Small", "Medium", "Large", "ExtraLarge"]).optional(), color: z.enum(["Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention", "accent", "good", "warning", "attention"]).optional(), isSubtle: z.boolean().optional() }).strict(),
                      z.object({ type: z.literal("FactSet"), facts: z.array(z.object({ title: z.string(), value: z.string() }).strict()).min(1) }).strict(),
                    ]),
                  )
                  .min(1),
                actions: z.array(z.object({ type: z.literal("Action.OpenUrl"), title: z.string().min(1), url: z.url() }).strict()).optional(),
              })
              .strict(),
          })
          .strict(),
      )
      .length(1),
  })
  .strict();
const slackSchema = z
  .object({
    text: z.string().min(1).max(3000),
    blocks: z
      .array(
        z.discriminatedUnion("type", [
          z.object({ type: z.literal("header"), text: textObject(150).refine((t) => t.type === "plain_text") }).strict(),
          z.object({ type: z.literal("section"), text: textObject(3000).optional(), fields: z.array(textObject(2000)).max(10).optional() }).strict().refine((b) => b.text || b.fields),
          z.object({ type: z.literal("context"), elements: z.array(textObject(3000)).min(1).max(10) }).strict(),
        ]),
      )
      .max(50),
  })
  .strict();

const message: AlertMessage = {
  id: "8d0f5a52-9f3e-4f7e-9d1c-2b4f7c0e1a11",
  event: "failing",
  profile: "payroll <IBM i>",
  check: "token",
  status: "failing",
  message: "AADSTS7000222: The provided client secret keys for app 'x' are expired. & more",
  hint: "Create a new client secret in the app registration.",
  at: "2026-11-30T10:00:00.000Z",
  url: "https://console.example.com/profiles/abc",
};

describe("webhook payloads", () => {
  it("generic carries the documented fields", () => {
    expect(renderGenericPayload(message)).toEqual({ id: message.id, event: "failing", profile: "payroll <IBM i>", check: "token", status: "failing", message: message.message, hint: message.hint, at: message.at, url: message.url });
  });

  it("Teams: a message with one Adaptive Card attachment, under 28 KB even for huge texts", () => {
    const p = renderTeamsPayload(message);
    expect(teamsSchema.safeParse(p).error?.issues).toBeUndefined();
    const huge = renderTeamsPayload({ ...message, message: "x".repeat(100_000), hint: "y".repeat(100_000) });
    expect(teamsSchema.safeParse(huge).success).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(huge))).toBeLessThan(28 * 1024);
    // A recovery is green, not red.
    expect(JSON.stringify(renderTeamsPayload({ ...message, event: "recovered", status: "ok" }))).toContain('"color":"good"');
  });

  it("Slack: text fallback plus Block Kit within Slack's limits, mrkdwn control characters escaped", () => {
    const p = renderSlackPayload(message);
    expect(slackSchema.safeParse(p).error?.issues).toBeUndefined();
    expect(JSON.stringify(p)).toContain("payroll &lt;IBM i&gt;");
    expect(JSON.stringify(p)).toContain("&amp; more");
    const huge = renderSlackPayload({ ...message, profile: "p".repeat(64), message: "x".repeat(10_000), hint: "y".repeat(10_000) });
    expect(slackSchema.safeParse(huge).error?.issues).toBeUndefined();
  });

  it("the signature is HMAC-SHA256 over timestamp.body and verifies only with the right secret and body", () => {
    const body = JSON.stringify(renderGenericPayload(message));
    const sig = signWebhookBody("s3cret-signing-key-0123", 1_700_000_000, body);
    const verify = (secret: string, b: string) => {
      const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(`1700000000.${b}`).digest("hex")}`);
      return expected.length === Buffer.from(sig).length && timingSafeEqual(expected, Buffer.from(sig));
    };
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verify("s3cret-signing-key-0123", body)).toBe(true);
    expect(verify("another-secret-000000", body)).toBe(false);
    expect(verify("s3cret-signing-key-0123", body.replace("failing", "ok"))).toBe(false);
  });
});
