import "server-only";
import os from "node:os";
import { getDb } from "../db/client";
import { getEnv } from "../env";
import { AppError } from "../errors";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { openSecret, sealSecret } from "../crypto/keyring";
import { assertKeyMatchesCertificate, describeCertificate, parsePrivateKey } from "../crypto/certificate";
import { relaySettingsSchema, type RelaySettings, type RelaySettingsInput } from "./schema";

/**
 * Relay settings (Setting row "relay.settings") and the listener's TLS certificate (Setting row
 * "relay.tls": certificate + private key sealed together, AAD "relay.tls", re-sealed by
 * `key rotate`). The environment (RELAY_PORT / RELAY_HOST / RELAY_TLS_PORT) wins over the page.
 */

const SETTINGS_KEY = "relay.settings";
export const RELAY_TLS_SETTING = "relay.tls";

export async function getRelaySettings(): Promise<RelaySettings> {
  const row = await getDb().setting.findUnique({ where: { key: SETTINGS_KEY } });
  const parsed = relaySettingsSchema.safeParse(row ? JSON.parse(row.value) : {});
  return parsed.success ? parsed.data : relaySettingsSchema.parse({});
}

export async function updateRelaySettings(actor: Actor, input: RelaySettingsInput): Promise<RelaySettings> {
  const parsed = relaySettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("invalid_input", issue?.message ?? "Invalid relay settings", { field: issue?.path.map(String).join(".") });
  }
  const before = await getRelaySettings();
  const value = parsed.data;
  await getDb().setting.upsert({ where: { key: SETTINGS_KEY }, create: { key: SETTINGS_KEY, value: JSON.stringify(value) }, update: { value: JSON.stringify(value) } });
  const changed = (Object.keys(value) as (keyof RelaySettings)[]).filter((k) => value[k] !== before[k]).map((k) => `${k} ${before[k]} → ${value[k]}`);
  await recordActivity(actor, { action: "relay.settings", outcome: "success", summary: changed.length ? `Relay settings changed: ${changed.join(", ")}` : "Relay settings saved (no changes)" });
  return value;
}

export type RelayListenConfig = { enabled: boolean; source: "env" | "settings" | "off"; host: string; port: number; tlsPort: number | null };

/** Where the listener runs: RELAY_PORT / RELAY_HOST / RELAY_TLS_PORT win over the console's settings. */
export function listenConfigOf(settings: RelaySettings): RelayListenConfig {
  const env = getEnv();
  if (env.RELAY_PORT) return { enabled: true, source: "env", host: env.RELAY_HOST ?? "0.0.0.0", port: env.RELAY_PORT, tlsPort: env.RELAY_TLS_PORT ?? null };
  return { enabled: settings.enabled, source: settings.enabled ? "settings" : "off", host: env.RELAY_HOST ?? settings.host, port: settings.port, tlsPort: env.RELAY_TLS_PORT ?? (settings.tlsPort || null) };
}

// ---------------------------------------------------------------------------------------------
// TLS certificate

export type RelayTls = { certPem: string; keyPem: string; source: "uploaded" | "self-signed" };
export type RelayTlsInfo = { source: RelayTls["source"]; subject: string; notAfter: string; sha256: string; sha1: string };

function tlsInfo(tls: RelayTls): RelayTlsInfo {
  const d = describeCertificate(tls.certPem);
  const colon = (hex: string) => hex.match(/.{2}/g)!.join(":");
  return { source: tls.source, subject: d.subject, notAfter: d.notAfter, sha256: colon(d.sha256Hex), sha1: colon(d.sha1Hex) };
}

async function readTls(): Promise<RelayTls | null> {
  const row = await getDb().setting.findUnique({ where: { key: RELAY_TLS_SETTING } });
  if (!row) return null;
  return JSON.parse(await openSecret(row.value, RELAY_TLS_SETTING)) as RelayTls;
}

async function writeTls(tls: RelayTls): Promise<void> {
  const value = await sealSecret(JSON.stringify(tls), RELAY_TLS_SETTING);
  await getDb().setting.upsert({ where: { key: RELAY_TLS_SETTING }, create: { key: RELAY_TLS_SETTING, value }, update: { value } });
}

/** The certificate's public facts (never the key); null before the relay first started. */
export async function getRelayTlsInfo(): Promise<RelayTlsInfo | null> {
  const tls = await readTls();
  return tls ? tlsInfo(tls) : null;
}

/**
 * The listener's certificate and key: the uploaded one, or a self-signed one generated on first
 * use (RSA 2048, CN = this host's name, 5 years) whose fingerprint the console shows so devices
 * that pin certificates can be told what to expect.
 */
export async function loadRelayTls(): Promise<RelayTls> {
  const existing = await readTls();
  if (existing) return existing;
  const name = os.hostname() || "omc-relay";
  const notAfter = new Date(Date.now() + 5 * 365 * 24 * 3600_000);
  const pems = await (await loadSelfsigned()).generate([{ name: "commonName", value: name }], {
    keySize: 2048,
    algorithm: "sha256",
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: name }, { type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] },
    ],
  });
  const tls: RelayTls = { certPem: pems.cert, keyPem: pems.private, source: "self-signed" };
  await writeTls(tls);
  return tls;
}

type Selfsigned = { generate(attrs: { name: string; value: string }[], opts: Record<string, unknown>): Promise<{ cert: string; private: string }> };

// `selfsigned` (node-forge based X.509) is loaded only when a certificate must be made, so the
// console's pages never bundle it.
const SELFSIGNED = "selfsigned";
async function loadSelfsigned(): Promise<Selfsigned> {
  return (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ SELFSIGNED)) as Selfsigned;
}

/** Stores an admin's certificate + unencrypted PEM key (checked to match). Returns the public facts. */
export async function uploadRelayTls(actor: Actor, certPem: string, keyPem: string): Promise<RelayTlsInfo> {
  describeCertificate(certPem);
  parsePrivateKey(keyPem, "keyPem");
  assertKeyMatchesCertificate(certPem, keyPem);
  const tls: RelayTls = { certPem, keyPem, source: "uploaded" };
  await writeTls(tls);
  const info = tlsInfo(tls);
  await recordActivity(actor, { action: "relay.tls", outcome: "success", summary: `Relay TLS certificate uploaded: ${info.subject}, valid until ${info.notAfter}, SHA-256 ${info.sha256}. Restart the relay to use it.` });
  return info;
}

/** Drops the certificate; the next start generates a new self-signed one. */
export async function resetRelayTls(actor: Actor): Promise<void> {
  await getDb().setting.deleteMany({ where: { key: RELAY_TLS_SETTING } });
  await recordActivity(actor, { action: "relay.tls", outcome: "success", summary: "Relay TLS certificate removed: a new self-signed certificate is generated at the next start" });
}
