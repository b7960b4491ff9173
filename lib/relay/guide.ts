import type { DeviceDto } from "./devices";
import type { RelayListenConfig, RelayTlsInfo } from "./settings";

/**
 * The device card: what to type into the device (host, port, TLS, username) and, for IBM i, the
 * CL that points its SMTP server at the relay — only commands the reference documents give
 * (ENDTCPSVR, CHGSMTPA FWDHUBSVR, ADDENVVAR QIBM_SMTP_MAILHUB_PORT, STRTCPSVR, SNDSMTPEMM).
 * Shared by the Relay page and `relay device show`.
 */

export type DeviceGuide = {
  rows: { label: string; value: string }[];
  notes: string[];
  ibmiCl: string;
};

export function deviceGuide(device: Pick<DeviceDto, "name" | "allowPlainAuth" | "allowNoAuth" | "allowedIps" | "allowedSenders">, listen: RelayListenConfig, tls: RelayTlsInfo | null, publicHost: string): DeviceGuide {
  const host = listen.host === "0.0.0.0" || listen.host === "::" ? publicHost : listen.host;
  const rows = [
    { label: "SMTP server (host)", value: host },
    { label: "Port", value: `${listen.port} (STARTTLS)${listen.tlsPort ? `, or ${listen.tlsPort} with implicit TLS (SSL/TLS)` : ""}` },
    { label: "Encryption", value: device.allowPlainAuth ? "STARTTLS recommended; plain text allowed from the listed IPs (risk)" : "STARTTLS required before AUTH" },
    { label: "Authentication", value: device.allowNoAuth ? `AUTH LOGIN or PLAIN; or none from ${device.allowedIps.join(", ")} (risk)` : "AUTH LOGIN or PLAIN" },
    { label: "Username", value: device.name },
    { label: "Password", value: "the one shown when the device was created or its password last rotated" },
    { label: "From address", value: device.allowedSenders.length ? device.allowedSenders.join(", ") : "any" },
  ];
  if (tls) rows.push({ label: "Certificate", value: `${tls.source === "self-signed" ? "self-signed" : "uploaded"}, SHA-256 ${tls.sha256}` });
  const notes = [
    tls?.source === "self-signed" ? "The certificate is self-signed: devices that check certificates need it imported or its fingerprint pinned (or upload a certificate from your CA on the Relay page)." : "",
    !listen.enabled ? "The relay listener is off: set RELAY_PORT or enable it in the Relay settings." : "",
  ].filter(Boolean);
  const ibmiCl = [
    "/* Point the IBM i SMTP server's mail hub at the OAuth Mail Console relay. */",
    "ENDTCPSVR *SMTP",
    `CHGSMTPA FWDHUBSVR('${host}') AUTOSTART(*YES)`,
    `ADDENVVAR ENVVAR(QIBM_SMTP_MAILHUB_PORT) VALUE('${listen.port}') LEVEL(*SYS)`,
    "STRTCPSVR *SMTP",
    "SNDSMTPEMM RCP(('some_account@somewhere.com' *PRI)) SUBJECT('Relay test') NOTE('Sent through the OAuth Mail Console relay')",
    `/* If this IBM i cannot authenticate to its mail hub, give device "${device.name}" the option "submission without AUTH" for the IBM i's IP address. */`,
  ].join("\n");
  return { rows, notes, ibmiCl };
}
