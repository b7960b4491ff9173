import { spawn } from "node:child_process";
import nodemailer, { type TransportOptions } from "nodemailer";
import { startFakeEntra, type FakeEntra } from "@/tests/fakes/fake-entra";
import { startSmtpPeer, type SmtpPeer } from "@/tests/fakes/smtp-peer";
import { APP_CERT_PEM, CLIENT, SECRET, TENANT, fixtureProfile } from "@/tests/fixtures/profiles";
import { localOperator } from "@/lib/auth/actor";
import { createProfile, type ProfileDto } from "@/lib/profiles/dal";
import type { ProfileKind } from "@/lib/profiles/schema";
import { updateRelaySettings } from "@/lib/relay/settings";
import type { RelaySettingsInput } from "@/lib/relay/schema";

/** Test plumbing shared by the relay tests: fakes, profiles, settings, swaks and nodemailer clients. */

export const operator = localOperator();
export const RELAY_MAILBOX = "sender@contoso.com";

export async function startRelayPeers(peerOptions: Parameters<typeof startSmtpPeer>[0] = {}): Promise<{ idp: FakeEntra; peer: SmtpPeer }> {
  const idp = await startFakeEntra({ tenants: [TENANT], clients: [{ clientId: CLIENT, secret: [SECRET.graphClientSecret], certificates: [APP_CERT_PEM] }] });
  const peer = await startSmtpPeer({ mailboxes: [RELAY_MAILBOX], ...peerOptions });
  return { idp, peer };
}

export async function profileFor(kind: ProfileKind, name: string, settings: Record<string, unknown>): Promise<ProfileDto> {
  const base = fixtureProfile(kind, name);
  return createProfile(operator, { ...base, settings: { ...base.settings, ...settings } as never });
}

/** Fast retries for tests (the defaults are minutes). */
export async function fastRelaySettings(extra: RelaySettingsInput = {}): Promise<void> {
  await updateRelaySettings(operator, { retryBaseSeconds: 0.2, maxRetrySeconds: 1, workers: 8, ...extra });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` returns a truthy value (polling), or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 60_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
    await sleep(50);
  }
}

/**
 * Runs swaks (Debian) against the relay; resolves with its exit code and the dialogue (message
 * data hidden). `stdin` is the message for `--data -`.
 */
export function swaks(args: string[], stdin?: string | Buffer): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("/usr/bin/swaks", ["--server", "127.0.0.1", "--timeout", "60", "--hide-informational", "--suppress-data", ...args], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => out.push(d));
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdin ?? "");
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out: Buffer.concat(out).toString("latin1") });
    });
  });
}

/** A nodemailer transport to the relay (STARTTLS, the relay's self-signed certificate trusted by fingerprint check off). */
export function relayTransport(port: number, user: string, pass: string, extra: Record<string, unknown> = {}) {
  return nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, requireTLS: true, auth: { user, pass }, tls: { rejectUnauthorized: false }, ...extra } as TransportOptions);
}
