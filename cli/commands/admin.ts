import { localOperator } from "@/lib/auth/actor";
import { createAdmin, resetPassword } from "@/lib/auth/admins";
import { newPasswordSchema, usernameSchema } from "@/lib/auth/schema";
import { AppError } from "@/lib/errors";
import { flagString, UsageError, type CliCommand } from "../framework";

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
];
