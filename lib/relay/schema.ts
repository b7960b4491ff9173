import { z } from "zod";

/**
 * Relay settings and device input: one set of zod schemas shared by the Relay page's server
 * actions and the CLI (`relay device add …`). Zod-free limits for the browser live in ./limits.
 */

const booleanish = z.preprocess((v) => {
  if (typeof v === "boolean") return v;
  if (v === undefined || v === null || v === "") return false;
  if (typeof v === "string") return ["on", "true", "1", "yes", "y"].includes(v.trim().toLowerCase());
  return v;
}, z.boolean());

export const relaySettingsSchema = z.object({
  /** Run the listener with the console (RELAY_PORT in the environment also turns it on). */
  enabled: booleanish.default(false),
  host: z.string().trim().min(1, { message: "Listen address is required, e.g. 0.0.0.0" }).default("0.0.0.0"),
  port: z.coerce.number().int().min(1, { message: "Port must be 1–65535" }).max(65535, { message: "Port must be 1–65535" }).default(2525),
  /** Implicit-TLS port (465-style); 0 = off. */
  tlsPort: z.coerce.number().int().min(0).max(65535, { message: "TLS port must be 0 (off) or 1–65535" }).default(0),
  /** Largest message accepted (announced with SIZE). Exchange Online's default is 35 MB. */
  maxSizeMb: z.coerce.number().min(1, { message: "Maximum size must be at least 1 MB" }).max(150, { message: "Maximum size must be at most 150 MB (Graph's limit)" }).default(35),
  maxRecipients: z.coerce.number().int().min(1).max(10_000).default(500),
  /** How long a message is retried before it fails for good. */
  lifetimeHours: z.coerce.number().min(0.001, { message: "Lifetime must be positive" }).max(24 * 14, { message: "Lifetime must be at most 14 days" }).default(48),
  /** First retry delay; doubles per attempt (with jitter) up to maxRetrySeconds. */
  retryBaseSeconds: z.coerce.number().min(0.01).max(3600).default(60),
  maxRetrySeconds: z.coerce.number().min(0.01).max(24 * 3600).default(3600),
  /** Deliveries running at once per profile (Graph allows 4 concurrent requests per mailbox). */
  concurrencyPerProfile: z.coerce.number().int().min(1).max(32).default(4),
  /** Deliveries running at once in this process. */
  workers: z.coerce.number().int().min(1).max(64).default(8),
  /** Failed AUTH attempts per IP / per user before a temporary lockout. */
  authMaxFailures: z.coerce.number().int().min(1).max(1000).default(10),
  authLockMinutes: z.coerce.number().min(0.01).max(24 * 60).default(15),
  /** Seconds the in-flight deliveries get on SIGTERM before the rest stays queued. */
  stopGraceSeconds: z.coerce.number().min(0).max(600).default(30),
});
export type RelaySettings = z.infer<typeof relaySettingsSchema>;
export type RelaySettingsInput = z.input<typeof relaySettingsSchema>;

const SENDER = /^(@[^\s@]+\.[^\s@]+|[^\s@]+@[^\s@]+\.[^\s@]+)$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function list(what: string, check: (v: string) => boolean, message: string) {
  return z.preprocess(
    (v) => {
      if (v === undefined || v === null) return [];
      const items = Array.isArray(v) ? v : [v];
      return items.flatMap((i) => (typeof i === "string" ? i.split(/[,;\s]+/) : [i])).map((i) => (typeof i === "string" ? i.trim() : i)).filter((i) => i !== "");
    },
    z.array(z.string().refine(check, { message: `${what}: ${message}` })).max(500, { message: `${what}: at most 500 entries` }),
  ).default([]);
}

export function isCidrOrIp(v: string): boolean {
  const [ip, bits, extra] = v.split("/");
  if (extra !== undefined) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255) && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= 32));
  if (/^[0-9a-fA-F:]+$/.test(ip) && ip.includes(":")) return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= 128);
  return false;
}

const optionalCount = (what: string, max: number) =>
  z.preprocess((v) => (v === "" || v === null || v === undefined ? undefined : v), z.coerce.number({ message: `${what} must be a whole number` }).int({ message: `${what} must be a whole number` }).min(1, { message: `${what} must be at least 1 (leave it empty for no limit)` }).max(max, { message: `${what} must be at most ${max}` }).optional());

export const deviceFieldsSchema = z.object({
  profile: z.string().trim().min(1, { message: "Profile is required: the profile the device sends through" }),
  allowFrom: list("Allowed senders", (v) => SENDER.test(v), "each entry must be an address (name@example.com) or a domain (@example.com)"),
  allowIp: list("Allowed IPs", isCidrOrIp, "each entry must be an IP address or a CIDR like 192.0.2.0/24"),
  rate: optionalCount("Rate limit (messages per minute)", 100_000),
  quota: optionalCount("Daily quota", 10_000_000),
  allowPlainAuth: booleanish.default(false),
  noAuth: booleanish.default(false),
});

export const createDeviceSchema = deviceFieldsSchema
  .extend({
    name: z
      .string()
      .trim()
      .regex(NAME, { message: "Name must be 1–64 letters, digits, dot, dash or underscore (it is the SMTP username)" }),
  })
  .superRefine((d, ctx) => {
    // The risky options only ever apply to listed IPs: refuse them without a list.
    if ((d.allowPlainAuth || d.noAuth) && d.allowIp.length === 0) {
      ctx.addIssue({ code: "custom", path: ["allowIp"], message: "Allowed IPs are required for plaintext AUTH or submission without AUTH (they apply only to those addresses)" });
    }
  });
export type CreateDeviceInput = z.input<typeof createDeviceSchema>;
export type CreateDevice = z.infer<typeof createDeviceSchema>;

export const updateDeviceSchema = createDeviceSchema;

export const RELAY_STATES = ["queued", "sending", "deferred", "delivered", "failed"] as const;
export type RelayState = (typeof RELAY_STATES)[number];

export const queueFilterSchema = z.object({
  state: z.enum(RELAY_STATES, { message: `State must be one of ${RELAY_STATES.join(", ")}` }).optional(),
  device: z.string().trim().optional(),
  sender: z.string().trim().optional(),
  recipient: z.string().trim().optional(),
  since: z.coerce.date({ message: "since must be a date/time" }).optional(),
  until: z.coerce.date({ message: "until must be a date/time" }).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export type QueueFilterInput = z.input<typeof queueFilterSchema>;
export type QueueFilter = z.infer<typeof queueFilterSchema>;
