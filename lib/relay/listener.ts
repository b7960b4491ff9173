import "server-only";
import os from "node:os";
import net from "node:net";
import { randomUUID } from "node:crypto";
import { SMTPServer, type SMTPServerAddress, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import { recordActivity } from "../activity/dal";
import { burnPasswordCheck, ipAllowed, loadDevicePolicy, noAuthDeviceFor, normalizeIp, plainAuthAllowedFrom, quotaDayOf, releaseDailyQuota, senderAllowed, takeDailyQuota, touchDevice, verifyDevicePassword, verifyDevicePasswordUncached, type DevicePolicy } from "./devices";
import { headerEnd, parseHeaderFacts } from "./headers";
import { Lockouts, RateLimiter, smtpReply } from "./policy";
import { commitAccepted } from "./queue";
import { ensureSpoolDir, openSpoolWriter, type SpoolWriter } from "./spool";
import type { RelaySettings } from "./schema";
import type { RelayTls } from "./settings";

/**
 * The relay's SMTP listener, on the smtp-server package: STARTTLS (and optionally implicit TLS
 * on a second port), AUTH PLAIN/LOGIN per device, the device's policy at MAIL/RCPT/DATA with the
 * right replies, and a 250 only after the message is in the spool (fsynced) and in the queue.
 */

export type ListenerOptions = {
  settings: () => RelaySettings;
  tls: RelayTls;
  host: string;
  port: number;
  tlsPort: number | null;
  /** Called after each accepted message (wake the worker). */
  onAccepted?: (id: string) => void;
  /** Milliseconds from the end of DATA to the 250 (the durable write), for the benchmark. */
  onCommitTimed?: (ms: number) => void;
  log?: (line: string) => void;
  /** The clock of the lockouts, the rate limit and the daily quota's day (tests move it). */
  now?: () => number;
};

/** `quota`: the daily-quota slot taken at MAIL FROM, until the message is queued (then it stays taken) or given back. */
type SessionState = { ip: string; device: DevicePolicy | null; noAuth: boolean; writer: SpoolWriter | null; quota: { deviceId: string; day: string } | null };

/** Every AUTH refusal after the lock checks answers this, whatever the reason (wrong password,
 * unknown user, disabled device, IP not listed): the reply never tells that a password was right. */
const BAD_CREDENTIALS = "535 5.7.8 Authentication credentials invalid";

export type RelayListener = {
  address: { host: string; port: number; tlsPort: number | null };
  connections: () => number;
  /** Stops accepting: new connections and new transactions get 421; open DATA transfers finish. */
  stop: (graceMs: number) => Promise<void>;
};

const ACTOR = { username: "relay" };
const SMTP_NAME = os.hostname() || "omc-relay";

export async function startListener(options: ListenerOptions): Promise<RelayListener> {
  ensureSpoolDir();
  const now = options.now ?? Date.now;
  const sessions = new Map<string, SessionState>();
  const lockouts = new Lockouts(
    () => options.settings().authMaxFailures,
    () => options.settings().authLockMinutes * 60_000,
    now,
  );
  const rates = new RateLimiter(now);
  let stopping = false;
  const servers: SMTPServer[] = [];

  const refuse = (session: SMTPServerSession, reply: string, what: string, device?: string) => {
    const ip = normalizeIp(session.remoteAddress);
    void recordActivity(ACTOR, { action: "relay.refused", outcome: "failure", summary: `Relay refused ${what} from ${ip}${device ? ` (device ${device})` : ""}: ${reply}`, remoteReply: reply, errorCode: `smtp.${reply.slice(0, 3)}` });
    return smtpReply(reply);
  };
  const state = (session: SMTPServerSession): SessionState => {
    let s = sessions.get(session.id);
    if (!s) {
      s = { ip: normalizeIp(session.remoteAddress), device: null, noAuth: false, writer: null, quota: null };
      sessions.set(session.id, s);
    }
    return s;
  };

  /** Gives back a quota slot taken for a message that was not queued. */
  const releaseQuota = (st: SessionState) => {
    const q = st.quota;
    st.quota = null;
    if (q) void releaseDailyQuota(q.deviceId, q.day).catch((error: unknown) => options.log?.(`[relay] giving back a quota slot failed: ${error instanceof Error ? error.message : String(error)}`));
  };

  const handlers = {
    name: SMTP_NAME,
    banner: "OAuth Mail Console relay ESMTP",
    key: options.tls.keyPem,
    cert: options.tls.certPem,
    size: Math.round(options.settings().maxSizeMb * 1024 * 1024),
    authMethods: ["PLAIN", "LOGIN"],
    // Plain-text AUTH is refused in onAuth unless the device allows it from a listed IP.
    allowInsecureAuth: true,
    // AUTH is required in onMailFrom unless a no-AUTH device lists the client's IP.
    authOptional: true,
    disableReverseLookup: true,
    hideDSN: true,
    closeTimeout: 5_000,
    socketTimeout: 5 * 60_000,
    maxClients: 500,
    logger: false,
    onConnect(session: SMTPServerSession, callback: (err?: Error | null) => void) {
      // Our replies carry their own enhanced status code; smtp-server must not add its default one.
      patchReplies(servers, session.id);
      if (stopping) return callback(smtpReply("421 4.3.2 The relay is shutting down; try again later"));
      const ip = normalizeIp(session.remoteAddress);
      const locked = lockouts.lockedFor(`ip:${ip}`);
      if (locked) return callback(refuse(session, `421 4.7.0 Too many failed logins from ${ip}; try again in ${Math.ceil(locked / 60_000)} minute(s)`, "a connection"));
      state(session);
      callback();
    },
    onClose(session: SMTPServerSession) {
      const s = sessions.get(session.id);
      sessions.delete(session.id);
      void s?.writer?.abort();
      if (s) releaseQuota(s);
    },
    onAuth(auth: SMTPServerAuthentication, session: SMTPServerSession, callback: (err: Error | null | undefined, response?: { user?: unknown }) => void) {
      const st = state(session);
      const user = auth.username ?? "";
      const password = auth.password ?? "";
      void (async () => {
        const ipLock = lockouts.lockedFor(`ip:${st.ip}`);
        const userLock = lockouts.lockedFor(`user:${user.toLowerCase()}`);
        if (ipLock || userLock) return callback(refuse(session, `454 4.7.0 Temporarily locked after repeated failed logins; try again in ${Math.ceil(Math.max(ipLock, userLock) / 60_000)} minute(s)`, `AUTH as "${user}"`));
        // Plain-text AUTH is decided from the IP alone (538 for every username, existing or not).
        if (!session.secure && !(await plainAuthAllowedFrom(st.ip))) {
          return callback(refuse(session, "538 5.7.11 Encryption required: use STARTTLS (or the TLS port) before AUTH", `plain-text AUTH as "${user}"`));
        }
        const device = await loadDevicePolicy(user);
        // Why a device may not log in here even with its password; the client never learns which.
        const barred = !device
          ? "unknown user"
          : !device.enabled
            ? "device disabled"
            : !ipAllowed(device, st.ip)
              ? `IP ${st.ip} not allowed`
              : !session.secure && !(device.allowPlainAuth && device.ipList)
                ? "plain-text AUTH not allowed for this device"
                : null;
        // A barred login pays the full scrypt (like a wrong password), never the verified cache.
        const ok = !device ? (await burnPasswordCheck(password), false) : barred ? await verifyDevicePasswordUncached(device, password) : await verifyDevicePassword(device, password);
        if (!device || barred || !ok) {
          const lockedNow = [lockouts.fail(`ip:${st.ip}`), lockouts.fail(`user:${user.toLowerCase()}`)].some(Boolean);
          if (device) void touchDevice(device.id, st.ip, 0, 1);
          const reason = barred ? `${barred}${device ? (ok ? ", password correct" : ", password wrong") : ""}` : "wrong password";
          return callback(refuse(session, `${BAD_CREDENTIALS}${lockedNow ? " (now temporarily locked after repeated failures)" : ""}`, `AUTH as "${user}" (${reason})`, device?.name));
        }
        lockouts.succeed(`ip:${st.ip}`);
        lockouts.succeed(`user:${user.toLowerCase()}`);
        st.device = device;
        callback(null, { user: device.name });
      })().catch((error: unknown) => {
        options.log?.(`[relay] AUTH failed internally: ${error instanceof Error ? error.message : String(error)}`);
        callback(smtpReply("454 4.7.0 Temporary authentication failure"));
      });
    },
    onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const st = state(session);
      void (async () => {
        if (stopping) return callback(smtpReply("421 4.3.2 The relay is shutting down; try again later"));
        // A new transaction (after RSET or a refused one): the slot of the last one was not used.
        releaseQuota(st);
        let device: DevicePolicy | null;
        if (session.user) {
          // Re-read: a device disabled or changed while connected is seen at its next message.
          device = await loadDevicePolicy(String(session.user));
          if (!device || !device.enabled) return callback(refuse(session, `535 5.7.8 Device "${String(session.user)}" is disabled or was deleted`, "MAIL FROM"));
        } else {
          device = await noAuthDeviceFor(st.ip);
          if (!device) return callback(refuse(session, "530 5.7.0 Authentication required", `MAIL FROM:<${address.address}> without AUTH`));
          st.noAuth = true;
        }
        st.device = device;
        if (!senderAllowed(device, address.address)) return callback(refuse(session, `550 5.7.1 Sender <${address.address}> is not allowed for device "${device.name}"`, "MAIL FROM", device.name));
        if (device.dailyQuota) {
          // Taken here, atomically, and given back if the message is not queued in the end.
          const day = quotaDayOf(now());
          if (!(await takeDailyQuota(device.id, day))) {
            return callback(refuse(session, `452 4.7.1 Daily quota of ${device.dailyQuota} messages reached for device "${device.name}"; try again tomorrow (UTC)`, "MAIL FROM", device.name));
          }
          st.quota = { deviceId: device.id, day };
        }
        if (device.rateLimit && !rates.take(device.id, device.rateLimit)) {
          releaseQuota(st);
          return callback(refuse(session, `451 4.7.1 Rate limit of ${device.rateLimit} messages per minute reached for device "${device.name}"; try again shortly`, "MAIL FROM", device.name));
        }
        callback();
      })().catch((error: unknown) => {
        options.log?.(`[relay] MAIL FROM failed internally: ${error instanceof Error ? error.message : String(error)}`);
        callback(smtpReply("451 4.3.0 Temporary failure; try again"));
      });
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const max = options.settings().maxRecipients;
      if (session.envelope.rcptTo.length >= max) return callback(smtpReply(`452 4.5.3 Too many recipients: at most ${max} per message; send the rest in another message`));
      callback();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      const st = state(session);
      const device = st.device;
      const id = randomUUID();
      const receivedAt = new Date();
      const rcptTo = session.envelope.rcptTo.map((r) => r.address);
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
      const max = Math.round(options.settings().maxSizeMb * 1024 * 1024);
      void (async () => {
        if (!device) {
          stream.resume();
          return callback(smtpReply("503 5.5.1 No sender"));
        }
        const writer = await openSpoolWriter({ id, deviceId: device.id, deviceName: device.name, profileId: device.profileId, mailFrom, rcptTo, clientIp: st.ip, receivedAt: receivedAt.toISOString() });
        st.writer = writer;
        let head: Buffer | null = Buffer.alloc(0);
        let facts: ReturnType<typeof parseHeaderFacts> | null = null;
        let total = 0;
        let failed: Error | null = null;
        const prelude = (h: Buffer) => {
          facts = parseHeaderFacts(h);
          const lines = [`Received: from ${session.hostNameAppearsAs || "unknown"} ([${st.ip}]) by ${SMTP_NAME} (OAuth Mail Console relay) with ${session.secure ? "ESMTPS" : "ESMTP"}${session.user ? "A" : ""} id ${id}; ${receivedAt.toUTCString().replace("GMT", "+0000")}`];
          if (!facts.messageId) {
            facts.messageId = `<${id}@${SMTP_NAME}>`;
            lines.push(`Message-ID: ${facts.messageId}`);
          }
          return Buffer.from(lines.join("\r\n") + "\r\n", "utf8");
        };
        try {
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            total += chunk.length;
            if (total > max || failed) continue; // keep reading: smtp-server answers 552 at the end
            if (head) {
              head = Buffer.concat([head, chunk]);
              if (headerEnd(head) < 0 && head.length < 256 * 1024) continue;
              await writer.write(Buffer.concat([prelude(head), head]));
              head = null;
            } else await writer.write(chunk);
          }
          if (head && total <= max) await writer.write(Buffer.concat([prelude(head), head]));
        } catch (error) {
          failed = error instanceof Error ? error : new Error(String(error));
        }
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded || total > max) {
          await writer.abort();
          void recordActivity(ACTOR, { action: "relay.refused", outcome: "failure", summary: `Relay refused a message of ${total} bytes from ${st.ip} (device ${device.name}): over the ${max}-byte limit (552 5.3.4)`, errorCode: "smtp.552" });
          return callback(smtpReply(`552 5.3.4 Message size exceeds the fixed limit of ${max} bytes`));
        }
        if (failed) {
          await writer.abort();
          if ((failed as NodeJS.ErrnoException).code === "ECONNECTION") return callback(failed);
          options.log?.(`[relay] storing a message failed: ${failed.message}`);
          return callback(smtpReply("451 4.3.0 The message could not be stored; try again later"));
        }
        const f = facts as ReturnType<typeof parseHeaderFacts> | null;
        const badFrom = (f?.from ?? []).find((a) => !senderAllowed(device, a));
        if (badFrom) {
          await writer.abort();
          return callback(refuse(session, `550 5.7.1 From address <${badFrom}> is not allowed for device "${device.name}"`, "DATA", device.name));
        }
        const endOfData = performance.now();
        try {
          // fsync + rename here; the directory fsync and the queue row are group-committed with
          // the other messages ending now (one fsync, one transaction), durable on return.
          const { size, sha256 } = await writer.seal();
          st.writer = null;
          const lifetimeMs = options.settings().lifetimeHours * 3600_000;
          await commitAccepted({ id, deviceId: device.id, deviceName: device.name, profileId: device.profileId, mailFrom, rcptTo, size, sha256, messageId: f?.messageId ?? "", subject: f?.subject ?? "", clientIp: st.ip, receivedAt, lifetimeMs });
          // Queued: the quota slot stays taken. (Refused above: it is given back at the next MAIL FROM or the disconnect.)
          st.quota = null;
        } catch (error) {
          options.log?.(`[relay] queueing a message failed: ${error instanceof Error ? error.message : String(error)}`);
          await writer.abort();
          return callback(smtpReply("451 4.3.0 The message could not be queued; try again later"));
        }
        options.onCommitTimed?.(performance.now() - endOfData);
        callback(null, `2.0.0 Ok: queued as ${id}`);
        options.onAccepted?.(id);
      })().catch((error: unknown) => {
        options.log?.(`[relay] DATA failed internally: ${error instanceof Error ? error.message : String(error)}`);
        void st.writer?.abort();
        callback(smtpReply("451 4.3.0 Temporary failure; try again"));
      });
    },
  };

  const server = new SMTPServer({ ...handlers, secure: false });
  server.on("error", (err) => options.log?.(`[relay] listener error: ${err.message}`));
  const tlsServer = options.tlsPort !== null ? new SMTPServer({ ...handlers, secure: true }) : null;
  tlsServer?.on("error", (err) => options.log?.(`[relay] TLS listener error: ${err.message}`));

  const listen = (s: SMTPServer, port: number) =>
    new Promise<number>((resolve, reject) => {
      const inner = (s as unknown as { server: net.Server }).server;
      inner.once("error", reject);
      s.listen(port, options.host, () => {
        inner.off("error", reject);
        resolve((inner.address() as net.AddressInfo).port);
      });
    });
  const port = await listen(server, options.port);
  let tlsPort: number | null = null;
  if (tlsServer) {
    try {
      tlsPort = await listen(tlsServer, options.tlsPort ?? 0);
    } catch (error) {
      await new Promise<void>((r) => server.close(() => r()));
      throw error;
    }
  }
  servers.push(server);
  if (tlsServer) servers.push(tlsServer);
  return {
    address: { host: options.host, port, tlsPort },
    connections: () => servers.reduce((n, s) => n + (s as unknown as { connections: Set<unknown> }).connections.size, 0),
    stop: async (graceMs: number) => {
      stopping = true;
      // Idle connections get "421 … shutting down" after closeTimeout; transfers in DATA finish.
      const deadline = Date.now() + graceMs;
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
              s.close(() => {
                clearTimeout(t);
                resolve();
              });
            }),
        ),
      );
    },
  };
}

type PatchedConnection = { session?: { id?: string }; send: (code: number, data: unknown, context?: unknown) => void; __omcPatched?: boolean };

/** Replies whose text starts with an enhanced status code ("5.7.8 …") are sent as they are. */
function patchReplies(servers: SMTPServer[], sessionId: string): void {
  for (const c of servers.flatMap((s) => [...(s as unknown as { connections: Set<PatchedConnection> }).connections])) {
    if (c.__omcPatched || c.session?.id !== sessionId) continue;
    const send = c.send.bind(c);
    c.send = (code, data, context) => (typeof data === "string" && /^[245]\.\d{1,3}\.\d{1,3} /.test(data) ? send(code, data, false) : send(code, data, context));
    c.__omcPatched = true;
  }
}
