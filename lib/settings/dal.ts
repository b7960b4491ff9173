import "server-only";
import { getDb } from "../db/client";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { consoleSettingsSchema, type ConsoleSettings } from "./schema";

const KEY = "console.settings";

/** The console settings, with defaults for anything never saved. */
export async function getConsoleSettings(): Promise<ConsoleSettings> {
  const row = await getDb().setting.findUnique({ where: { key: KEY } });
  const parsed = consoleSettingsSchema.safeParse(row ? JSON.parse(row.value) : {});
  return parsed.success ? parsed.data : consoleSettingsSchema.parse({});
}

export async function updateConsoleSettings(actor: Actor, input: ConsoleSettings): Promise<ConsoleSettings> {
  const value = consoleSettingsSchema.parse(input);
  const before = await getConsoleSettings();
  await getDb().setting.upsert({ where: { key: KEY }, create: { key: KEY, value: JSON.stringify(value) }, update: { value: JSON.stringify(value) } });
  const changed = (Object.keys(value) as (keyof ConsoleSettings)[]).filter((k) => value[k] !== before[k]).map((k) => `${k} ${before[k]} → ${value[k]}`);
  await recordActivity(actor, { action: "settings.update", outcome: "success", summary: changed.length ? `Settings changed: ${changed.join(", ")}` : "Settings saved (no changes)" });
  return value;
}
