import { z } from "zod";
import { WEBHOOK_FORMATS } from "./types";

/** Alert channel input, shared by the console form and the CLI. */

const name = z
  .string()
  .trim()
  .min(1, { message: "Name is required" })
  .max(64, { message: "Name must be at most 64 characters" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._@-]*$/, { message: "Name may contain letters, digits, spaces and . _ @ - and must start with a letter or digit" });

const webhookUrl = z
  .string()
  .trim()
  .min(1, { message: "Webhook URL is required" })
  .max(2048, { message: "Webhook URL must be at most 2048 characters" })
  .superRefine((v, ctx) => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: "Webhook URL must be a full URL starting with https://" });
      return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") ctx.addIssue({ code: "custom", message: "Webhook URL must start with https://" });
    if (url.username || url.password) ctx.addIssue({ code: "custom", message: "Webhook URL must not contain a user name or password" });
  });

export const webhookChannelSchema = z
  .object({
    type: z.literal("webhook"),
    name,
    url: webhookUrl,
    format: z.enum(WEBHOOK_FORMATS, { message: "Format must be generic, teams or slack" }).default("generic"),
    // Generic webhooks are signed (HMAC-SHA256); the receiver holds the same secret.
    signingSecret: z.string().trim().max(200, { message: "Signing secret must be at most 200 characters" }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.format !== "generic" && new URL(v.url).protocol !== "https:") ctx.addIssue({ code: "custom", path: ["url"], message: `${v.format === "teams" ? "Teams" : "Slack"} webhook URLs start with https://` });
    if (v.format === "generic" && (!v.signingSecret || v.signingSecret.length < 16)) ctx.addIssue({ code: "custom", path: ["signingSecret"], message: "Signing secret is required for a generic webhook: at least 16 characters (e.g. openssl rand -hex 32)" });
  });

export const emailChannelSchema = z.object({
  type: z.literal("email"),
  name,
  to: z.string().trim().pipe(z.email({ message: "Email address must be an address like ops@example.com" })),
  profileId: z.string().trim().min(1, { message: "Choose the profile that sends the alert emails" }),
});

export const channelInputSchema = z.discriminatedUnion("type", [webhookChannelSchema, emailChannelSchema], { error: () => "Channel type must be webhook or email" });
export type ChannelInput = z.input<typeof channelInputSchema>;
export type ParsedChannelInput = z.infer<typeof channelInputSchema>;

/** Per-profile monitoring settings (profile page, `check config`). */
export const monitorConfigSchema = z
  .object({
    tokenIntervalHours: z.coerce.number({ message: "Token check interval must be a number of hours" }).min(0.25, { message: "Token check interval must be at least 0.25 hours" }).max(720, { message: "Token check interval must be at most 720 hours" }).optional(),
    canaryEnabled: z.preprocess((v) => (v === "on" || v === "true" || v === true ? true : v === "off" || v === "false" || v === false || v === undefined || v === "" ? false : v), z.boolean()),
    canaryTo: z.string().trim().optional(),
    canaryImapProfileId: z.string().trim().optional(),
    canaryIntervalMinutes: z.coerce.number({ message: "Canary interval must be a number of minutes" }).int({ message: "Canary interval must be whole minutes" }).min(5, { message: "Canary interval must be at least 5 minutes" }).max(10080, { message: "Canary interval must be at most 10080 minutes (a week)" }).default(60),
    canaryTimeLimitSeconds: z.coerce.number({ message: "Time limit must be a number of seconds" }).int().min(10, { message: "Time limit must be at least 10 seconds" }).max(1800, { message: "Time limit must be at most 1800 seconds" }).default(300),
  })
  .superRefine((v, ctx) => {
    if (!v.canaryEnabled) return;
    if (!v.canaryTo || !z.email().safeParse(v.canaryTo).success) ctx.addIssue({ code: "custom", path: ["canaryTo"], message: "Canary recipient must be an email address (the mailbox the IMAP profile reads)" });
    if (!v.canaryImapProfileId) ctx.addIssue({ code: "custom", path: ["canaryImapProfileId"], message: "Choose the profile whose IMAP access reads the canary mailbox" });
  });
export type MonitorConfigInput = z.input<typeof monitorConfigSchema>;
