import { z } from "zod";
import { MIN_PASSWORD_LENGTH } from "./password-policy";

export const usernameSchema = z
  .string()
  .trim()
  .min(3, { message: "Username must be at least 3 characters" })
  .max(64, { message: "Username must be at most 64 characters" })
  .regex(/^[A-Za-z0-9._@-]+$/, { message: "Username may contain letters, digits and . _ @ -" });

export const newPasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, { message: `Password must be at least ${MIN_PASSWORD_LENGTH} characters` })
  .max(1024, { message: "Password must be at most 1024 characters" });

export const signInSchema = z.object({
  username: z.string().trim().min(1, { message: "Enter your username" }).max(64),
  password: z.string().min(1, { message: "Enter your password" }).max(1024),
});

export const setupSchema = z
  .object({
    setupCode: z.string().trim().min(1, { message: "Enter the setup code printed in the server log" }).max(64, { message: "Setup code must be at most 64 characters" }),
    username: usernameSchema,
    password: newPasswordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two passwords differ" });

export const changePasswordSchema = z
  .object({ current: z.string().min(1, { message: "Enter your current password" }), password: newPasswordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two passwords differ" });

/** Unlock a sign-in lock: exactly one of a username or a client address (Settings and `admin unlock`). */
export const unlockSignInSchema = z
  .object({
    username: z.preprocess((v) => (v === "" ? undefined : v), usernameSchema.optional()),
    ip: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().max(64, { message: "IP address must be at most 64 characters" }).optional()),
  })
  .refine((v) => Boolean(v.username) !== Boolean(v.ip), { path: ["username"], message: "Enter either a username or an IP address" });

/** The acting admin's own password, re-entered before a destructive action (Settings → Admins, backup). */
const reauthPasswordSchema = z.string().min(1, { message: "Enter your password to confirm" }).max(1024, { message: "Password must be at most 1024 characters" });

/** One admin of Settings → Admins (disable, enable, unlock, sign out everywhere). */
export const adminTargetSchema = z.object({ username: usernameSchema });

/** Delete an admin: the target and the acting admin's password. */
export const deleteAdminSchema = z.object({ username: usernameSchema, current: reauthPasswordSchema });

/** Reset another admin's password: the acting admin's password, the new one twice. */
export const resetAdminPasswordSchema = z
  .object({ username: usernameSchema, current: reauthPasswordSchema, password: newPasswordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two passwords differ" });

/** End one session: its reference from the sessions list (a prefix of the stored hash, not the cookie). */
export const endSessionSchema = z.object({ ref: z.string().regex(/^[0-9a-f]{12}$/, { message: "A session reference is 12 hexadecimal characters" }) });

/** Download a backup: the acting admin's password. */
export const backupRequestSchema = z.object({ current: reauthPasswordSchema });
