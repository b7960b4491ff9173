import "server-only";
import { randomUUID } from "node:crypto";
import { getDb } from "../db/client";
import { getRow, sqlDate, statement, withWriteRetry } from "../db/sqlite";
import { describeCertificate, type CertificateInfo } from "../crypto/certificate";
import { AppError } from "../errors";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import type { Prisma } from "../generated/prisma/client";
import { decryptSecrets, mergeSecrets, sealSecrets } from "./secrets";
import { incompleteDetail } from "./completeness";
import { healthOf, type HealthUpdate, type ProfileHealthStatus } from "./health-status";
import {
  SECRET_LABELS,
  SECRET_NAMES,
  accountOf,
  profileInputSchema,
  profileSettingsSchema,
  type ParsedProfileInput,
  type ProfileInput,
  type ProfileKind,
  type ProfileSecrets,
  type ProfileSettings,
  type SecretName,
  type UpdateProfileInput,
} from "./schema";

/** What a profile looks like outside the DAL: settings, which secrets are set, never their values. */
export type ProfileDto = {
  id: string;
  name: string;
  kind: ProfileKind;
  description: string;
  account: string;
  settings: ProfileSettings;
  secretsSet: Partial<Record<SecretName, boolean>>;
  certificate: CertificateInfo | null;
  status: string;
  statusDetail: string;
  /** The typed status: which check set it, when (status/statusDetail are its plain form). */
  health: ProfileHealthStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
};

export type ProfileSummary = Omit<ProfileDto, "settings" | "certificate">;

type ProfileRow = Prisma.ProfileGetPayload<object>;

function secretNamesOf(row: { secretNames: string }): SecretName[] {
  return row.secretNames.split(",").filter((n): n is SecretName => (SECRET_NAMES as readonly string[]).includes(n));
}

function parseStoredSettings(row: ProfileRow): ProfileSettings {
  const parsed = profileSettingsSchema.safeParse(JSON.parse(row.settings));
  if (!parsed.success) {
    // Stored settings were valid when written; a failure here means a schema change needs a migration.
    throw new AppError("invalid_input", `Stored settings of profile "${row.name}" no longer validate: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

function toSummary(row: Omit<ProfileRow, "settings" | "secrets">): ProfileSummary {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as ProfileKind,
    description: row.description,
    account: row.account,
    secretsSet: Object.fromEntries(secretNamesOf(row).map((n) => [n, true])),
    status: row.status,
    statusDetail: row.statusDetail,
    health: healthOf(row),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  };
}

// Parsed settings (with the certificate's facts) and decrypted secrets of recently read rows,
// keyed by the stored text itself: a row whose settings or sealed secrets changed (edit, key
// rotation) is parsed or decrypted again; an unchanged one is not — the relay, the scheduler and
// bulk exports read the same profiles over and over. Bounded; callers get shallow copies.
const PARSED_MAX = 5000;
const parsedSettings = new Map<string, { text: string; settings: ProfileSettings; certificate: CertificateInfo | null }>();
const openedSecrets = new Map<string, { sealed: string; secrets: ProfileSecrets }>();

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= PARSED_MAX) map.clear();
  map.set(key, value);
}

function toDto(row: ProfileRow): ProfileDto {
  let hit = parsedSettings.get(row.id);
  if (!hit || hit.text !== row.settings) {
    const settings = parseStoredSettings(row);
    let certificate: CertificateInfo | null = null;
    if ("certificatePem" in settings && settings.certificatePem) {
      try {
        certificate = describeCertificate(settings.certificatePem);
      } catch {
        certificate = null;
      }
    }
    hit = { text: row.settings, settings, certificate };
    remember(parsedSettings, row.id, hit);
  }
  return { ...toSummary(row), settings: { ...hit.settings }, certificate: hit.certificate ? { ...hit.certificate } : null };
}

/** The row's secrets, decrypted once per sealed blob (see parsedSettings). Throws like decryptSecrets. */
async function secretsOf(row: { id: string; secrets: string | null }): Promise<ProfileSecrets> {
  if (!row.secrets) return {};
  const hit = openedSecrets.get(row.id);
  if (hit && hit.sealed === row.secrets) return { ...hit.secrets };
  const secrets = await decryptSecrets(row);
  remember(openedSecrets, row.id, { sealed: row.secrets, secrets });
  return { ...secrets };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}

// ---------------------------------------------------------------------------------------------
// Reads

/** Which profiles a list or a bulk operation covers; absent parts do not filter. */
export type ProfileSelection = { query?: string; kinds?: readonly ProfileKind[]; statuses?: readonly string[]; /** Exactly these profiles (the list's checkboxes), further narrowed by the other parts. */ ids?: readonly string[] };

/**
 * Status order of "failures first": what needs an admin now, then what is unproven, then what
 * works. Statuses not named here (added later) sort after these, by name.
 */
export const STATUS_ORDER: readonly string[] = ["failing", "needs-reauth", "incomplete", "untested", "ok"];

function profileWhere(sel: ProfileSelection): Prisma.ProfileWhereInput {
  const text = sel.query?.trim();
  return {
    ...(sel.ids ? { id: { in: [...sel.ids] } } : {}),
    ...(sel.kinds ? { kind: { in: [...sel.kinds] } } : {}),
    ...(sel.statuses?.length ? { status: { in: [...sel.statuses] } } : {}),
    ...(text ? { OR: [{ name: { contains: text } }, { account: { contains: text } }, { description: { contains: text } }] } : {}),
  };
}

/** How many profiles a selection covers. */
export async function countSelectedProfiles(_actor: Actor, sel: ProfileSelection): Promise<number> {
  return getDb().profile.count({ where: profileWhere(sel) });
}

/** How many profiles a selection covers per kind (kinds with none are absent). */
export async function countSelectedByKind(_actor: Actor, sel: ProfileSelection): Promise<Partial<Record<ProfileKind, number>>> {
  const groups = await getDb().profile.groupBy({ by: ["kind"], where: profileWhere(sel), _count: { _all: true } });
  return Object.fromEntries(groups.map((g) => [g.kind, g._count._all]));
}

export const PROFILE_SORTS = ["status", "name", "updated"] as const;
/** `status`: failures first (STATUS_ORDER), then by name; `name`; `updated`: last changed first. */
export type ProfileSort = (typeof PROFILE_SORTS)[number];

export type ListProfilesQuery = { query?: string; kind?: ProfileKind; statuses?: readonly string[]; sort?: ProfileSort; page?: number; pageSize?: number };

/** One page of profiles (name order unless `sort` says otherwise), with the total matching count. */
export async function listProfiles(_actor: Actor, q: ListProfilesQuery = {}): Promise<{ items: ProfileSummary[]; total: number; page: number; pageSize: number }> {
  const pageSize = Math.min(Math.max(q.pageSize ?? 50, 1), 500);
  const page = Math.max(q.page ?? 1, 1);
  const where = profileWhere({ query: q.query, kinds: q.kind ? [q.kind] : undefined, statuses: q.statuses });
  const db = getDb();
  const omit = { settings: true, secrets: true } as const;
  if (q.sort === "status") {
    // SQLite cannot order by a rank through Prisma: count each status, then read the page's
    // slice of each status group in rank order (at most one query per status on the page).
    const groups = await db.profile.groupBy({ by: ["status"], where, _count: { _all: true } });
    const rank = (s: string) => (STATUS_ORDER.includes(s) ? STATUS_ORDER.indexOf(s) : STATUS_ORDER.length);
    groups.sort((a, b) => rank(a.status) - rank(b.status) || a.status.localeCompare(b.status));
    const total = groups.reduce((n, g) => n + g._count._all, 0);
    let skip = (page - 1) * pageSize;
    const items: ProfileSummary[] = [];
    for (const g of groups) {
      if (items.length >= pageSize) break;
      if (skip >= g._count._all) {
        skip -= g._count._all;
        continue;
      }
      const rows = await db.profile.findMany({ where: { AND: [where, { status: g.status }] }, orderBy: { nameKey: "asc" }, skip, take: pageSize - items.length, omit });
      items.push(...rows.map(toSummary));
      skip = 0;
    }
    return { items, total, page, pageSize };
  }
  // Name order ignores letter case, as names are unique ignoring it (nameKey).
  const orderBy: Prisma.ProfileOrderByWithRelationInput[] = q.sort === "updated" ? [{ updatedAt: "desc" }, { nameKey: "asc" }] : [{ nameKey: "asc" }];
  const [rows, total] = await Promise.all([db.profile.findMany({ where, orderBy, skip: (page - 1) * pageSize, take: pageSize, omit }), db.profile.count({ where })]);
  return { items: rows.map(toSummary), total, page, pageSize };
}

/** Counts per kind and status for the dashboard. */
export async function countProfiles(_actor: Actor): Promise<{ total: number; byStatus: Record<string, number> }> {
  const groups = await getDb().profile.groupBy({ by: ["status"], _count: { _all: true } });
  const byStatus = Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
  return { total: groups.reduce((n, g) => n + g._count._all, 0), byStatus };
}

/** A profile by id. Throws AppError(not_found). */
// Every relayed message, token request and scheduled check reads its profile by id: a prepared
// statement on the raw connection (lib/db/sqlite.ts), not a Prisma query (~0.8 ms of CPU each).
const profileRowById = (id: string) => getRow<ProfileRow>(`SELECT * FROM "Profile" WHERE "id" = ?`, id);

export async function getProfile(_actor: Actor, id: string): Promise<ProfileDto> {
  const row = profileRowById(id);
  if (!row) throw new AppError("not_found", "Profile not found. It may have been deleted.");
  return toDto(row);
}

/** A profile by id, or null when there is none (pages answer 404 with it). */
export async function findProfile(actor: Actor, id: string): Promise<ProfileDto | null> {
  const row = profileRowById(id);
  return row ? toDto(row) : null;
}

/**
 * The form a name is compared in: names are unique case-insensitively (the CLI addresses profiles
 * by name, and "Payroll" and "payroll" must not be two profiles). The schema allows ASCII names
 * only, so lower-casing is the whole rule (the migration computes it with SQLite's lower()).
 */
export function profileNameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** A profile by its unique name (the CLI's handle), in any letter case. Throws AppError(not_found). */
export async function getProfileByName(_actor: Actor, name: string): Promise<ProfileDto> {
  const row = await getDb().profile.findUnique({ where: { nameKey: profileNameKey(name) } });
  if (!row) throw new AppError("not_found", `No profile named "${name}". List them with: npm run cli -- profile list`);
  return toDto(row);
}

/**
 * Settings and decrypted secrets for the code that uses them (token acquisition, sending,
 * exports with secrets). Server-only; never pass the result to a client component.
 */
export async function loadProfileWithSecrets(actor: Actor, id: string): Promise<{ profile: ProfileDto; secrets: ProfileSecrets }> {
  const row = profileRowById(id);
  if (!row) throw new AppError("not_found", "Profile not found. It may have been deleted.");
  return { profile: toDto(row), secrets: await secretsOf(row) };
}

export type ProfileWithSecrets = { profile: ProfileDto; secrets: ProfileSecrets };

/**
 * Every selected profile in name order, `batchSize` rows per query (keyset pagination, so memory
 * stays flat at 10,000 profiles), with decrypted secrets when `withSecrets`. A profile whose
 * secrets cannot be opened comes back with `error` instead of failing the whole run.
 * Server-only, like loadProfileWithSecrets.
 */
export async function* iterateProfiles(
  _actor: Actor,
  sel: ProfileSelection,
  options: { withSecrets: boolean; batchSize?: number },
): AsyncGenerator<({ profile: ProfileDto; secrets?: ProfileSecrets; error?: AppError })[]> {
  const take = Math.min(Math.max(options.batchSize ?? 250, 1), 1000);
  const where = profileWhere(sel);
  let after: string | undefined;
  for (;;) {
    const rows = await getDb().profile.findMany({
      where: after === undefined ? where : { AND: [where, { name: { gt: after } }] },
      orderBy: { name: "asc" },
      take,
    });
    if (rows.length === 0) return;
    after = rows[rows.length - 1].name;
    const batch = [];
    for (const row of rows) {
      const profile = toDto(row);
      if (!options.withSecrets) {
        batch.push({ profile });
        continue;
      }
      try {
        batch.push({ profile, secrets: await secretsOf(row) });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        batch.push({ profile, error });
      }
    }
    yield batch;
    if (rows.length < take) return;
  }
}


// ---------------------------------------------------------------------------------------------
// Writes



/** The refusal of a name another profile has, naming that profile as it is spelled. */
async function nameTaken(name: string): Promise<AppError> {
  const other = await getDb().profile.findUnique({ where: { nameKey: profileNameKey(name) }, select: { name: true } });
  const anyCase = other && other.name !== name ? " (profile names are unique regardless of letter case)" : "";
  return new AppError("conflict", `A profile named "${other?.name ?? name}" already exists${anyCase}. Choose another name.`, { field: "settings.name" });
}

/**
 * The status a save leaves: "incomplete" (with what is missing) while a field only the console
 * needs is empty (lib/profiles/completeness.ts); once it is set, "untested" again. Any other
 * status (set by a check) is kept.
 */
function completenessStatus(settings: ProfileSettings, current: string): { status?: string; statusDetail?: string; statusCheck?: string; statusAt?: null } {
  const detail = incompleteDetail(settings);
  if (detail) return { status: "incomplete", statusDetail: detail.slice(0, 500), statusCheck: "", statusAt: null };
  return current === "incomplete" || current === "untested" ? { status: "untested", statusDetail: "", statusCheck: "", statusAt: null } : {};
}

/** Creates a profile. Throws AppError(invalid_input | conflict) with the offending field. */
export async function createProfile(actor: Actor, rawInput: ProfileInput): Promise<ProfileDto> {
  const input = profileInputSchema.parse(rawInput);
  const id = randomUUID();
  const { secrets, settings } = mergeSecrets(input.settings, {}, input);
  const sealed = await sealSecrets(id, secrets);
  try {
    const row = await getDb().profile.create({
      data: {
        id,
        name: settings.name,
        nameKey: profileNameKey(settings.name),
        kind: settings.kind,
        description: settings.description,
        account: accountOf(settings),
        settings: JSON.stringify(settings),
        ...sealed,
        ...completenessStatus(settings, "untested"),
        updatedBy: actor.username,
      },
    });
    await recordActivity(actor, {
      action: "profile.create",
      outcome: "success",
      profileId: id,
      profileName: settings.name,
      summary: `Created ${settings.kind} profile "${settings.name}"${sealed.secretNames ? ` with ${sealed.secretNames.split(",").map((n) => SECRET_LABELS[n as SecretName].toLowerCase()).join(", ")}` : ""}`,
    });
    return toDto(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw await nameTaken(settings.name);
    throw error;
  }
}

function describeChanges(before: ProfileSettings, after: ProfileSettings, secretsBefore: string[], secretsAfter: ProfileSecrets, input: ParsedProfileInput): string[] {
  const changes: string[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const k of keys) {
    const a = (before as Record<string, unknown>)[k];
    const b = (after as Record<string, unknown>)[k];
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push(k);
  }
  for (const name of SECRET_NAMES) {
    const had = secretsBefore.includes(name);
    const has = secretsAfter[name] !== undefined;
    if (had && !has) changes.push(`${SECRET_LABELS[name].toLowerCase()} cleared`);
    else if (!had && has) changes.push(`${SECRET_LABELS[name].toLowerCase()} set`);
    else if (has && input.secrets[name]?.trim()) changes.push(`${SECRET_LABELS[name].toLowerCase()} replaced`);
  }
  return changes;
}

/**
 * Saves an edit made against `input.version`. A stale version is refused with who changed the
 * profile and when (AppError "stale_version"); nothing is overwritten.
 */
export async function updateProfile(actor: Actor, id: string, rawInput: UpdateProfileInput): Promise<ProfileDto> {
  const db = getDb();
  const current = await db.profile.findUnique({ where: { id } });
  if (!current) throw new AppError("not_found", "Profile not found. It may have been deleted.");
  const input = { ...profileInputSchema.parse(rawInput), version: Number(rawInput.version) };
  if (input.settings.kind !== current.kind) {
    throw new AppError("invalid_input", "The kind of a profile cannot change. Duplicate it or create a new profile instead.", { field: "settings.kind" });
  }
  const stale = () =>
    new AppError("stale_version", `This profile was changed by ${current.updatedBy || "someone"} at ${current.updatedAt.toISOString().replace("T", " ").slice(0, 19)} UTC after you opened it. Your edit was not saved; reload to see their changes, then apply yours again.`);
  if (current.version !== input.version) throw stale();
  const storedSecrets = await decryptSecrets(current);
  const { secrets, settings } = mergeSecrets(input.settings, storedSecrets, input);
  const before = parseStoredSettings(current);
  const changes = describeChanges(before, settings, secretNamesOf(current), secrets, input);
  const sealed = await sealSecrets(id, secrets);
  try {
    const res = await db.profile.updateMany({
      where: { id, version: input.version },
      data: {
        name: settings.name,
        nameKey: profileNameKey(settings.name),
        description: settings.description,
        account: accountOf(settings),
        settings: JSON.stringify(settings),
        ...sealed,
        ...completenessStatus(settings, current.status),
        version: { increment: 1 },
        updatedBy: actor.username,
      },
    });
    if (res.count === 0) {
      const latest = await db.profile.findUnique({ where: { id } });
      if (!latest) throw new AppError("not_found", "Profile not found. It may have been deleted.");
      throw new AppError("stale_version", `This profile was changed by ${latest.updatedBy || "someone"} at ${latest.updatedAt.toISOString().replace("T", " ").slice(0, 19)} UTC while you were saving. Your edit was not saved; reload and apply it again.`);
    }
  } catch (error) {
    if (isUniqueViolation(error)) throw await nameTaken(settings.name);
    throw error;
  }
  await recordActivity(actor, {
    action: "profile.update",
    outcome: "success",
    profileId: id,
    profileName: settings.name,
    summary: changes.length ? `Updated "${settings.name}": ${changes.join(", ")}` : `Saved "${settings.name}" (no changes)`,
  });
  return getProfile(actor, id);
}

/** Copies a profile (settings and secrets, re-encrypted for the new id) under a new name. */
export async function duplicateProfile(actor: Actor, id: string, newName?: string): Promise<ProfileDto> {
  const { profile, secrets } = await loadProfileWithSecrets(actor, id);
  const db = getDb();
  let name = newName?.trim();
  if (!name) {
    for (let i = 1; i < 1000; i++) {
      const candidate = `${profile.name.slice(0, 56)} copy${i > 1 ? ` ${i}` : ""}`;
      if (!(await db.profile.findUnique({ where: { nameKey: profileNameKey(candidate) }, select: { id: true } }))) {
        name = candidate;
        break;
      }
    }
  }
  const created = await createProfile(actor, { settings: { ...profile.settings, name: name! }, secrets, clearSecrets: [] });
  await recordActivity(actor, { action: "profile.duplicate", outcome: "success", profileId: created.id, profileName: created.name, summary: `Duplicated "${profile.name}" as "${created.name}"` });
  return created;
}

/** Deletes a profile and its cached tokens. Throws AppError(not_found). */
export async function deleteProfile(actor: Actor, id: string): Promise<{ name: string }> {
  const db = getDb();
  const row = await db.profile.findUnique({ where: { id }, select: { name: true, kind: true } });
  if (!row) throw new AppError("not_found", "Profile not found. It may have been deleted already.");
  await db.profile.delete({ where: { id } });
  await recordActivity(actor, { action: "profile.delete", outcome: "success", profileId: id, profileName: row.name, summary: `Deleted ${row.kind} profile "${row.name}" and its cached tokens` });
  return { name: row.name };
}

/**
 * Records what a check found (ok / failing / needs-reauth), which check it was and when. A check
 * is not an edit: version, updatedAt and updatedBy stay as the last edit left them.
 */
const SET_HEALTH = `UPDATE "Profile" SET "status" = ?, "statusDetail" = ?, "statusCheck" = ?, "statusAt" = ? WHERE "id" = ? AND NOT ("status" = 'incomplete' AND ? = 'ok')`;

export async function setProfileHealth(_actor: Actor, id: string, update: HealthUpdate): Promise<void> {
  // One conditional UPDATE (no read-then-write transaction, which a concurrent writer on the other
  // connection would make fail): a working token does not make an incomplete profile complete —
  // only a failure replaces the note. updatedAt is not touched (not an edit).
  await withWriteRetry(() => statement(SET_HEALTH).run(update.state, update.detail.slice(0, 500), update.check, sqlDate(new Date()), id, update.state));
}
