import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { testCa } from "./test-ca";
import { verifyTestAccessToken } from "./idp-keys";

/**
 * A Graph-shaped HTTPS endpoint on 127.0.0.1 (test CA certificate) for POST
 * /v1.0/users/{id}/sendMail. It validates what Graph validates for the test send: the bearer
 * token (signature, expiry, audience https://graph.microsoft.com, the Mail.Send role), the
 * mailbox being one it knows, and the JSON shape of the message. Answers can be programmed
 * (401/403/429 + Retry-After/413/…) one request at a time; every request is recorded.
 */

const address = z.object({ emailAddress: z.object({ address: z.email(), name: z.string().optional() }) });
export const graphSendMailSchema = z.object({
  message: z.object({
    subject: z.string(),
    body: z.object({ contentType: z.enum(["Text", "HTML", "text", "html"]), content: z.string() }),
    toRecipients: z.array(address).min(1),
    ccRecipients: z.array(address).optional(),
    bccRecipients: z.array(address).optional(),
    from: address.optional(),
    replyTo: z.array(address).optional(),
    attachments: z
      .array(
        z.object({
          "@odata.type": z.literal("#microsoft.graph.fileAttachment"),
          name: z.string().min(1),
          contentType: z.string().optional(),
          contentBytes: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/),
        }),
      )
      .optional(),
    isReadReceiptRequested: z.boolean().optional(),
    isDeliveryReceiptRequested: z.boolean().optional(),
  }),
  saveToSentItems: z.boolean().optional(),
});
export type GraphSendMailBody = z.infer<typeof graphSendMailSchema>;

export type GraphRecordedRequest = {
  method: string;
  path: string;
  mailbox: string;
  /** Claims of the bearer token when it verified. */
  claims?: Record<string, unknown>;
  body?: GraphSendMailBody;
  status: number;
};

export type GraphScriptedAnswer = { status: number; body?: unknown; headers?: Record<string, string> };

export type FakeGraphOptions = {
  /** Mailboxes (UPNs) that exist. */
  mailboxes: string[];
  /** Role the app token must carry. Default Mail.Send; null = not checked. */
  requiredRole?: string | null;
  /** Largest request body accepted before 413 (Graph: 4 MB). */
  maxBodyBytes?: number;
};

export type FakeGraph = {
  url: string;
  /** The sendMail endpoint template for a profile: https://127.0.0.1:PORT/v1.0/users/{FROM_ADDRESS}/sendMail */
  endpointTemplate: string;
  requests: GraphRecordedRequest[];
  /** Every bearer token received, for leak checks. */
  tokensSeen: string[];
  /** Answers the next requests with these, in order, before normal processing. */
  script: (...answers: GraphScriptedAnswer[]) => void;
  stop: () => Promise<void>;
};

const graphError = (code: string, message: string) => ({ error: { code, message, innerError: { date: new Date().toISOString(), "request-id": crypto.randomUUID() } } });

export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph> {
  const ca = testCa();
  const requests: GraphRecordedRequest[] = [];
  const tokensSeen: string[] = [];
  const scripted: GraphScriptedAnswer[] = [];
  const mailboxes = new Set(options.mailboxes.map((m) => m.toLowerCase()));
  const requiredRole = options.requiredRole === undefined ? "Mail.Send" : options.requiredRole;
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const requestId = crypto.randomUUID();
    res.writeHead(status, { "request-id": requestId, "client-request-id": requestId, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "https://graph.test");
    const m = url.pathname.match(/^\/v1\.0\/users\/([^/]+)\/sendMail$/);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size <= maxBody) chunks.push(c as Buffer);
    }
    const mailbox = m ? decodeURIComponent(m[1]) : "";
    const record: GraphRecordedRequest = { method: req.method ?? "", path: url.pathname, mailbox, status: 0 };
    requests.push(record);
    const answer = (status: number, body?: unknown, headers?: Record<string, string>) => {
      record.status = status;
      send(res, status, body, headers);
    };

    if (!m || req.method !== "POST") return answer(404, graphError("ResourceNotFound", "Resource not found for the segment."));
    const auth = req.headers.authorization ?? "";
    const token = auth.match(/^Bearer (.+)$/)?.[1];
    if (token) {
      tokensSeen.push(token);
      try {
        record.claims = await verifyTestAccessToken(token, "https://graph.microsoft.com");
      } catch {
        record.claims = undefined;
      }
    }
    const next = scripted.shift();
    if (next) return answer(next.status, next.body, next.headers);

    if (!token) return answer(401, graphError("InvalidAuthenticationToken", "Access token is empty."), { "www-authenticate": 'Bearer realm=""' });
    if (!record.claims) return answer(401, graphError("InvalidAuthenticationToken", "Access token validation failure. Invalid audience or expired token."));
    const roles = Array.isArray(record.claims.roles) ? (record.claims.roles as string[]) : [];
    if (requiredRole && !roles.includes(requiredRole)) return answer(403, graphError("ErrorAccessDenied", "Access is denied. Check credentials and try again."));
    if (size > maxBody) return answer(413, graphError("RequestEntityTooLarge", `The request is larger than ${maxBody} bytes.`));
    if (!mailboxes.has(mailbox.toLowerCase())) return answer(404, graphError("ErrorInvalidUser", `The requested user '${mailbox}' is invalid.`));
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return answer(400, graphError("BadRequest", "Unable to read JSON request payload."));
    }
    const parsed = graphSendMailSchema.safeParse(json);
    if (!parsed.success) {
      const recipientIssue = parsed.error.issues.some((i) => i.path.some((p) => String(p).endsWith("Recipients")));
      return answer(400, recipientIssue ? graphError("ErrorInvalidRecipients", "At least one recipient is not valid.") : graphError("BadRequest", parsed.error.issues[0]?.message ?? "Invalid request"));
    }
    record.body = parsed.data;
    return answer(202);
  };

  const server = https.createServer({ key: fs.readFileSync(ca.serverKey), cert: fs.readFileSync(ca.serverCert) }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, graphError("InternalServerError", "fake failure"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    endpointTemplate: `${url}/v1.0/users/{FROM_ADDRESS}/sendMail`,
    requests,
    tokensSeen,
    script: (...answers) => scripted.push(...answers),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
