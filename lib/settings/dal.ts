import "server-only";
import { getDb } from "../db/client";
import { getEnv } from "../env";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { consoleSettingsSchema, type ConsoleSettings } from "./schema";

const KEY = "console.settings";

// Read on every token lookup and send: kept for a few seconds. A change made in this process is
// seen at once (updateConsoleSettings forgets it); one made by another process within the TTL.
const MEMO_TTL_MS = 5_000;
const memo = globalThis as unknown as { __omcSettingsMemo?: { at: number; file: string; value: ConsoleSettings } };

/** The console settings, with defaults for anything never saved. */
export async function getConsoleSettings(): Promise<ConsoleSettings> {
  const file = getEnv().databaseFile;
  const m = memo.__omcSettingsMemo;
  if (m && m.file === file && Date.now() - m.at < MEMO_TTL_MS) return m.value;
  const row = await getDb().setting.findUnique({ where: { key: KEY } });
  const parsed = consoleSettingsSchema.safeParse(row ? JSON.parse(row.value) : {});
  const value = parsed.success ? parsed.data : consoleSettingsSchema.parse({});
  memo.__omcSettingsMemo = { at: Date.now(), file, value };
  return value;
}

export async function updateConsoleSettings(actor: Actor, input: ConsoleSettings): Promise<ConsoleSettings> {
  const value = consoleSettingsSchema.parse(input);
  const before = await getConsoleSettings();
  await getDb().setting.upsert({ where: { key: KEY }, create: { key: KEY, value: JSON.stringify(value) }, update: { value: JSON.stringify(value) } });
  memo.__omcSettingsMemo = undefined;
  const changed = (Object.keys(value) as (keyof ConsoleSettings)[]).filter((k) => value[k] !== before[k]).map((k) => `${k} ${before[k]} → ${value[k]}`);
  await recordActivity(actor, { action: "settings.update", outcome: "success", summary: changed.length ? `Settings changed: ${changed.join(", ")}` : "Settings saved (no changes)" });
  return value;
}
