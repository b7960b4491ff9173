import "server-only";
import { fieldErrorsOf } from "@/lib/action-result";
import { apiError, apiErrorFrom, guardProfilePost, ndjsonResponse } from "@/lib/http/api-route";
import { MAX_ATTACHMENTS_TOTAL_BYTES, testMessageSchema } from "@/lib/mail/message";
import { sendTestMessage } from "@/lib/mail/send-test";
import type { SendTestEvent } from "@/lib/mail/test-events";
import { getProfile } from "@/lib/profiles/dal";

/**
 * "Send test" with live progress: POST a test message as JSON (testMessageSchema, the same
 * schema as the CLI), get NDJSON back — {type:"progress",stage,message,elapsedMs} lines while the
 * send runs, then one {type:"result",…SendResult}. The library records the activity entry, keeps
 * the token out of the transcript and never returns one; nothing is added here.
 * Refusals before streaming are JSON with a status (see guardProfilePost).
 */

/** Base64 of the largest attachment total plus room for the body and the JSON around it. */
const MAX_BODY_BYTES = Math.ceil((MAX_ATTACHMENTS_TOTAL_BYTES * 4) / 3) + 1024 * 1024;

export async function POST(request: Request, { params }: { params: Promise<{ profileId: string }> }): Promise<Response> {
  const guard = await guardProfilePost(request, (await params).profileId, { maxBodyBytes: MAX_BODY_BYTES });
  if (!guard.ok) return guard.response;
  const { admin, profileId, body } = guard;

  const message = testMessageSchema.safeParse(body);
  if (!message.success) {
    const fieldErrors = fieldErrorsOf(message.error);
    return apiError(400, "invalid_input", Object.keys(fieldErrors).length === 1 ? "Please correct the highlighted field." : "Please correct the highlighted fields.", { fieldErrors });
  }
  // A missing profile is a 404 rather than a stream that fails at once.
  try {
    await getProfile(admin, profileId);
  } catch (error) {
    return apiErrorFrom(error);
  }

  return ndjsonResponse<SendTestEvent>(async (emit) => {
    const result = await sendTestMessage(admin, profileId, message.data, { onProgress: (p) => emit({ type: "progress", ...p }) });
    emit({ type: "result", ...result });
  });
}
