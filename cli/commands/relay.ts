import fs from "node:fs";
import os from "node:os";
import { localOperator } from "@/lib/auth/actor";
import { createDevice, deleteDevice, getDevice, listDevices, rotateDevicePassword, setDeviceEnabled, type DeviceDto, type DeviceWithPassword } from "@/lib/relay/devices";
import { deleteQueueMessage, exportQueueMessage, getQueueMessage, listQueue, retryFailedMessages, retryQueueMessage, type QueueMessageDto } from "@/lib/relay/queue";
import { getRelaySettings, getRelayTlsInfo, listenConfigOf } from "@/lib/relay/settings";
import { deviceGuide } from "@/lib/relay/guide";
import { startRelay } from "@/lib/relay/service";
import { getRelayStatus } from "@/lib/relay/status";
import { flagBool, flagList, flagString, requirePositional, UsageError, type CliCommand } from "../framework";

/** `relay …`: the relay's CLI twin (names fixed by issue 14 so scripts can rely on them). */

const json = (v: unknown) => JSON.stringify(v, null, 2);

function portFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number (0–65535)`);
  return n;
}

function deviceLines(d: DeviceDto): string[] {
  return [
    `${d.name}${d.enabled ? "" : " (disabled)"}`,
    `  username             ${d.username}`,
    `  profile              ${d.profileName ?? `(missing: ${d.profileId})`}`,
    `  allowed senders      ${d.allowedSenders.join(", ") || "any"}`,
    `  allowed IPs          ${d.allowedIps.join(", ") || "any"}`,
    `  rate limit           ${d.rateLimit ? `${d.rateLimit}/min` : "none"}`,
    `  daily quota          ${d.dailyQuota ?? "none"}`,
    `  plaintext AUTH       ${d.allowPlainAuth ? "ALLOWED from the listed IPs (risk)" : "off"}`,
    `  without AUTH         ${d.allowNoAuth ? "ALLOWED from the listed IPs (risk)" : "off"}`,
    `  last seen            ${d.lastSeenAt ? `${d.lastSeenAt} from ${d.lastSeenIp}` : "never"}`,
    `  messages             ${d.acceptedCount} accepted, ${d.rejectedCount} refused logins`,
  ];
}

function printPassword(d: DeviceWithPassword, args: Parameters<CliCommand["run"]>[0]["args"], stdout: (l: string) => void): void {
  if (flagBool(args, "json")) {
    stdout(json(d));
    return;
  }
  for (const l of deviceLines(d)) stdout(l);
  stdout("");
  stdout(`  password             ${d.password}`);
  stdout("  (shown once: store it in the device now; `relay device rotate-password` makes a new one)");
}

function queueLine(m: QueueMessageDto): string {
  const err = m.lastError && m.state !== "delivered" ? ` — ${m.lastError}` : "";
  return `${m.id}  ${m.state.padEnd(9)} ${m.receivedAt}  ${m.deviceName}  ${m.mailFrom} → ${m.rcptTo.slice(0, 3).join(", ")}${m.rcptCount > 3 ? ` (+${m.rcptCount - 3})` : ""}  ${m.size} B  tries ${m.attempts}${err}`;
}

export const commands: CliCommand[] = [
  {
    path: ["relay", "serve"],
    usage: "relay serve [--port P] [--host H] [--tls-port P] [--commit-timings FILE]",
    summary: "Run the SMTP relay alone in the foreground (systemd, Docker); SIGTERM stops it gracefully",
    async run({ args, stdout }) {
      // --commit-timings: one line per accepted message, ms from the end of DATA to the 250 (npm run bench).
      const timings = flagString(args, "commit-timings");
      // A stream, not appendFileSync: a synchronous open/write/close per message stalled the event loop it measures.
      const timingsOut = timings ? fs.createWriteStream(timings, { flags: "a" }) : null;
      const onCommitTimed = timingsOut ? (ms: number) => void timingsOut.write(`${ms.toFixed(3)}\n`) : undefined;
      const relay = await startRelay({ port: portFlag(flagString(args, "port"), "port"), host: flagString(args, "host"), tlsPort: portFlag(flagString(args, "tls-port"), "tls-port"), onCommitTimed, log: stdout });
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          stdout(`[relay] ${signal}: no new messages (421), finishing deliveries in flight`);
          void relay.stop().then(() => resolve());
        };
        process.once("SIGTERM", () => stop("SIGTERM"));
        process.once("SIGINT", () => stop("SIGINT"));
        // Started by the console (npm start): stop when the console is gone (even after kill -9).
        if (flagBool(args, "supervised")) process.once("disconnect", () => stop("console gone"));
      });
    },
  },
  {
    path: ["relay", "status"],
    usage: "relay status [--json]",
    summary: "Listener address and state, TLS fingerprint, queue depth, oldest deferred message, silent devices",
    async run({ args, stdout }) {
      const { listen, tls, health, greeting, startedAt, settings } = await getRelayStatus(localOperator());
      const out = { listener: { ...listen, answering: Boolean(greeting), greeting, startedAt }, tls, queue: health, settings: { maxSizeMb: settings.maxSizeMb, lifetimeHours: settings.lifetimeHours, concurrencyPerProfile: settings.concurrencyPerProfile } };
      if (flagBool(args, "json")) {
        stdout(json(out));
        return;
      }
      stdout(`listener   ${listen.enabled ? `${listen.host}:${listen.port}${listen.tlsPort ? ` + TLS ${listen.tlsPort}` : ""} (from ${listen.source === "env" ? "RELAY_PORT" : "the Relay settings"}) — ${greeting ? `answering since ${startedAt ?? "?"}: ${greeting}` : "not answering"}` : "off (set RELAY_PORT or enable it in the Relay settings)"}`);
      stdout(`tls        ${tls ? `${tls.source}, ${tls.subject}, until ${tls.notAfter}, SHA-256 ${tls.sha256}` : "no certificate yet (a self-signed one is made at first start)"}`);
      stdout(`queue      ${health.queued} queued, ${health.sending} sending, ${health.deferred} deferred, ${health.failed} failed; last 24 h: ${health.deliveredLast24h} delivered, ${health.failedLast24h} failed`);
      stdout(`oldest     ${health.oldestDeferredAgeSeconds === null ? "no deferred message" : `deferred message waiting ${Math.round(health.oldestDeferredAgeSeconds / 60)} min`}`);
      if (health.silentDevices.length) stdout(`silent     ${health.silentDevices.map((d) => d.name).join(", ")} (no message for 24 h)`);
    },
  },
  {
    path: ["relay", "device", "add"],
    usage: "relay device add NAME --profile P [--allow-from ADDR|@DOMAIN …] [--allow-ip CIDR …] [--rate N] [--quota N] [--allow-plain-auth] [--no-auth] [--json]",
    summary: "Create a relay device; prints its generated password once",
    repeatable: ["allow-from", "allow-ip"],
    async run({ args, stdout }) {
      const d = await createDevice(localOperator(), {
        name: requirePositional(args, 0, "device NAME"),
        profile: flagString(args, "profile") ?? "",
        allowFrom: flagList(args, "allow-from"),
        allowIp: flagList(args, "allow-ip"),
        rate: flagString(args, "rate"),
        quota: flagString(args, "quota"),
        allowPlainAuth: flagBool(args, "allow-plain-auth"),
        noAuth: flagBool(args, "no-auth"),
      });
      printPassword(d, args, stdout);
    },
  },
  {
    path: ["relay", "device", "list"],
    usage: "relay device list [--json]",
    summary: "List relay devices with last seen and counts",
    async run({ args, stdout }) {
      const list = await listDevices(localOperator());
      if (flagBool(args, "json")) return void stdout(json(list));
      if (!list.length) return void stdout("no relay devices (add one with: relay device add NAME --profile P)");
      for (const d of list) stdout(`${d.name.padEnd(24)} ${d.enabled ? "enabled " : "disabled"}  → ${d.profileName ?? "(profile missing)"}  last seen ${d.lastSeenAt ?? "never"}  ${d.acceptedCount} accepted`);
    },
  },
  {
    path: ["relay", "device", "show"],
    usage: "relay device show NAME [--json]",
    summary: "A device's rights and what to type into it (host, port, TLS, username, IBM i CL)",
    async run({ args, stdout }) {
      const d = await getDevice(localOperator(), requirePositional(args, 0, "device NAME"));
      const listen = listenConfigOf(await getRelaySettings());
      const guide = deviceGuide(d, listen, await getRelayTlsInfo(), os.hostname());
      if (flagBool(args, "json")) return void stdout(json({ ...d, setup: guide }));
      for (const l of deviceLines(d)) stdout(l);
      stdout("");
      stdout("Set up the device:");
      for (const r of guide.rows) stdout(`  ${r.label.padEnd(20)} ${r.value}`);
      for (const n of guide.notes) stdout(`  note: ${n}`);
      stdout("");
      stdout("IBM i:");
      for (const l of guide.ibmiCl.split("\n")) stdout(`  ${l}`);
    },
  },
  ...(["disable", "enable"] as const).map(
    (verb): CliCommand => ({
      path: ["relay", "device", verb],
      usage: `relay device ${verb} NAME [--json]`,
      summary: verb === "disable" ? "Refuse the device's logins (its queued messages are still delivered)" : "Allow a disabled device again",
      async run({ args, stdout }) {
        const d = await setDeviceEnabled(localOperator(), requirePositional(args, 0, "device NAME"), verb === "enable");
        stdout(flagBool(args, "json") ? json(d) : `${d.name}: ${d.enabled ? "enabled" : "disabled"}`);
      },
    }),
  ),
  {
    path: ["relay", "device", "rotate-password"],
    usage: "relay device rotate-password NAME [--json]",
    summary: "Generate a new password for a device (printed once; the old one stops working)",
    async run({ args, stdout }) {
      printPassword(await rotateDevicePassword(localOperator(), requirePositional(args, 0, "device NAME")), args, stdout);
    },
  },
  {
    path: ["relay", "device", "delete"],
    usage: "relay device delete NAME [--json]",
    summary: "Delete a device (messages it already queued are still delivered)",
    async run({ args, stdout }) {
      const name = requirePositional(args, 0, "device NAME");
      await deleteDevice(localOperator(), name);
      stdout(flagBool(args, "json") ? json({ deleted: name }) : `${name}: deleted`);
    },
  },
  {
    path: ["relay", "queue", "list"],
    usage: "relay queue list [--state queued|sending|deferred|delivered|failed] [--device NAME] [--sender S] [--recipient R] [--page N] [--json]",
    summary: "List queued messages, newest first",
    async run({ args, stdout }) {
      const res = await listQueue(localOperator(), { state: flagString(args, "state") as never, device: flagString(args, "device"), sender: flagString(args, "sender"), recipient: flagString(args, "recipient"), page: flagString(args, "page"), pageSize: flagString(args, "page-size") });
      if (flagBool(args, "json")) return void stdout(json(res));
      for (const m of res.items) stdout(queueLine(m));
      stdout(`${res.items.length} of ${res.total} message(s)${res.total > res.items.length ? ` (page ${res.page}; --page N for more)` : ""}`);
    },
  },
  {
    path: ["relay", "queue", "show"],
    usage: "relay queue show ID [--json]",
    summary: "A message's envelope, headers and every delivery attempt with its decoded error and redacted transcript",
    async run({ args, stdout }) {
      const m = await getQueueMessage(localOperator(), requirePositional(args, 0, "message ID"));
      if (flagBool(args, "json")) return void stdout(json(m));
      stdout(queueLine(m));
      stdout(`  Message-ID   ${m.messageId}`);
      stdout(`  subject      ${m.subject}`);
      stdout(`  recipients   ${m.rcptAll.join(", ")}`);
      stdout(`  expires      ${m.expiresAt}${m.state === "deferred" ? `; next try ${m.nextAttemptAt}` : ""}`);
      stdout("  headers:");
      for (const l of m.headers.split(/\r?\n/)) stdout(`    ${l}`);
      for (const [i, a] of m.attemptLog.entries()) {
        stdout(`  attempt ${i + 1} at ${a.at} (${a.durationMs} ms, ${a.outcome}): ${a.summary}`);
        if (a.cause) stdout(`    cause: ${a.cause}`);
        if (a.fix) stdout(`    fix:   ${a.fix}`);
        if (flagBool(args, "transcript")) for (const l of a.transcript.split("\n")) stdout(`    | ${l}`);
      }
    },
  },
  {
    path: ["relay", "queue", "retry"],
    usage: "relay queue retry ID|--failed [--json]",
    summary: "Retry a deferred or failed message now (--failed: every failed message)",
    async run({ args, stdout }) {
      const lifetimeMs = (await getRelaySettings()).lifetimeHours * 3600_000;
      if (flagBool(args, "failed")) {
        const n = await retryFailedMessages(localOperator(), lifetimeMs);
        return void stdout(flagBool(args, "json") ? json({ requeued: n }) : `${n} failed message(s) queued again`);
      }
      const m = await retryQueueMessage(localOperator(), requirePositional(args, 0, "message ID (or --failed)"), lifetimeMs);
      stdout(flagBool(args, "json") ? json(m) : `${m.id}: queued for an immediate retry`);
    },
  },
  {
    path: ["relay", "queue", "delete"],
    usage: "relay queue delete ID [--json]",
    summary: "Delete a message from the queue (and its spool file)",
    async run({ args, stdout }) {
      const id = requirePositional(args, 0, "message ID");
      await deleteQueueMessage(localOperator(), id);
      stdout(flagBool(args, "json") ? json({ deleted: id }) : `${id}: deleted`);
    },
  },
  {
    path: ["relay", "queue", "export"],
    usage: "relay queue export ID --out FILE.eml",
    summary: "Write the message as received (.eml)",
    async run({ args, stdout }) {
      const out = flagString(args, "out");
      if (!out) throw new UsageError("--out FILE.eml is required");
      const { bytes } = await exportQueueMessage(localOperator(), requirePositional(args, 0, "message ID"));
      fs.writeFileSync(out, bytes, { mode: 0o600 });
      stdout(`${out}: ${bytes.length} bytes`);
    },
  },
];
