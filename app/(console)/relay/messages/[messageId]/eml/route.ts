import { requireAdmin } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { exportQueueMessage } from "@/lib/relay/queue";

/** The message as received (.eml): twin of `relay queue export ID --out FILE.eml`. */
export async function GET(_request: Request, { params }: { params: Promise<{ messageId: string }> }): Promise<Response> {
  const admin = await requireAdmin();
  const { messageId } = await params;
  try {
    const { filename, bytes } = await exportQueueMessage(admin, messageId);
    return new Response(new Uint8Array(bytes), { headers: { "Content-Type": "message/rfc822", "Content-Disposition": `attachment; filename="${filename}"`, "Cache-Control": "no-store" } });
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") return new Response(error.userMessage, { status: 404 });
    throw error;
  }
}
