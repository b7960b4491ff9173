import fs from "node:fs";
import net from "node:net";
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession, type SMTPServerAddress } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";
import { testCa } from "./test-ca";
import { verifyTestAccessToken } from "./idp-keys";

/**
 * A real SMTP server on 127.0.0.1 (npm smtp-server) that behaves like Exchange Online /
 * Gmail / Postfix submission for the tests: STARTTLS with the test CA's certificate (or implicit
 * TLS, an untrusted certificate, no STARTTLS at all), the EHLO AUTH line the real service
 * advertises (see AUTH_LINES: LOGIN/PLAIN listed before XOAUTH2, as they really are), AUTH
 * XOAUTH2 with tokens verified against the test IdP key and the expected mailbox, a failed
 * XOAUTH2 as the real servers answer it (334 + base64 JSON error, then 535), LOGIN/PLAIN for
 * `basicUsers`, optional DSN, recipients refused with 550 5.1.1, a mode that drops the
 * connection in the middle of DATA and one that never sends a greeting. Received messages are
 * parsed with mailparser.
 */

/**
 * The AUTH mechanisms each real server lists after EHLO, in its order:
 * smtp.office365.com `250-AUTH LOGIN XOAUTH2`; smtp.gmail.com
 * `250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH`; Postfix + Dovecot SASL
 * `250-AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER`. "oauth-only" is a server that no longer takes
 * passwords at all (no LOGIN, no PLAIN).
 */
export const AUTH_LINES = {
  office365: ["LOGIN", "XOAUTH2"],
  gmail: ["LOGIN", "PLAIN", "XOAUTH2", "PLAIN-CLIENTTOKEN", "OAUTHBEARER", "XOAUTH"],
  postfix: ["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"],
  "oauth-only": ["XOAUTH2", "OAUTHBEARER"],
} as const;

export type PeerServer = keyof typeof AUTH_LINES;

/** The final reply after a failed XOAUTH2 exchange (334 error challenge, empty client line). */
const XOAUTH2_FINAL: Record<PeerServer, string> = {
  office365: "5.7.3 Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com 2026-01-01T00:00:00.000Z 08DC0000000000]",
  gmail: "5.7.8 Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials",
  postfix: "5.7.3 Authentication unsuccessful",
  "oauth-only": "5.7.3 Authentication unsuccessful",
};

export type SmtpPeerOptions = {
  /** "starttls" (587-style, default), "implicit-tls" (465-style), "plain" (STARTTLS not offered). */
  tls?: "starttls" | "implicit-tls" | "plain";
  /** Certificate: signed by the test CA (default) or self-signed and trusted by nobody. */
  certificate?: "trusted" | "untrusted";
  /** Which real server's EHLO AUTH line to advertise (default office365: `AUTH LOGIN XOAUTH2`). */
  server?: PeerServer;
  /** Authentication: "xoauth2" (default) or "basic" (LOGIN/PLAIN with `basicUsers`). */
  auth?: "xoauth2" | "basic";
  /** Mailboxes that may authenticate; default: any user the token names (upn/email/preferred_username/sub). */
  mailboxes?: string[];
  /** Audience the token must carry (e.g. "https://outlook.office365.com"); default: not checked. */
  audience?: string | string[];
  /**
   * Decides whether a verified token may log in as `user`. Default: one of the token's
   * identity claims equals `user`, or the token is an app token (roles contain
   * SMTP.SendAsApp) and `user` is in `mailboxes` (the service principal's FullAccess).
   */
  authorize?: (user: string, claims: Record<string, unknown>) => boolean;
  /** Users/passwords for basic auth. */
  basicUsers?: Record<string, string>;
  /** Answer every AUTH with this reply instead of checking (e.g. "535 5.7.139 …"). */
  forceAuthReply?: string;
  /** Advertise DSN (RFC 3461). Default false, like many submission servers. */
  dsn?: boolean;
  /** Destroy the connection after the first chunk of DATA arrives. */
  dropMidData?: boolean;
  /** Accept TCP connections and never say anything (hung server). */
  noGreeting?: boolean;
  /** Refuse these recipients at RCPT TO with `550 5.1.1 … Recipient address rejected` (the others are accepted). */
  unknownRecipients?: string[];
  /** Called for each accepted message (e.g. to deliver it on to a Dovecot mailbox, as an MTA would). */
  onReceived?: (m: ReceivedMessage) => void;
  /** Answer the end of DATA with this reply (e.g. "451 4.3.0 Temporary server error") when it returns one: the message is not taken. */
  dataReply?: (raw: string) => string | undefined;
  /** Reply to MAIL FROM with this (e.g. "554 5.2.252 SendAsDenied") when the From is not the authenticated user. */
  sendAsDeniedReply?: string;
};

export type AuthAttempt = { method: string; user: string; ok: boolean; reason?: string; secure: boolean };

export type ReceivedMessage = {
  /** The XOAUTH2 / basic user of the session. */
  authUser?: string;
  mailFrom: string;
  mailFromArgs: Record<string, string | true> | false;
  rcptTo: { address: string; args: Record<string, string | true> | false; notify?: string[] }[];
  secure: boolean;
  raw: string;
  parsed: ParsedMail;
};

export type SmtpPeer = {
  host: string;
  port: number;
  received: ReceivedMessage[];
  authAttempts: AuthAttempt[];
  /** Every XOAUTH2 access token / basic password received, for leak checks. */
  credentialsSeen: string[];
  /** Every byte any client sent before TLS started (plain-text part of each connection). */
  plaintextFromClients: () => string;
  connections: () => number;
  /** Connections open now. */
  openConnections: () => number;
  /** Closes every open connection without a word, as a server does with idle ones (or a NAT box that forgets them). */
  dropConnections: () => void;
  stop: () => Promise<void>;
};

const MS_535 = XOAUTH2_FINAL.office365;

function authError(reply: string): Error & { responseCode: number } {
  const m = reply.match(/^(\d{3})\s+(.*)$/);
  return Object.assign(new Error(m ? m[2] : reply), { responseCode: m ? Number(m[1]) : 535 });
}

function identityClaims(claims: Record<string, unknown>): string[] {
  return ["upn", "email", "preferred_username", "unique_name", "sub"].map((k) => claims[k]).filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase());
}

export async function startSmtpPeer(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const ca = testCa();
  if (options.noGreeting) return startSilentPeer();

  const received: ReceivedMessage[] = [];
  const authAttempts: AuthAttempt[] = [];
  const credentialsSeen: string[] = [];
  const plaintext: Buffer[] = [];
  let connectionCount = 0;

  const cert = options.certificate === "untrusted" ? { key: fs.readFileSync(ca.untrustedKey), cert: fs.readFileSync(ca.untrustedCert) } : { key: fs.readFileSync(ca.serverKey), cert: fs.readFileSync(ca.serverCert) };
  const mode = options.tls ?? "starttls";
  const serverKind = options.server ?? "office365";
  const unknownRecipients = new Set((options.unknownRecipients ?? []).map((a) => a.toLowerCase()));
  const mailboxes = options.mailboxes?.map((m) => m.toLowerCase());

  const onAuth = (auth: SMTPServerAuthentication, session: SMTPServerSession, callback: (err: Error | null | undefined, response?: { user?: unknown; data?: Record<string, string> }) => void) => {
    const user = auth.username ?? "";
    if (auth.accessToken) credentialsSeen.push(auth.accessToken);
    if (auth.password) credentialsSeen.push(auth.password);
    const record = (ok: boolean, reason?: string) => authAttempts.push({ method: auth.method, user, ok, reason, secure: session.secure });
    if (options.forceAuthReply) {
      record(false, "forced");
      return callback(authError(options.forceAuthReply));
    }
    if ((options.auth ?? "xoauth2") === "basic") {
      const expected = options.basicUsers?.[user];
      if (auth.method === "XOAUTH2" || expected === undefined || auth.password !== expected) {
        record(false, "bad credentials");
        return callback(authError("535 5.7.3 Authentication unsuccessful"));
      }
      record(true);
      return callback(null, { user });
    }
    if (auth.method !== "XOAUTH2" || !auth.accessToken) {
      record(false, "not XOAUTH2");
      return callback(authError(`535 ${MS_535}`));
    }
    // A refused token: "334 <base64 JSON>", the client answers an empty line, then 535.
    const refuse = () => {
      callback(null, { data: { status: "401", schemes: "bearer", scope: serverKind === "gmail" ? "https://mail.google.com/" : "https://outlook.office365.com/.default" } });
      const conn = liveConnections().find((c) => c.session?.id === session.id) as (PeerConnection & { _nextHandler?: unknown; send(code: number, text: string): void }) | undefined;
      if (conn) {
        conn._nextHandler = (_data: unknown, done: () => void) => {
          conn.send(535, XOAUTH2_FINAL[serverKind]);
          done();
        };
      }
    };
    verifyTestAccessToken(auth.accessToken, options.audience)
      .then((claims) => {
        const lower = user.toLowerCase();
        const allowed = options.authorize
          ? options.authorize(user, claims)
          : (identityClaims(claims).includes(lower) && (!mailboxes || mailboxes.includes(lower))) ||
            (Array.isArray(claims.roles) && claims.roles.includes("SMTP.SendAsApp") && (mailboxes ?? [lower]).includes(lower));
        if (!allowed) {
          record(false, "token not valid for this mailbox");
          return refuse();
        }
        record(true);
        callback(null, { user });
      })
      .catch((error: Error) => {
        record(false, `token rejected: ${error.message}`);
        refuse();
      });
  };

  const server = new SMTPServer({
    secure: mode === "implicit-tls",
    ...cert,
    name: "peer.test.local",
    banner: "Microsoft ESMTP MAIL Service ready (test peer)",
    authMethods: [...AUTH_LINES[serverKind]],
    // "plain" simulates a server without STARTTLS that would even take AUTH in clear text, so
    // a client that does not insist on TLS would leak credentials here (the test checks it does not).
    disabledCommands: mode === "plain" ? ["STARTTLS"] : [],
    allowInsecureAuth: mode === "plain",
    hideDSN: !options.dsn,
    // Replies carry their own enhanced codes (Microsoft style); the server must not add another.
    hideENHANCEDSTATUSCODES: true,
    disableReverseLookup: true,
    size: 40 * 1024 * 1024,
    closeTimeout: 1000,
    logger: false,
    onAuth,
    onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const authUser = typeof session.user === "string" ? session.user : undefined;
      if (options.sendAsDeniedReply && authUser && address.address.toLowerCase() !== authUser.toLowerCase()) return callback(authError(options.sendAsDeniedReply));
      callback();
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      if (unknownRecipients.has(address.address.toLowerCase())) return callback(authError(`550 5.1.1 <${address.address}>: Recipient address rejected: User unknown in virtual mailbox table`));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      if (options.dropMidData) {
        // Cut the connection at the top of the stack (see stop()), like a server that dies.
        stream.once("data", () => topSocketOf(session.id)?.destroy());
      }
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (options.dropMidData) return;
        const raw = Buffer.concat(chunks);
        const refusal = options.dataReply?.(raw.toString("utf8"));
        if (refusal) return callback(authError(refusal));
        simpleParser(raw)
          .then((parsed) => {
            const env = session.envelope;
            const message: ReceivedMessage = {
              authUser: typeof session.user === "string" ? session.user : undefined,
              mailFrom: env.mailFrom ? env.mailFrom.address : "",
              mailFromArgs: env.mailFrom ? env.mailFrom.args : false,
              rcptTo: env.rcptTo.map((r) => ({ address: r.address, args: r.args, notify: r.dsn?.notify })),
              secure: session.secure,
              raw: raw.toString("utf8"),
              parsed,
            };
            received.push(message);
            options.onReceived?.(message);
            callback(null, "2.6.0 <test-peer-queued@peer.test.local> Queued mail for delivery");
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  server.on("error", () => undefined);

  type PeerConnection = { _socket?: net.Socket; session?: { id?: string } };
  const liveConnections = () => [...(server as unknown as { connections: Set<PeerConnection> }).connections];
  const topSockets = () => liveConnections().map((c) => c._socket).filter((s): s is net.Socket => Boolean(s));
  const topSocketOf = (sessionId: string) => liveConnections().find((c) => c.session?.id === sessionId)?._socket;

  // The underlying net.Server: tap every connection so the tests can see plain-text bytes.
  const netServer = (server as unknown as { server: net.Server }).server;
  netServer.on("connection", (socket: net.Socket) => {
    connectionCount++;
    if (mode !== "implicit-tls") {
      // Bytes before the TLS handshake are plain text; once the client sends a TLS record
      // (first byte 0x16) the rest is ciphertext and is not recorded.
      let encrypted = false;
      socket.on("data", (chunk: Buffer) => {
        if (encrypted) return;
        if (chunk[0] === 0x16) {
          encrypted = true;
          return;
        }
        plaintext.push(Buffer.from(chunk));
      });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.listen(0, "127.0.0.1", () => resolve());
    netServer.once("error", reject);
  });
  const port = (netServer.address() as net.AddressInfo).port;

  return {
    host: "127.0.0.1",
    port,
    received,
    authAttempts,
    credentialsSeen,
    plaintextFromClients: () => Buffer.concat(plaintext).toString("latin1"),
    connections: () => connectionCount,
    openConnections: () => liveConnections().length,
    dropConnections: () => {
      for (const c of topSockets()) c.destroy();
    },
    stop: async () => {
      // Tear connections down from the top (the TLS socket when there is one): destroying the
      // raw socket under a TLS wrap in the middle of a handshake crashes Node 20 (SIGSEGV).
      // smtp-server's close() does the same for sockets still in the handshake.
      for (const c of topSockets()) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP server that accepts and never answers: the "hung server" case. */
async function startSilentPeer(): Promise<SmtpPeer> {
  const sockets = new Set<net.Socket>();
  let connectionCount = 0;
  const plaintext: Buffer[] = [];
  const server = net.createServer((socket) => {
    connectionCount++;
    sockets.add(socket);
    socket.on("data", (c) => plaintext.push(Buffer.from(c)));
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    host: "127.0.0.1",
    port: (server.address() as net.AddressInfo).port,
    received: [],
    authAttempts: [],
    credentialsSeen: [],
    plaintextFromClients: () => Buffer.concat(plaintext).toString("latin1"),
    connections: () => connectionCount,
    openConnections: () => sockets.size,
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
