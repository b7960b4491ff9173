import { localOperator } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";
import { getConsoleSettings, updateConsoleSettings } from "@/lib/settings/dal";
import { consoleSettingsSchema, type ConsoleSettings } from "@/lib/settings/schema";
import { flagBool, requirePositional, type CliCommand } from "../framework";

const KEYS = Object.keys(consoleSettingsSchema.shape) as (keyof ConsoleSettings)[];

function keyOf(name: string): keyof ConsoleSettings {
  if (!(KEYS as string[]).includes(name)) throw new AppError("invalid_input", `Unknown setting "${name}" (settings: ${KEYS.join(", ")})`, { field: "key" });
  return name as keyof ConsoleSettings;
}

export const commands: CliCommand[] = [
  {
    path: ["settings", "get"],
    usage: "settings get [KEY] [--json]",
    summary: "Show the console's runtime settings (the Settings page), or one of them",
    async run({ args, stdout }) {
      const settings = await getConsoleSettings();
      const key = args.positionals[0];
      if (key !== undefined) {
        const k = keyOf(key);
        stdout(flagBool(args, "json") ? JSON.stringify({ [k]: settings[k] }) : String(settings[k]));
        return;
      }
      if (flagBool(args, "json")) stdout(JSON.stringify(settings, null, 2));
      else for (const k of KEYS) stdout(`${k.padEnd(28)} ${settings[k]}`);
    },
  },
  {
    path: ["settings", "set"],
    usage: "settings set KEY VALUE",
    summary: "Change one runtime setting (validated like the Settings page, logged as settings.update)",
    async run({ args, stdout }) {
      const key = keyOf(requirePositional(args, 0, "setting KEY"));
      const value = requirePositional(args, 1, "VALUE");
      // The Settings page posts every field; so does this: the current values with one changed.
      const input = consoleSettingsSchema.parse({ ...(await getConsoleSettings()), [key]: value });
      const saved = await updateConsoleSettings(localOperator(), input);
      stdout(`${key} = ${saved[key]}`);
    },
  },
];
