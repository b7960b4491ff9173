import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { getDb } from "../db/client";
import { parseSqlDate, statement } from "../db/sqlite";
import { openSecret, sealSecret } from "../crypto/keyring";
import type { ClaimsSummary } from "../oauth/types";

/**
 * The token cache table: one row per (profile, scope). Token values sit in one encrypted blob
 * ({ accessToken?, refreshToken? }, AAD = the row id, so a blob copied to another row does not
 * open); claims, times and flags are plain columns for lists. Only lib/tokens uses this module.
 */

const sealedTokensSchema = z.object({ accessToken: z.string().optional(), refreshToken: z.string().optional() });
type SealedTokens = z.infer<typeof sealedTokensSchema>;

export type CacheRow = {
  id: string;
  profileId: string;
  scope: string;
  claims: ClaimsSummary;
  acquiredAt: Date;
  expiresAt: Date;
  hasRefreshToken: boolean;
  source: string;
};

export type CacheRowWithTokens = CacheRow & SealedTokens;

type DbRow = { id: string; profileId: string; scope: string; secrets: string; claims: string; acquiredAt: Date; expiresAt: Date; hasRefreshToken: boolean; source: string };

function parseClaims(text: string): ClaimsSummary {
  try {
    const value = JSON.parse(text) as ClaimsSummary;
    return typeof value === "object" && value ? { ...value, decoded: Boolean(value.decoded) } : { decoded: false };
  } catch {
    return { decoded: false };
  }
}

function toRow(row: DbRow): CacheRow {
  return { id: row.id, profileId: row.profileId, scope: row.scope, claims: parseClaims(row.claims), acquiredAt: row.acquiredAt, expiresAt: row.expiresAt, hasRefreshToken: row.hasRefreshToken, source: row.source };
}

async function openTokens(row: DbRow): Promise<SealedTokens> {
  return sealedTokensSchema.parse(JSON.parse(await openSecret(row.secrets, row.id)));
}

/** The entry with its decrypted tokens, or null. */
export async function readCacheEntry(profileId: string, scope: string): Promise<CacheRowWithTokens | null> {
  const row = await getDb().tokenCacheEntry.findUnique({ where: { profileId_scope: { profileId, scope } } });
  if (!row) return null;
  return { ...toRow(row), ...(await openTokens(row)) };
}

/** Entries without token values, for lists; `profileId` narrows to one profile. */
export async function listCacheRows(profileId?: string): Promise<(CacheRow & { profileName: string; profileKind: string })[]> {
  const rows = await getDb().tokenCacheEntry.findMany({
    where: profileId ? { profileId } : undefined,
    include: { profile: { select: { name: true, kind: true } } },
    orderBy: [{ expiresAt: "asc" }],
  });
  return rows.map((r) => ({ ...toRow(r), profileName: r.profile.name, profileKind: r.profile.kind }));
}

/**
 * Stores tokens for (profile, scope), creating the row or updating it in place (same id, so the
 * AAD stays valid). A refresh token passed as undefined removes it; callers that must keep the
 * old one pass it back in.
 */
export async function writeCacheEntry(input: { profileId: string; scope: string; accessToken?: string; refreshToken?: string; claims: ClaimsSummary; acquiredAt: Date; expiresAt: Date; source: string }): Promise<void> {
  const db = getDb();
  const tokens: SealedTokens = { accessToken: input.accessToken, refreshToken: input.refreshToken };
  const data = { claims: JSON.stringify(input.claims), acquiredAt: input.acquiredAt, expiresAt: input.expiresAt, hasRefreshToken: Boolean(input.refreshToken), source: input.source };
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await db.tokenCacheEntry.findUnique({ where: { profileId_scope: { profileId: input.profileId, scope: input.scope } }, select: { id: true } });
    if (existing) {
      await db.tokenCacheEntry.update({ where: { id: existing.id }, data: { ...data, secrets: await sealSecret(JSON.stringify(tokens), existing.id) } });
      return;
    }
    const id = randomUUID();
    try {
      await db.tokenCacheEntry.create({ data: { id, profileId: input.profileId, scope: input.scope, ...data, secrets: await sealSecret(JSON.stringify(tokens), id) } });
      return;
    } catch (error) {
      // Another process created the row between our read and write: update it instead.
      if ((error as { code?: string }).code !== "P2002" || attempt > 0) throw error;
    }
  }
}

/** Removes the access token of an entry but keeps its refresh token; rows without one go. */
export async function dropAccessToken(entry: CacheRowWithTokens): Promise<void> {
  const db = getDb();
  if (!entry.refreshToken) {
    await db.tokenCacheEntry.deleteMany({ where: { id: entry.id } });
    return;
  }
  await db.tokenCacheEntry.update({
    where: { id: entry.id },
    data: { secrets: await sealSecret(JSON.stringify({ refreshToken: entry.refreshToken }), entry.id), expiresAt: new Date(0) },
  });
}

/** Forgets a dead refresh token (invalid_grant) while keeping the row's history columns. */
export async function dropRefreshToken(entry: CacheRowWithTokens): Promise<void> {
  const tokens: SealedTokens = entry.accessToken && entry.expiresAt.getTime() > Date.now() ? { accessToken: entry.accessToken } : {};
  await getDb().tokenCacheEntry.update({
    where: { id: entry.id },
    data: { secrets: await sealSecret(JSON.stringify(tokens), entry.id), hasRefreshToken: false, expiresAt: tokens.accessToken ? entry.expiresAt : new Date(0) },
  });
}

/** Deletes every entry of a profile. Returns how many went. */
export async function deleteCacheEntries(profileId: string): Promise<number> {
  return (await getDb().tokenCacheEntry.deleteMany({ where: { profileId } })).count;
}

/** All entries of a profile with their tokens (invalidation without a purpose). */
export async function readCacheEntries(profileId: string): Promise<CacheRowWithTokens[]> {
  const rows = await getDb().tokenCacheEntry.findMany({ where: { profileId } });
  return Promise.all(rows.map(async (r) => ({ ...toRow(r), ...(await openTokens(r)) })));
}

/**
 * The profile's version and the identity and times of its cache row for `scope` (no secrets), in
 * one raw query: the in-process hot path's check that what it holds is still current. (Through
 * Prisma's query builder the same costs ~0.8 ms of CPU, through $queryRaw ~0.15 ms, prepared once
 * on the raw connection a few microseconds.)
 */
const CACHE_STAMP = `SELECT p."version" AS version, t."id" AS id, t."acquiredAt" AS acquiredAt, t."expiresAt" AS expiresAt FROM "Profile" p LEFT JOIN "TokenCacheEntry" t ON t."profileId" = p."id" AND t."scope" = ? WHERE p."id" = ?`;

export async function readCacheStamp(profileId: string, scope: string): Promise<{ version: number; entry: { id: string; acquiredAt: Date; expiresAt: Date } | null } | null> {
  // A prepared statement on the raw connection (lib/db/sqlite.ts): every send with a cached token runs it.
  const r = statement(CACHE_STAMP).get(scope, profileId) as { version: number | bigint; id: string | null; acquiredAt: string | number | null; expiresAt: string | number | null } | undefined;
  if (!r) return null;
  return { version: Number(r.version), entry: r.id && r.acquiredAt !== null && r.expiresAt !== null ? { id: r.id, acquiredAt: parseSqlDate(r.acquiredAt), expiresAt: parseSqlDate(r.expiresAt) } : null };
}
