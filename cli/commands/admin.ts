import { localOperator } from "@/lib/auth/actor";
import { createAdmin, deleteAdmin, hasAnyAdmin, disableAdmin, enableAdmin, endSession, listAddressLocks, listAdmins, listSessions, resetPassword, signOutEverywhere, unlockSignIn } from "@/lib/auth/admins";
import { formatDateTime } from "@/lib/format";
import { issueSetupCode } from "@/lib/auth/setup-code";
import { endSessionSchema, newPasswordSchema, usernameSchema } from "@/lib/auth/schema";
import { AppError } from "@/lib/errors";
import { flagBool, flagString, UsageError, type CliCommand } from "../framework";

async function passwordFromStdin(readStdin: () => Promise<string>): Promise<string> {
  const raw = (await readStdin()).replace(/\r?\n$/, "");
  const parsed = newPasswordSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("invalid_input", parsed.error.issues[0].message, { field: "password" });
  return parsed.data;
}

function username(args: Parameters<CliCommand["run"]>[0]["args"]): string {
  const u = flagString(args, "username");
  if (!u) throw new UsageError("--username U is required");
  const parsed = usernameSchema.safeParse(u);
  if (!parsed.success) throw new AppError("invalid_input", parsed.error.issues[0].message, { field: "username" });
  return parsed.data;
}

export const commands: CliCommand[] = [
  {
    path: ["admin", "create"],
    usage: "admin create --username U   (password on stdin)",
    summary: "Create an admin account",
    async run({ args, stdout, readStdin }) {
      const u = username(args);
      const password = await passwordFromStdin(readStdin);
      await createAdmin(localOperator(), u, password);
      stdout(`Created admin "${u}"`);
    },
  },
  {
    path: ["admin", "reset-password"],
    usage: "admin reset-password --username U   (password on stdin)",
    summary: "Set a new password for an admin and end their sessions",
    async run({ args, stdout, readStdin }) {
      const u = username(args);
      const password = await passwordFromStdin(readStdin);
      await resetPassword(localOperator(), u, password);
      stdout(`Password of "${u}" changed; their sessions ended`);
    },
  },
  {
    path: ["admin", "list"],
    usage: "admin list [--json]",
    summary: "List admins: last sign-in, lock state, disabled, sessions",
    async run({ args, stdout }) {
      const admins = await listAdmins(localOperator());
      if (flagBool(args, "json")) {
        stdout(JSON.stringify(admins, null, 2));
        return;
      }
      for (const a of admins) {
        const state = [a.disabled ? "disabled" : "active", a.lockedUntil ? `locked until ${formatDateTime(a.lockedUntil)}` : a.recentFailures ? `${a.recentFailures} recent failed sign-in(s)` : ""].filter(Boolean).join(", ");
        const last = a.lastSignInAt ? `last sign-in ${formatDateTime(a.lastSignInAt)}${a.lastSignInIp ? ` from ${a.lastSignInIp}` : ""}` : "never signed in";
        stdout(`${a.username.padEnd(24)} ${state.padEnd(34)} ${last}; ${a.activeSessions} session${a.activeSessions === 1 ? "" : "s"}`);
      }
    },
  },
  {
    path: ["admin", "disable"],
    usage: "admin disable --username U",
    summary: "Disable an admin (sign-in refused, sessions end)",
    async run({ args, stdout }) {
      const u = username(args);
      await disableAdmin(localOperator(), u);
      stdout(`Disabled admin "${u}"; their sessions ended`);
    },
  },
  {
    path: ["admin", "enable"],
    usage: "admin enable --username U",
    summary: "Enable a disabled admin",
    async run({ args, stdout }) {
      const u = username(args);
      await enableAdmin(localOperator(), u);
      stdout(`Enabled admin "${u}"`);
    },
  },
  {
    path: ["admin", "delete"],
    usage: "admin delete --username U",
    summary: "Delete an admin (never the last active one)",
    async run({ args, stdout }) {
      const u = username(args);
      await deleteAdmin(localOperator(), u);
      stdout(`Deleted admin "${u}"`);
    },
  },
  {
    path: ["admin", "unlock"],
    usage: "admin unlock --username U | --ip ADDR",
    summary: "Lift a sign-in lock of a user or of a client address",
    async run({ args, stdout }) {
      const ip = flagString(args, "ip");
      const hasUser = flagString(args, "username") !== undefined;
      if (!ip === !hasUser) throw new UsageError("give exactly one of --username U or --ip ADDR");
      const target = ip ? { ip } : { username: username(args) };
      const count = await unlockSignIn(localOperator(), target);
      const label = ip ? `address ${ip}` : `"${(target as { username: string }).username}"`;
      stdout(count ? `Unlocked sign-in for ${label}` : `${label} was not locked`);
    },
  },
  {
    path: ["admin", "sessions"],
    usage: "admin sessions [--username U] [--json]",
    summary: "List open console sessions",
    async run({ args, stdout }) {
      const u = flagString(args, "username") !== undefined ? username(args) : undefined;
      const sessions = await listSessions(localOperator(), u);
      if (flagBool(args, "json")) {
        stdout(JSON.stringify(sessions, null, 2));
        return;
      }
      if (!sessions.length) stdout("No open sessions.");
      for (const s of sessions) stdout(`${s.ref}  ${s.username.padEnd(24)} since ${formatDateTime(s.createdAt)}, last seen ${formatDateTime(s.lastSeenAt)} from ${s.ip ?? "unknown"}${s.userAgent ? `  ${s.userAgent.slice(0, 80)}` : ""}`);
    },
  },
  {
    path: ["admin", "sign-out"],
    usage: "admin sign-out --username U",
    summary: "End every session of an admin (sign out everywhere)",
    async run({ args, stdout }) {
      const u = username(args);
      const count = await signOutEverywhere(localOperator(), u);
      stdout(`Ended ${count} session${count === 1 ? "" : "s"} of "${u}"`);
    },
  },
  {
    path: ["admin", "end-session"],
    usage: "admin end-session --ref REF",
    summary: "End one console session (REF from admin sessions)",
    async run({ args, stdout }) {
      const parsed = endSessionSchema.safeParse({ ref: flagString(args, "ref") ?? "" });
      if (!parsed.success) throw new AppError("invalid_input", `--ref: ${parsed.error.issues[0].message}`, { field: "ref" });
      const { username: u } = await endSession(localOperator(), parsed.data.ref);
      stdout(`Ended session ${parsed.data.ref} of "${u}"`);
    },
  },
  {
    path: ["admin", "locks"],
    usage: "admin locks [--json]",
    summary: "Client addresses with failed sign-ins or a lock (unlock with admin unlock --ip)",
    async run({ args, stdout }) {
      const locks = await listAddressLocks(localOperator());
      if (flagBool(args, "json")) {
        stdout(JSON.stringify(locks, null, 2));
        return;
      }
      if (!locks.length) stdout("No client address has failed sign-ins in the current window.");
      for (const l of locks) stdout(`${l.ip.padEnd(40)} ${l.lockedUntil ? `locked until ${formatDateTime(l.lockedUntil)}` : "not locked"}; ${l.failures} failure${l.failures === 1 ? "" : "s"} since ${formatDateTime(l.windowStart)}`);
    },
  },
  {
    path: ["admin", "setup-code"],
    usage: "admin setup-code",
    summary: "Print a new one-time code for the first-run /setup page",
    async run({ stdout }) {
      if (await hasAnyAdmin()) throw new AppError("conflict", "The console is already set up; add admins with: npm run cli -- admin create --username U");
      stdout(`setup code: ${await issueSetupCode()}`);
    },
  },
];
