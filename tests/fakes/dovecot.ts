import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { testCa } from "./test-ca";
import { TEST_IDP_KID, testIdpKeys } from "./idp-keys";

/**
 * A private Dovecot IMAP server for the tests: Debian's dovecot-imapd, started from a config
 * directory of its own under .tmp/ (never /etc), implicit TLS on a random 127.0.0.1 port with
 * the test CA's certificate, AUTH=XOAUTH2 only (as Exchange Online offers it), tokens validated
 * locally (introspection_mode = local) against the test IdP's public key, and a Maildir with a
 * few messages per mailbox.
 *
 * Each mailbox says which token may open it, with one oauth2 passdb per mailbox
 * (username_filter), so exactly one rule applies to a login:
 *  - "upn": Entra delegated tokens (ROPC, authorization code): the token's `upn` must equal the
 *    XOAUTH2 user;
 *  - "email": Google service-account tokens: `email` (the impersonated user) must equal it;
 *  - "app": Entra app tokens (client credentials, `idtyp` = app) — the stand-in for Exchange's
 *    FullAccess grant to the service principal. Dovecot 2.3 compares the token's username
 *    attribute with the login through username_format; a constant format on both sides makes
 *    any valid app token fit this one mailbox.
 * One passdb per mailbox, not a chain of passdbs per token type: in a chain, a token without the
 * attribute of an earlier passdb ("No username returned") turns every later failure into a
 * temporary one ("NO [UNAVAILABLE]") instead of "AUTHENTICATIONFAILED".
 * No `scope` is configured: Debian's 2.3.19 wants every configured scope in a `scope` claim,
 * which Entra tokens (scp / roles) do not have.
 */

export const DOVECOT_BINARY = "/usr/sbin/dovecot";

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/**
 * Installs dovecot-imapd (+ dovecot-core) with apt when the binary is missing and we are root.
 * Without root it throws with exactly what to install. The packaged service is kept from
 * starting (policy-rc.d) because the tests run their own instance.
 */
export function ensureDovecotInstalled(): string {
  if (fs.existsSync(DOVECOT_BINARY)) return DOVECOT_BINARY;
  if (!isRoot()) {
    throw new Error(`Dovecot is not installed (${DOVECOT_BINARY} missing) and this process is not root. Install it with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends dovecot-core dovecot-imapd`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const policy = "/usr/sbin/policy-rc.d";
  const hadPolicy = fs.existsSync(policy);
  if (!hadPolicy) fs.writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    execFileSync("apt-get", ["update"], { stdio: "ignore", env, timeout: 300_000 });
    const res = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "dovecot-core", "dovecot-imapd"], { stdio: "pipe", env, timeout: 600_000 });
    if (res.status !== 0) throw new Error(`apt-get install dovecot-core dovecot-imapd failed (exit ${res.status}): ${res.stderr?.toString().slice(-2000)}`);
  } finally {
    if (!hadPolicy) fs.rmSync(policy, { force: true });
  }
  if (!fs.existsSync(DOVECOT_BINARY)) throw new Error(`apt-get reported success but ${DOVECOT_BINARY} is still missing`);
  return DOVECOT_BINARY;
}

export type DovecotMessage = { from: string; to?: string; subject: string; date: Date; body?: string };

export type DovecotAccount = {
  address: string;
  /** INBOX messages, oldest first. Every account also gets Sent and Archive folders. */
  messages: DovecotMessage[];
  /** Which token opens it (see above). Default "upn". */
  login?: "upn" | "email" | "app";
};

export type DovecotOptions = {
  accounts: DovecotAccount[];
  /** `azp` values of the tokens (client ids): Dovecot looks the verification key up per azp. */
  clientIds?: string[];
};

export type DovecotServer = {
  host: string;
  port: number;
  dir: string;
  /** Dovecot's log so far (auth decisions are logged with auth_verbose). */
  log: () => string;
  /** Local delivery, as an MTA's LDA would do it: the raw message into the mailbox's Maildir/new. */
  deliver: (address: string, raw: string) => void;
  /** Files in the mailbox's INBOX (new + cur): proves a message is gone after an EXPUNGE. */
  inboxFiles: (address: string) => string[];
  stop: () => Promise<void>;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function rfc822(m: DovecotMessage, mailbox: string, i: number): string {
  return [
    `From: ${m.from}`,
    `To: ${m.to ?? mailbox}`,
    `Subject: ${m.subject}`,
    `Date: ${m.date.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <seed-${i}-${randomBytes(4).toString("hex")}@dovecot.test>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    m.body ?? `Seed message ${i}`,
    "",
  ].join("\r\n");
}

function writeMaildir(root: string, mailbox: string, messages: DovecotMessage[], uid: number, gid: number) {
  const dir = path.join(root, mailbox.toLowerCase());
  for (const sub of ["", ".Sent", ".Archive"]) for (const leaf of ["cur", "new", "tmp"]) fs.mkdirSync(path.join(dir, sub, leaf), { recursive: true });
  messages.forEach((m, i) => {
    const t = Math.floor(m.date.getTime() / 1000);
    const file = path.join(dir, "cur", `${t}.M${i}P1.dovecot-test:2,S`);
    fs.writeFileSync(file, rfc822(m, mailbox, i));
    fs.utimesSync(file, m.date, m.date);
  });
  fs.writeFileSync(path.join(dir, "subscriptions"), "Sent\nArchive\n");
  chownTree(dir, uid, gid);
}

function chownTree(p: string, uid: number, gid: number) {
  if (!isRoot()) return;
  fs.chownSync(p, uid, gid);
  if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), uid, gid);
}

function idOf(name: string): { uid: number; gid: number } | null {
  const res = spawnSync("id", ["-u", name]);
  const resG = spawnSync("id", ["-g", name]);
  if (res.status !== 0 || resG.status !== 0) return null;
  return { uid: Number(res.stdout.toString().trim()), gid: Number(resG.stdout.toString().trim()) };
}

/** Starts Dovecot; resolves once it accepts connections on its port. */
export async function startDovecot(options: DovecotOptions): Promise<DovecotServer> {
  const binary = ensureDovecotInstalled();
  const ca = testCa();
  // Short path: Dovecot's unix sockets live under base_dir (108-byte limit on socket paths).
  const dir = path.resolve(".tmp/dovecot", randomBytes(4).toString("hex"));
  const run = path.join(dir, "run");
  const mail = path.join(dir, "mail");
  const keys = path.join(dir, "keys");
  for (const d of [run, mail, keys, path.join(dir, "state")]) fs.mkdirSync(d, { recursive: true });

  // Users: as root, the packaged system users (login: dovenull, internal: dovecot) and
  // nobody:nogroup for mail access (Dovecot refuses mail access as root); otherwise everything
  // runs as the current user.
  const me = os.userInfo();
  const root = isRoot();
  const mailIds = root ? (idOf("nobody") ?? { uid: 65534, gid: 65534 }) : { uid: me.uid, gid: me.gid };
  const loginUser = root ? (idOf("dovenull") ? "dovenull" : "nobody") : me.username;
  const internalUser = root ? (idOf("dovecot") ? "dovecot" : "nobody") : me.username;
  const groupName = spawnSync("id", ["-gn", root ? internalUser : me.username]).stdout.toString().trim() || String(mailIds.gid);

  // The public key, where the fs dict finds it for each azp ("default" when the token has none).
  // 2.3's fs dict strips the "shared/" prefix; newer builds keep it: write both layouts.
  for (const azp of ["default", ...(options.clientIds ?? [])]) {
    for (const base of [keys, path.join(keys, "shared")]) {
      const file = path.join(base, azp, "RS256", TEST_IDP_KID);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, testIdpKeys.publicKeyPem);
    }
  }

  const passdbs = options.accounts.map((account, i) => {
    const login = account.login ?? "upn";
    const lines = [`introspection_mode = local`, `local_validation_key_dict = fs:posix:prefix=${keys}/`, `debug = yes`];
    if (login === "app") lines.push("username_attribute = idtyp", "username_format = app", "active_attribute = idtyp", "active_value = app");
    else lines.push(`username_attribute = ${login}`);
    const file = path.join(dir, `oauth2-${i}.conf.ext`);
    fs.writeFileSync(file, lines.join("\n") + "\n");
    return `passdb {\n  driver = oauth2\n  mechanisms = xoauth2\n  args = ${file}\n  username_filter = ${account.address.toLowerCase()}\n}`;
  });

  const port = await freePort();
  const conf = `
# Generated by tests/fakes/dovecot.ts for one test run.
base_dir = ${run}
state_dir = ${path.join(dir, "state")}
instance_name = omc-${path.basename(dir)}
protocols = imap
listen = 127.0.0.1
log_path = ${path.join(dir, "dovecot.log")}
auth_verbose = yes
auth_debug = yes
auth_mechanisms = xoauth2
# Failed logins answer at once (the default 2 s penalty only slows the tests down).
auth_failure_delay = 0
disable_plaintext_auth = yes
default_login_user = ${loginUser}
default_internal_user = ${internalUser}
default_internal_group = ${groupName}
first_valid_uid = ${Math.min(mailIds.uid, 1)}
first_valid_gid = ${Math.min(mailIds.gid, 1)}
ssl = required
ssl_cert = <${ca.serverCert}
ssl_key = <${ca.serverKey}
ssl_min_protocol = TLSv1.2
mail_location = maildir:${mail}/%Lu
mail_privileged_group =
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
  }
  mailbox Archive {
    special_use = \\Archive
  }
}
${passdbs.join("\n")}
userdb {
  driver = static
  args = uid=${mailIds.uid} gid=${mailIds.gid} home=${mail}/%Lu
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${port}
    ssl = yes
  }
}
# Failed logins from 127.0.0.1 would make every later login wait longer (anvil's auth penalty,
# up to 15 s). A listener nobody may open disables the penalty (the auth process treats an
# unreachable anvil as "no penalty").
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`;
  const confFile = path.join(dir, "dovecot.conf");
  fs.writeFileSync(confFile, conf);
  for (const account of options.accounts) writeMaildir(mail, account.address, account.messages, mailIds.uid, mailIds.gid);
  if (root) {
    // Login/auth processes (other users) must reach the config, keys and certificates.
    fs.chmodSync(dir, 0o755);
    chownTree(mail, mailIds.uid, mailIds.gid);
  }

  const child: ChildProcess = spawn(binary, ["-F", "-c", confFile], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d) => (output += d.toString()));
  child.stderr?.on("data", (d) => (output += d.toString()));
  let exited: number | null = null;
  child.on("exit", (code) => (exited = code ?? -1));
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const logFile = path.join(dir, "dovecot.log");
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "") + output;

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited !== null) throw new Error(`Dovecot exited (${exited}) during start:\n${log().slice(-4000)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`Dovecot did not listen on 127.0.0.1:${port} within 20 s:\n${log().slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    host: "127.0.0.1",
    port,
    dir,
    log,
    deliver: (address, raw) => {
      const box = path.join(mail, address.toLowerCase());
      const name = `${Math.floor(Date.now() / 1000)}.M${randomBytes(6).toString("hex")}P${process.pid}.omc-test`;
      // Maildir delivery: write in tmp/, then rename into new/ (atomic for the reader).
      fs.writeFileSync(path.join(box, "tmp", name), raw.replace(/\r?\n/g, "\r\n"));
      fs.renameSync(path.join(box, "tmp", name), path.join(box, "new", name));
      chownTree(path.join(box, "new", name), mailIds.uid, mailIds.gid);
    },
    inboxFiles: (address) => {
      const box = path.join(mail, address.toLowerCase());
      return ["new", "cur"].flatMap((d) => (fs.existsSync(path.join(box, d)) ? fs.readdirSync(path.join(box, d)).map((f) => `${d}/${f}`) : []));
    },
    stop: async () => {
      process.removeListener("exit", killOnExit);
      if (exited === null) {
        const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await done;
        clearTimeout(timer);
      }
      if (!process.env.OMC_KEEP_DOVECOT) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
