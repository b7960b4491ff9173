import path from "node:path";
import { z } from "zod";

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
  LOGIN_WINDOW_MINUTES: z.coerce.number().min(0.01).max(24 * 60).default(15),
  LOGIN_LOCK_MINUTES: z.coerce.number().min(0.01).max(24 * 60).default(15),
  COOKIE_SECURE: z.enum(["auto", "true", "false"]).default("auto"),
});

export type Env = z.infer<typeof envSchema> & {
  dataDir: string;
  databaseFile: string;
  publicUrl: string;
  cookieSecure: boolean;
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
  };
  return cached;
}

/** Tests change the environment between cases; this forgets the parsed copy. */
export function resetEnvForTests(): void {
  cached = undefined;
}
