/**
 * Bulk work on profiles (test, refresh tokens, delete): what the console's progress list and
 * summary show and what `profile test --all --json` prints — one shape for both. Plain types and
 * constants, no zod, no server-only: the lazy bulk panel imports them.
 */
import type { ProfileKind } from "./kinds";

export const BULK_OPERATIONS = ["test", "refresh", "delete"] as const;
export type BulkOperation = (typeof BULK_OPERATIONS)[number];

export const BULK_OPERATION_LABELS: Record<BulkOperation, { title: string; verb: string; what: string }> = {
  test: {
    title: "Test tokens",
    verb: "Testing",
    what: "Runs the token check of each profile's monitoring: a new token from the identity provider proves the credential works today. No mail is sent to anyone.",
  },
  refresh: {
    title: "Refresh tokens",
    verb: "Refreshing",
    what: "Asks the identity provider for a new access token for each profile and stores it in the encrypted token cache (an authorization-code profile uses its refresh token). No mail is sent.",
  },
  delete: { title: "Delete", verb: "Deleting", what: "Deletes each profile with its encrypted secrets and cached tokens. Activity log entries stay." },
};

/** The most profiles a bulk request may name one by one (a page of the list is 50). */
export const BULK_MAX_IDS = 500;
/** Profiles worked on at once (Graph allows 4 requests per mailbox; IdPs throttle bursts). */
export const BULK_CONCURRENCY = 4;

export type BulkItemStatus = "ok" | "failed" | "skipped";

/** One profile's outcome: `message` is the decoded reason for a failure, `hint` what to do. */
export type BulkItemResult = {
  profileId: string;
  profileName: string;
  kind: ProfileKind;
  status: BulkItemStatus;
  message: string;
  hint?: string;
  /** The decoded error code (AADSTS…, invalid_grant, needs_authorization…) of a failure. */
  code?: string;
};

export type BulkSummary = { total: number; ok: number; failed: number; skipped: number };

/** A whole run: every profile's result in name order, and the counts. */
export type BulkRunResult = { operation: BulkOperation; results: BulkItemResult[]; summary: BulkSummary };

/** The NDJSON lines of POST /api/profiles/bulk: the count first, each profile as it finishes, then the run. */
export type BulkStreamEvent =
  | { type: "start"; operation: BulkOperation; total: number }
  | ({ type: "item" } & BulkItemResult)
  | ({ type: "done" } & BulkRunResult);

/** Counts of a list of results. */
export function summarizeBulk(results: readonly Pick<BulkItemResult, "status">[]): BulkSummary {
  const s: BulkSummary = { total: results.length, ok: 0, failed: 0, skipped: 0 };
  for (const r of results) s[r.status]++;
  return s;
}

/** "3 ok, 1 failed, 2 skipped" — the summary line of the console and the CLI. */
export function bulkSummaryLine(s: BulkSummary): string {
  return `${s.ok} ok, ${s.failed} failed, ${s.skipped} skipped (of ${s.total})`;
}
