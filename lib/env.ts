import path from "node:path";
import { z } from "zod";
import { parseTrustProxy, type TrustProxy } from "./http/client-ip";

function trustProxyError(v: string | undefined): string | null {
  try {
    parseTrustProxy(v);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The one place that reads process.env. Validated with zod on first use; a bad value stops
 * the process with a message that names the variable and what was expected.
 */
const envSchema = z.object({
  DATA_DIR: z.string().min(1).default("data"),
  DATABASE_FILE: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  CONSOLE_MASTER_KEY: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || Buffer.from(v, "base64").length === 32, {
      message: "must be 32 bytes encoded as base64 (generate one with: openssl rand -base64 32)",
    }),
  SESSION_TTL_HOURS: z.coerce.number().min(0.01).max(24 * 30).default(12),
  SESSION_IDLE_MINUTES: z.coerce.number().min(1).max(60 * 24 * 30).default(120),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  // Per client address, well above the per-user limit: one admin's typos on a shared jump host
  // must not lock every admin out, while a password spray from one address still stops.
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(100_000).default(50),
  LOGIN_WINDOW_MINUTES: z.coerce.number().min(0.01).max(24 * 60).default(15),
  LOGIN_LOCK_MINUTES: z.coerce.number().min(0.01).max(24 * 60).default(15),
  COOKIE_SECURE: z.enum(["auto", "true", "false"]).default("auto"),
  // A reverse proxy in front: hop count or its addresses/CIDRs. Unset: X-Forwarded-For is ignored.
  TRUST_PROXY: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      const message = trustProxyError(v);
      if (message) ctx.addIssue({ code: "custom", message: `${message}; or leave it unset when no proxy is in front` });
    }),
  // Host names (with port when not the default) the console answers to besides PUBLIC_URL's.
  ALLOWED_HOSTS: z.string().optional(),
  // The server's scheduler of checks and alerts (lib/monitor); "off" for a console that only serves pages.
  MONITOR_SCHEDULER: z.enum(["on", "off"], { message: "must be on or off" }).default("on"),
  // The SMTP relay (lib/relay): set RELAY_PORT to run it with the console (or `relay serve`).
  RELAY_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  RELAY_HOST: z.string().min(1).optional(),
  /** Optional implicit-TLS port (465-style). */
  RELAY_TLS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Where accepted messages are spooled; default DATA_DIR/relay/spool. Nodes sharing a queue share this folder. */
  RELAY_SPOOL_DIR: z.string().min(1).optional(),
});

export type Env = z.infer<typeof envSchema> & {
  dataDir: string;
  databaseFile: string;
  publicUrl: string;
  cookieSecure: boolean;
  trustProxy: TrustProxy;
  /** Lower-case Host header values the console answers to (PUBLIC_URL's host first). */
  allowedHosts: string[];
};

let cached: Env | undefined;

export function getEnv(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  cached = {
    ...e,
    dataDir,
    databaseFile: e.DATABASE_FILE ? path.resolve(e.DATABASE_FILE) : path.join(dataDir, "console.db"),
    publicUrl,
    cookieSecure: e.COOKIE_SECURE === "auto" ? publicUrl.startsWith("https://") : e.COOKIE_SECURE === "true",
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    allowedHosts: [...new Set([new URL(publicUrl).host.toLowerCase(), ...(e.ALLOWED_HOSTS ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean)])],
  };
  return cached;
}

/** Tests change the environment between cases; this forgets the parsed copy. */
export function resetEnvForTests(): void {
  cached = undefined;
}
