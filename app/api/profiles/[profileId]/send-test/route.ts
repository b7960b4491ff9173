import "server-only";
import { after } from "next/server";
import { fieldErrorsOf } from "@/lib/action-result";
import { apiError, apiErrorFrom, guardProfilePost, ndjsonResponse } from "@/lib/http/api-route";
import { testMessageSchema, type DeliverableTestMessage } from "@/lib/mail/message";
import { sendValidatedTestMessage } from "@/lib/mail/send-test";
import type { SendTestEvent } from "@/lib/mail/test-events";
import { receiveTestUpload } from "@/lib/mail/test-upload";
import { getProfile } from "@/lib/profiles/dal";

/**
 * "Send test" with live progress: POST a test message as multipart/form-data (the form: text
 * fields plus `attachments` files, streamed to temp files — lib/mail/test-upload.ts) or as JSON
 * without large attachments (testMessageSchema, the same schema as the CLI), get NDJSON back —
 * {type:"progress",stage,message,elapsedMs} lines while the send runs, then one
 * {type:"result",…SendResult}. The library records the activity entry, keeps the token out of the
 * transcript and never returns one; nothing is added here. Refusals before streaming are JSON with
 * a status (see guardProfilePost); uploaded temp files are removed after the send, also on failure.
 */

/** JSON bodies are held in memory: small ones only (attachments go as multipart). */
const MAX_JSON_BODY_BYTES = 2 * 1024 * 1024;

export async function POST(request: Request, { params }: { params: Promise<{ profileId: string }> }): Promise<Response> {
  const guard = await guardProfilePost(request, (await params).profileId, { maxBodyBytes: MAX_JSON_BODY_BYTES, multipart: true });
  if (!guard.ok) return guard.response;
  const { admin, profileId } = guard;

  // A missing profile is a 404 rather than a stream that fails at once (and before any upload).
  try {
    await getProfile(admin, profileId);
  } catch (error) {
    return apiErrorFrom(error);
  }

  let message: DeliverableTestMessage;
  let cleanup = async () => {};
  if (guard.multipart) {
    // A refusal answers at once; the rest of the body is discarded, and after the answer the
    // client gets a short linger to finish sending before the connection is closed.
    const upload = await receiveTestUpload(request, { afterResponse: after });
    if (!upload.ok) return apiError(upload.status, upload.code, upload.message, { fieldErrors: upload.fieldErrors });
    message = upload.message;
    cleanup = upload.cleanup;
  } else {
    const parsed = testMessageSchema.safeParse(guard.body);
    if (!parsed.success) {
      const fieldErrors = fieldErrorsOf(parsed.error);
      return apiError(400, "invalid_input", Object.keys(fieldErrors).length === 1 ? "Please correct the highlighted field." : "Please correct the highlighted fields.", { fieldErrors });
    }
    message = parsed.data;
  }

  return ndjsonResponse<SendTestEvent>(async (emit) => {
    try {
      const result = await sendValidatedTestMessage(admin, profileId, message, { onProgress: (p) => emit({ type: "progress", ...p }) });
      emit({ type: "result", ...result });
    } finally {
      await cleanup();
    }
  });
}
