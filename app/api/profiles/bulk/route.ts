import "server-only";
import { fieldErrorsOf } from "@/lib/action-result";
import { apiError, apiErrorFrom, guardJsonPost, ndjsonResponse } from "@/lib/http/api-route";
import { bulkRequestSchema } from "@/lib/profiles/bulk-schema";
import { planBulkOperation, runBulkPlan, type BulkPlan } from "@/lib/profiles/bulk";
import type { BulkStreamEvent } from "@/lib/profiles/bulk-types";

/**
 * Bulk work from the profile list with live progress: POST
 * `{ operation: "test"|"refresh"|"delete", selection: { ids: […] } | { filter: { q, kind, status } }, confirmCount? }`
 * as JSON, get NDJSON back — `{type:"start",total}`, one `{type:"item",…}` per profile as it
 * finishes (4 at a time), then `{type:"done",results,summary}`, the same object
 * `profile test --all --json` prints. Delete runs only when `confirmCount` is the selection's count.
 */
export async function POST(request: Request): Promise<Response> {
  // 500 UUIDs with their JSON punctuation fit in 24 KB.
  const guard = await guardJsonPost(request, { maxBodyBytes: 32 * 1024, tooLargeHint: "Select at most 500 profiles one by one, or select all matching the filter." });
  if (!guard.ok) return guard.response;
  const { admin, body } = guard;
  const input = bulkRequestSchema.safeParse(body);
  if (!input.success) {
    const fieldErrors = fieldErrorsOf(input.error);
    return apiError(400, "invalid_input", Object.values(fieldErrors)[0]?.[0] ?? "The request was incomplete; reload the page and try again.", { fieldErrors });
  }
  const { operation, selection, confirmCount } = input.data;
  // Refusals that need no work (nothing selected, a stale confirmed count) answer before streaming.
  let plan: BulkPlan;
  try {
    plan = await planBulkOperation(admin, operation, selection, { confirmCount });
  } catch (error) {
    return apiErrorFrom(error);
  }
  return ndjsonResponse<BulkStreamEvent>(async (emit) => {
    const run = await runBulkPlan(admin, plan, {
      onStart: (total) => emit({ type: "start", operation, total }),
      onItem: (item) => emit({ type: "item", ...item }),
    });
    emit({ type: "done", ...run });
  });
}
