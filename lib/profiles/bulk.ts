import "server-only";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { AppError, isAppError } from "../errors";
import { describeClaims } from "../oauth/claims";
import { TOKEN_KINDS, checkId } from "../monitor/dal";
import { deliverReportAlerts, ensureChecks, runOneCheckNow } from "../monitor/service";
import { getAccessToken } from "../tokens";
import { countSelectedProfiles, deleteProfile, iterateProfiles, type ProfileDto, type ProfileSelection } from "./dal";
import { KIND_LABELS } from "./kinds";
import { statusesOf } from "./list-query";
import type { BulkSelectionInput } from "./bulk-schema";
import { BULK_CONCURRENCY, BULK_OPERATION_LABELS, bulkSummaryLine, summarizeBulk, type BulkItemResult, type BulkOperation, type BulkRunResult } from "./bulk-types";

/**
 * Bulk work on profiles: one function for the console's streaming route (POST /api/profiles/bulk)
 * and the CLI (`profile test|refresh --all`), so both give the same results for the same input.
 */

/** The DAL selection of a validated bulk selection: the ticked ids, or the list's filter. */
export function profileSelectionOf(input: BulkSelectionInput): ProfileSelection {
  if (input.ids) return { ids: [...new Set(input.ids)] };
  const f: NonNullable<BulkSelectionInput["filter"]> = input.filter ?? { q: undefined };
  return { query: f.q, kinds: f.kind ? [f.kind] : undefined, statuses: statusesOf(f.status) };
}

/** How a selection reads in the activity log: "3 selected profiles" / "all matching search “pay”, kind …". */
function describeSelection(input: BulkSelectionInput): string {
  if (input.ids) return `${new Set(input.ids).size} selected profile(s)`;
  const f: NonNullable<BulkSelectionInput["filter"]> = input.filter ?? { q: undefined };
  const parts = [f.q && `search “${f.q}”`, f.kind && `kind ${KIND_LABELS[f.kind]}`, f.status && `status ${f.status}`].filter(Boolean);
  return `all profiles${parts.length ? ` matching ${parts.join(", ")}` : ""}`;
}

export type BulkRunOptions = {
  /** Profiles worked on at once (default 4, at most 8). */
  concurrency?: number;
  /** Delete only: the count the admin confirmed; the run is refused when the selection covers another number. */
  confirmCount?: number;
  /** The number of profiles the run covers, before the first result. */
  onStart?: (total: number) => void;
  /** Each profile's result as it finishes (completion order). */
  onItem?: (result: BulkItemResult) => void;
};

const failure = (base: Pick<BulkItemResult, "profileId" | "profileName" | "kind">, error: AppError): BulkItemResult => ({
  ...base,
  status: "failed",
  message: error.userMessage,
  ...(error.hint ? { hint: error.hint } : {}),
  code: error.remoteCode ?? error.code,
});

function noToken(base: Pick<BulkItemResult, "profileId" | "profileName" | "kind">): BulkItemResult {
  return { ...base, status: "skipped", message: `No token to check: ${KIND_LABELS[base.kind]} profiles do not sign in with OAuth.` };
}

/**
 * Test: the monitor's token check of the profile ("Run now" on its page) — a new token from the
 * identity provider, stored as the check's result and the profile's health, alerts raised as the
 * scheduler would. A transient IdP or network fault gives no verdict and counts as failed, with
 * the reason. No mail is sent.
 */
async function testOne(actor: Actor, p: ProfileDto): Promise<BulkItemResult> {
  const base = { profileId: p.id, profileName: p.name, kind: p.kind };
  if (!TOKEN_KINDS.includes(p.kind)) return noToken(base);
  const report = await runOneCheckNow(actor, checkId("token", p.id));
  if (!report) return { ...base, status: "skipped", message: "Profile not found: it was deleted while the run went on." };
  await deliverReportAlerts(report);
  if (report.status === "ok") return { ...base, status: "ok", message: report.message };
  return { ...base, status: "failed", message: report.message, ...(report.hint ? { hint: report.hint } : {}), code: report.status === "unknown" ? "no_verdict" : "token_check_failed" };
}

/** Refresh: a new access token from the IdP into the cache (the twin of "Get token now" forced / `token NAME --force`). */
async function refreshOne(actor: Actor, p: ProfileDto): Promise<BulkItemResult> {
  const base = { profileId: p.id, profileName: p.name, kind: p.kind };
  if (!TOKEN_KINDS.includes(p.kind)) return noToken(base);
  try {
    const token = await getAccessToken(actor, p.id, { forceRefresh: true });
    const claims = describeClaims(token.claims);
    return { ...base, status: "ok", message: `New token${claims ? `: ${claims}` : ""}; expires ${token.expiresAt.toISOString()}.` };
  } catch (error) {
    if (!isAppError(error)) throw error;
    return failure(base, error);
  }
}

async function deleteOne(actor: Actor, p: ProfileDto): Promise<BulkItemResult> {
  const base = { profileId: p.id, profileName: p.name, kind: p.kind };
  try {
    await deleteProfile(actor, p.id);
    return { ...base, status: "ok", message: "Deleted with its secrets and cached tokens." };
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.code === "not_found") return { ...base, status: "skipped", message: "Already deleted." };
    return failure(base, error);
  }
}

const RUNNERS: Record<BulkOperation, (actor: Actor, p: ProfileDto) => Promise<BulkItemResult>> = { test: testOne, refresh: refreshOne, delete: deleteOne };

/**
 * Runs a bulk operation over the selected profiles, `concurrency` at a time (4 by default),
 * reading them in batches of 100 so memory stays flat on 10,000 profiles. Each profile's result
 * goes to onItem as it finishes; one failing profile never stops the others. Every step is logged
 * by the code it reuses (token.acquire, monitoring, profile.delete), and the run as a whole as
 * `profile.bulk-<operation>` with each profile's outcome.
 * Throws AppError(invalid_input) for an empty selection, and for delete AppError(conflict) when
 * the selection no longer covers the confirmed count (nothing is deleted then).
 */
export async function runBulkOperation(actor: Actor, operation: BulkOperation, input: BulkSelectionInput, options: BulkRunOptions = {}): Promise<BulkRunResult> {
  return runBulkPlan(actor, await planBulkOperation(actor, operation, input, options), options);
}

export type BulkPlan = { operation: BulkOperation; input: BulkSelectionInput; selection: ProfileSelection; total: number };

/**
 * Counts what a bulk operation would cover and refuses what must not start: an empty selection
 * (AppError invalid_input) and, for delete, a selection that no longer covers the count the
 * admin confirmed (AppError conflict — nothing is deleted). The route calls it before streaming.
 */
export async function planBulkOperation(actor: Actor, operation: BulkOperation, input: BulkSelectionInput, options: Pick<BulkRunOptions, "confirmCount"> = {}): Promise<BulkPlan> {
  const selection = profileSelectionOf(input);
  const total = await countSelectedProfiles(actor, selection);
  if (total === 0) throw new AppError("invalid_input", "No profile is selected (or they were deleted meanwhile).", { field: "selection" });
  if (operation === "delete" && options.confirmCount !== total) {
    throw new AppError("conflict", `The selection now covers ${total} profile(s), not the ${options.confirmCount ?? 0} you confirmed. Nothing was deleted; check the list and confirm again.`, { field: "confirmCount" });
  }
  return { operation, input, selection, total };
}

/** Runs a planned bulk operation (see runBulkOperation). */
export async function runBulkPlan(actor: Actor, plan: BulkPlan, options: Omit<BulkRunOptions, "confirmCount"> = {}): Promise<BulkRunResult> {
  const { operation, input, selection, total } = plan;
  if (operation === "test") await ensureChecks();
  options.onStart?.(total);
  const started = performance.now();
  const run = RUNNERS[operation];
  const limit = Math.min(Math.max(options.concurrency ?? BULK_CONCURRENCY, 1), 8);
  const results: BulkItemResult[] = [];
  // Delete reads every selected profile first: deleting while paging by name would shift the pages.
  const batches: ProfileDto[][] = [];
  if (operation === "delete") {
    const all: ProfileDto[] = [];
    for await (const batch of iterateProfiles(actor, selection, { withSecrets: false, batchSize: 500 })) all.push(...batch.map((b) => b.profile));
    batches.push(all);
  }
  const source = operation === "delete" ? toAsync(batches) : mapBatches(iterateProfiles(actor, selection, { withSecrets: false, batchSize: 100 }));
  for await (const batch of source) {
    const queue = [...batch];
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        let r: BulkItemResult;
        try {
          r = await run(actor, p);
        } catch (error) {
          // Not an expected failure (a bug, the database gone): name it without detail and go on.
          console.error(`[bulk] ${operation} of profile ${p.id} failed unexpectedly:`, error instanceof Error ? error.message : "unknown error");
          r = { profileId: p.id, profileName: p.name, kind: p.kind, status: "failed", message: "Failed unexpectedly (internal error; see the server log).", code: "internal" };
        }
        results.push(r);
        options.onItem?.(r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
  }
  results.sort((a, b) => a.profileName.localeCompare(b.profileName) || a.profileId.localeCompare(b.profileId));
  const summary = summarizeBulk(results);
  const label = BULK_OPERATION_LABELS[operation].title;
  await recordActivity(actor, {
    action: `profile.bulk-${operation}`,
    outcome: summary.failed ? "failure" : "success",
    summary: `${label}, ${describeSelection(input)}: ${bulkSummaryLine(summary)}`,
    durationMs: performance.now() - started,
    errorCode: results.find((r) => r.status === "failed")?.code,
    detail: results.map((r) => `${r.status.toUpperCase().padEnd(7)}  ${r.profileName}  [${r.profileId}]  ${r.message}`).join("\n"),
  });
  return { operation, results, summary };
}

async function* toAsync<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

async function* mapBatches(source: AsyncGenerator<{ profile: ProfileDto }[]>): AsyncGenerator<ProfileDto[]> {
  for await (const batch of source) yield batch.map((b) => b.profile);
}
