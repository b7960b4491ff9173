import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { fixtureProfile } from "@/tests/fixtures/profiles";
import { BROWSER_REQUEST_LIMIT_BYTES } from "@/lib/mail/test-events";

/**
 * Issue 12 point 3, the streamed send-test upload refused mid-stream, over real sockets: the
 * real route handler (POST /api/profiles/:id/send-test) behind a plain node:http server that
 * hands it the request the way Next.js does (a Request whose body is the IncomingMessage). Only
 * Next's request scope is stood in for: cookies() reads this request's Cookie header and after()
 * runs when the response has closed, as next start does (res 'close'). Session, Origin check,
 * profile lookup, busboy and the temp files are the real ones.
 *
 * Before the fix a refusal could never answer: a file part whose bytes had all been parsed but
 * whose 'end' was not yet emitted was destroyed, pipeline() counted it finished and waited
 * forever for its temp file, so the handler never returned (a small body arriving in one piece,
 * as Playwright sends it, hit this every time). And a refused body was left paused, unread: the
 * client's connection stayed stuck behind it.
 */

const scope = new AsyncLocalStorage<{ req: IncomingMessage; res: ServerResponse }>();
vi.mock("next/headers", () => ({
  cookies: async () => {
    const header = scope.getStore()?.req.headers.cookie ?? "";
    const jar = new Map(header.split(";").map((p) => [p.split("=")[0]!.trim(), p.slice(p.indexOf("=") + 1).trim()] as const));
    return { get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)! } : undefined) };
  },
  headers: async () => new Headers(scope.getStore()?.req.headers as Record<string, string>),
}));
vi.mock("next/server", () => ({
  after: (callback: () => void) => scope.getStore()!.res.once("close", callback),
}));

const db = useTestDb();
let server: http.Server;
let port: number;
let cookie: string;
let profileId: string;
const BOUNDARY = "----omc-refusal";

beforeAll(async () => {
  const { createAdmin, signIn } = await import("@/lib/auth/admins");
  const { createProfile } = await import("@/lib/profiles/dal");
  const { POST } = await import("@/app/api/profiles/[profileId]/send-test/route");
  await createAdmin({ username: "test" }, "uploader", "Upload-Refusal-Pa55word");
  const session = await signIn("uploader", "Upload-Refusal-Pa55word", { ip: "127.0.0.1" });
  cookie = `omc_session=${session.sessionToken}`;
  const profile = await createProfile({ id: session.admin.id, username: "uploader", via: "web" }, fixtureProfile("m365-app-graph", "refusals") as never);
  profileId = profile.id;

  server = http.createServer((req, res) => {
    void scope.run({ req, res }, async () => {
      const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body: req as never, duplex: "half" } as RequestInit);
      const id = /^\/api\/profiles\/([^/]+)\/send-test$/.exec(req.url ?? "")?.[1] ?? "";
      const response = await POST(request, { params: Promise.resolve({ profileId: id }) });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const field = (name: string, value: string) => Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
const fileHead = (name: string, filename: string) => Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
const file = (name: string, filename: string, bytes: Buffer) => Buffer.concat([fileHead(name, filename), bytes, Buffer.from("\r\n")]);
const closing = Buffer.from(`--${BOUNDARY}--\r\n`);

/** The e2e case: to, subject, an attachment and a second file under a name the route does not take (2.6 KB). */
const unexpectedField = Buffer.concat([field("to", "rcpt@example.net"), field("subject", "Too much"), file("attachments", "first.bin", Buffer.alloc(1024, 1)), file("more", "second.bin", Buffer.alloc(1024, 2)), closing]);

function headers(length?: number): Record<string, string> {
  return { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, cookie, "content-type": `multipart/form-data; boundary=${BOUNDARY}`, ...(length === undefined ? {} : { "content-length": String(length) }) };
}

type Answer = { status: number; body: string; reusedSocket: boolean };

/** POSTs a body (a Buffer in one write, or a stream); resolves with the answer once it and the upload are both done. */
function post(body: Buffer | AsyncIterable<Buffer>, options: { agent?: http.Agent; length?: number } = {}): Promise<Answer> {
  const length = Buffer.isBuffer(body) ? body.length : options.length;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: "POST", path: `/api/profiles/${profileId}/send-test`, agent: options.agent ?? false, headers: headers(length) }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        const answer = { status: res.statusCode ?? 0, body: text, reusedSocket: req.reusedSocket };
        if (req.writableFinished) resolve(answer);
        else req.once("finish", () => resolve(answer));
      });
    });
    req.on("error", reject);
    if (Buffer.isBuffer(body)) req.end(body);
    else void (async () => {
      for await (const chunk of body) if (!req.write(chunk)) await new Promise((r) => req.once("drain", r));
      req.end();
    })().catch(reject);
  });
}

const tmpFiles = () => {
  const dir = path.join(db.dir, "tmp");
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};
const fieldErrors = (answer: Answer) => (JSON.parse(answer.body) as { error: { fieldErrors: Record<string, string[]> } }).error.fieldErrors;

describe("security 12.3: a multipart upload refused mid-stream is answered and its connection freed", () => {
  it("answers 30 concurrent 'unexpected file field' uploads, each sent in one write, and leaves no temp file", async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => post(unexpectedField)));
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(fieldErrors(answer).attachments).toEqual(["Unexpected file field more."]);
    }
    expect(tmpFiles()).toEqual([]);
  });

  it("discards the rest of a refused 31 MB upload: the client finishes sending, gets the 413 naming the file, and its connection serves the next request", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    async function* overLimit() {
      yield field("to", "rcpt@example.net");
      yield fileHead("attachments", "first.bin");
      for (let i = 0; i < 20; i++) yield Buffer.alloc(1024 * 1024);
      yield Buffer.from("\r\n");
      yield fileHead("attachments", "second.bin");
      for (let i = 0; i < 11; i++) yield Buffer.alloc(1024 * 1024);
      yield Buffer.from("\r\n");
      yield closing;
    }
    const length = field("to", "rcpt@example.net").length + fileHead("attachments", "first.bin").length + fileHead("attachments", "second.bin").length + 31 * 1024 * 1024 + 4 + closing.length;
    const first = await post(overLimit(), { agent, length });
    expect(first.status).toBe(413);
    expect(fieldErrors(first).attachments?.[0]).toMatch(/^second\.bin takes the attachments over 25\.00 MB/);
    // The same keep-alive connection answers the next request: the refused body was read to its end.
    const next = await post(unexpectedField, { agent });
    expect(next.reusedSocket).toBe(true);
    expect(next.status).toBe(400);
    agent.destroy();
    expect(tmpFiles()).toEqual([]);
  });

  it("answers a refused upload whose client stalls mid-body at once, then closes the connection (lingering close)", async () => {
    // Declares 1 MB, sends the fields and the start of the unexpected part, then nothing more.
    const partial = Buffer.concat([field("to", "rcpt@example.net"), file("attachments", "first.bin", Buffer.alloc(1024, 1)), fileHead("more", "second.bin"), Buffer.alloc(512, 2)]);
    const socket = net.connect(port, "127.0.0.1");
    const head = `POST /api/profiles/${profileId}/send-test HTTP/1.1\r\n${Object.entries(headers(1024 * 1024))
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("")}\r\n`;
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (c: string) => (received += c));
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.write(Buffer.concat([Buffer.from(head, "latin1"), partial]));
    await new Promise<void>((resolve) => {
      const check = () => (received.includes("Unexpected file field more.") ? resolve() : socket.once("data", check));
      check();
    });
    expect(received).toMatch(/^HTTP\/1\.1 400 /);
    expect(tmpFiles()).toEqual([]);
    // The server, not the client, ends it: after the answer the client had its linger to finish.
    await closed;
  });

  it("stops discarding a refused chunked body past the route's size limit and closes the connection", async () => {
    const socket = net.connect(port, "127.0.0.1");
    const head = `POST /api/profiles/${profileId}/send-test HTTP/1.1\r\n${Object.entries({ ...headers(), "transfer-encoding": "chunked" })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("")}\r\n`;
    const chunk = (b: Buffer) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from("\r\n")]);
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (c: string) => (received += c));
    let open = true;
    socket.on("error", () => (open = false));
    socket.once("close", () => (open = false));
    socket.write(Buffer.concat([Buffer.from(head, "latin1"), chunk(Buffer.concat([field("to", "rcpt@example.net"), fileHead("more", "x.bin")]))]));
    let sent = 0;
    const piece = chunk(Buffer.alloc(1024 * 1024));
    // Keeps sending until the server closes: it reads (and discards) up to its limit, so a client
    // finishing its upload gets the answer; past the limit it closes (plus what the socket buffers hold).
    while (open && sent < 4 * BROWSER_REQUEST_LIMIT_BYTES) {
      if (!socket.write(piece)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            socket.off("drain", done).off("close", done);
            resolve();
          };
          socket.on("drain", done).on("close", done);
        });
      }
      sent += piece.length;
    }
    expect(open).toBe(false);
    expect(received).toMatch(/^HTTP\/1\.1 400 /);
    console.log(`[12.3] refused chunked body: the server closed after the client sent ${Math.round(sent / (1024 * 1024))} MB`);
    expect(sent).toBeGreaterThan(BROWSER_REQUEST_LIMIT_BYTES);
    expect(sent).toBeLessThan(BROWSER_REQUEST_LIMIT_BYTES + 32 * 1024 * 1024);
  });
});
