import "server-only";
import { apiErrorFrom, guardProfilePost, ndjsonResponse } from "@/lib/http/api-route";
import { testImap } from "@/lib/mail/imap-test";
import type { ImapTestEvent } from "@/lib/mail/test-events";
import { getProfile } from "@/lib/profiles/dal";

/**
 * "Test IMAP" with live progress: POST `{}` as JSON, get NDJSON back — progress lines while
 * imapflow connects, authenticates and lists, then one {type:"result",…ImapResult}. The library
 * records the activity entry and redacts the transcript; no token is ever part of the result.
 */
export async function POST(request: Request, { params }: { params: Promise<{ profileId: string }> }): Promise<Response> {
  const guard = await guardProfilePost(request, (await params).profileId, { maxBodyBytes: 4096 });
  if (!guard.ok) return guard.response;
  const { admin, profileId } = guard;
  try {
    await getProfile(admin, profileId);
  } catch (error) {
    return apiErrorFrom(error);
  }

  return ndjsonResponse<ImapTestEvent>(async (emit) => {
    const result = await testImap(admin, profileId, { onProgress: (p) => emit({ type: "progress", ...p }) });
    emit({ type: "result", ...result });
  });
}
