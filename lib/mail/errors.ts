import { isAppError, tokenFailureOf } from "../errors";

/**
 * The mail error decoder: SMTP replies, Graph responses, IMAP failures, TLS and network errors
 * → what happened (cause) and what to do (fix), in the words of the admin who has to fix it.
 * Rows follow the troubleshooting tables of the iMail guide and ../shared/reference/README.md.
 * Pure: plain values in, plain values out; never includes a secret (callers pass redacted text).
 */

export type MailProtocol = "smtp" | "imap" | "graph";

export type MailErrorCategory = "auth" | "permission" | "tls" | "network" | "timeout" | "protocol" | "recipient" | "size" | "throttled" | "server" | "config";

export type DecodedMailError = {
  /** Stable code for the activity log and tests, e.g. "smtp.535.5.7.3", "tls.untrusted-ca", "graph.403.ErrorAccessDenied". */
  code: string;
  category: MailErrorCategory;
  /** One line for the result header: what failed. */
  summary: string;
  cause: string;
  fix: string;
  /** The server's reply or error code as received (already redacted by the caller). */
  remoteReply?: string;
  /** True when a fresh token could change the outcome (rejected or expired token). */
  tokenRejected: boolean;
  /** Seconds the server asked to wait (Graph 429 Retry-After). */
  retryAfterSeconds?: number;
};

/**
 * Whether trying the same thing again later can succeed: SMTP 4xx replies, network failures and
 * timeouts, Graph 429 and 5xx. Everything else (5xx SMTP replies, TLS trust, permissions,
 * configuration, bad recipients) needs a change first. The relay queue and the scheduler act on it.
 */
export function isTransientMailError(d: Pick<DecodedMailError, "code" | "category" | "remoteReply">): boolean {
  const reply = d.remoteReply?.trim() ?? "";
  if (d.code.startsWith("smtp.") && /^[45]\d\d\b/.test(reply)) return reply.startsWith("4");
  const graph = d.code.match(/^graph\.(\d{3})\b/);
  if (graph) return graph[1] === "429" || Number(graph[1]) >= 500;
  return d.category === "network" || d.category === "timeout" || d.category === "throttled";
}

export type ErrorContext = {
  protocol: MailProtocol;
  host?: string;
  port?: number;
  /** The identity that authenticated (XOAUTH2 user, basic username, Graph mailbox). */
  user?: string;
  /** "starttls" | "tls" for SMTP/IMAP; shapes the hints for a port/security mismatch. */
  security?: "starttls" | "tls";
  timeoutMs?: number;
  /** What was running when it failed: connect, greeting, tls, auth, send, data… */
  stage?: string;
  /** Profile kind, to tailor hints (Google vs Microsoft, app vs delegated). */
  kind?: string;
};

const where = (ctx: ErrorContext) => (ctx.host ? `${ctx.host}${ctx.port ? `:${ctx.port}` : ""}` : "the server");
const isGoogle = (ctx: ErrorContext) => ctx.kind === "google-service-account" || /gmail\.com|google/i.test(ctx.host ?? "");
const isMicrosoftApp = (ctx: ErrorContext) => ctx.kind === "m365-app-smtp" || ctx.kind === "m365-app-graph";

const DCM_STEP =
  "On IBM i the same fix is the DCM step: Digital Certificate Manager → Manage Certificates → Import Certificate → CA certificate into the *SYSTEM store, then Manage Applications → Update Certificate Assignment for QIBM_QTMS_SMTP_CLIENT (Microsoft 365: DigiCert Global Root G2; Google: GTS Root R1 / R4).";

// ---------------------------------------------------------------------------------------------
// SMTP replies

type SmtpRow = { test: RegExp; code: string; category: MailErrorCategory; tokenRejected?: boolean; cause: (ctx: ErrorContext) => string; fix: (ctx: ErrorContext) => string };

const SMTP_ROWS: SmtpRow[] = [
  {
    test: /^535[ -]5\.7\.139\b/,
    code: "smtp.535.5.7.139",
    category: "auth",
    tokenRejected: true,
    cause: () => "SMTP client authentication is disabled for the tenant or the mailbox, or the token's scope does not target Exchange Online SMTP.",
    fix: (ctx) =>
      `Enable SMTP AUTH: tenant-wide Set-TransportConfig -SmtpClientAuthenticationDisabled $false, or for the mailbox Set-CASMailbox -Identity ${ctx.user ?? "<mailbox>"} -SmtpClientAuthenticationDisabled $false. The scope must be on https://outlook.office365.com/ (SMTP.Send delegated, or .default for an app).`,
  },
  {
    test: /^535[ -]5\.7\.3\b/,
    code: "smtp.535.5.7.3",
    category: "auth",
    tokenRejected: true,
    cause: (ctx) =>
      isMicrosoftApp(ctx)
        ? `Exchange did not accept the app token for ${ctx.user ?? "the mailbox"}: SMTP AUTH is disabled for the mailbox, the service principal has no permission on it, or the token is expired / for another audience.`
        : `SMTP AUTH is disabled for ${ctx.user ?? "the sender mailbox"}, or the token is not accepted for this mailbox (expired, other user, other audience).`,
    fix: (ctx) =>
      isMicrosoftApp(ctx)
        ? `Enable Authenticated SMTP for the mailbox (Set-CASMailbox -Identity ${ctx.user ?? "<mailbox>"} -SmtpClientAuthenticationDisabled $false), register the service principal (New-ServicePrincipal -AppId <client id> -ObjectId <Enterprise Application object id>) and grant it Add-MailboxPermission -Identity ${ctx.user ?? "<mailbox>"} -User <service principal> -AccessRights FullAccess. The scope must be https://outlook.office365.com/.default.`
        : `Microsoft 365 admin center → Users → Active users → ${ctx.user ?? "the sender"} → Mail → Manage email apps → tick Authenticated SMTP → Save (takes a few minutes). The XOAUTH2 user must be the mailbox the token was issued for.`,
  },
  {
    test: /^535[ -]5\.7\.8\b/,
    code: "smtp.535.5.7.8",
    category: "auth",
    tokenRejected: true,
    cause: (ctx) =>
      isGoogle(ctx)
        ? `Google rejected the credentials for ${ctx.user ?? "the user"} (Username and Password not accepted / invalid XOAUTH2 token).`
        : "The server rejected the credentials (5.7.8 authentication credentials invalid).",
    fix: (ctx) =>
      isGoogle(ctx)
        ? "The XOAUTH2 user must be the impersonated Workspace user (never the service account), the token must be minted with sub = that user and scope https://mail.google.com/, authorised for the client id under Admin console → Security → API controls → Domain-wide delegation."
        : "Check the user name and the token or password; for OAuth check the scope and that the token was issued for this user.",
  },
  {
    test: /^530[ -]5\.7\.57\b/,
    code: "smtp.530.5.7.57",
    category: "permission",
    cause: () => "Exchange treats the session as not authenticated for sending: the app token is valid but has no right on the mailbox (or the client sent MAIL FROM before AUTH).",
    fix: (ctx) =>
      `Grant the app access to ${ctx.user ?? "the mailbox"}: Add-MailboxPermission -Identity ${ctx.user ?? "<mailbox>"} -User <service principal object id> -AccessRights FullAccess, or with RBAC for Applications New-ManagementRoleAssignment -Role "Application SMTP.SendAsApp" -App <service principal> -CustomResourceScope <scope>.`,
  },
  {
    test: /^4\d\d[ -]4\.2\.0\b.*STOREDRV|STOREDRV/i,
    code: "smtp.430.4.2.0.STOREDRV",
    category: "permission",
    cause: () => "The token was accepted but the mailbox store refused the submission: the app (service principal) has no right on the mailbox.",
    fix: (ctx) =>
      `Add-MailboxPermission -Identity ${ctx.user ?? "<mailbox>"} -User <service principal object id> -AccessRights FullAccess (the ObjectId of the Enterprise Application, not the App registration), or an RBAC role assignment "Application SMTP.SendAsApp"; wait a few minutes for it to apply.`,
  },
  {
    test: /^5\d\d[ -]5\.2\.252\b|SendAsDenied|^550[ -]5\.7\.60\b/i,
    code: "smtp.554.5.2.252.SendAsDenied",
    category: "permission",
    cause: (ctx) => `${ctx.user ?? "The authenticated user"} is not allowed to send as the From address (SendAsDenied).`,
    fix: (ctx) =>
      `Send from the mailbox itself, or grant Send As: Add-RecipientPermission -Identity <from address> -Trustee ${ctx.user ?? "<login user>"} -AccessRights SendAs (Send on Behalf is not enough). Delegated profiles: leave From empty or equal to the login user.`,
  },
  {
    test: /^5\d\d[ -]5\.7\.708\b|^550[ -]5\.7\.(?:501|511|750)\b/,
    code: "smtp.550.5.7.x.blocked",
    category: "permission",
    cause: () => "Exchange Online refused to relay: the sending account or tenant is blocked (suspected spam / unverified tenant).",
    fix: () => "Check the Restricted entities page in the Microsoft 365 Defender portal and the tenant's outbound spam policy; new tenants may need a verified domain first.",
  },
  {
    test: /^5\d\d[ -]5\.7\.30\b/,
    code: "smtp.550.5.7.30",
    category: "auth",
    cause: () => "Exchange Online no longer accepts Basic authentication (user name and password) for SMTP client submission: it is turned off for this tenant, so the password is not even checked.",
    fix: () =>
      "Move this sender to OAuth: a Microsoft 365 app profile (SMTP.SendAsApp with XOAUTH2, or Graph Mail.Send) or a delegated profile, or let the device send through the console's relay, which authenticates with OAuth for it. Re-enabling Basic SMTP AUTH for the tenant is only a stopgap.",
  },
  {
    test: /^5\d\d[ -]5\.1\.\d\b|^550\b.*(?:recipient|mailbox unavailable|user unknown)/i,
    code: "smtp.550.5.1.x.recipient",
    category: "recipient",
    cause: () => "The server refused a recipient (unknown address, or relaying denied for it).",
    fix: () => "Check the To/Cc/Bcc addresses; for external recipients the sending account must be allowed to relay.",
  },
  {
    test: /^5(?:52|34)[ -]5\.(?:3\.4|2\.3|7\.9)\b.*(?:size|large)|^552\b/i,
    code: "smtp.552.size",
    category: "size",
    cause: () => "The message is larger than the server accepts.",
    fix: () => "Send a smaller attachment (Exchange Online accepts up to 35 MB by default, Gmail 25 MB).",
  },
  {
    test: /^534[ -]5\.7\.9\b/,
    code: "smtp.534.5.7.9",
    category: "auth",
    cause: () => "The server wants an application-specific password or OAuth, not the account password.",
    fix: () => "Use an OAuth profile (XOAUTH2) instead of basic authentication.",
  },
  {
    test: /^535\b/,
    code: "smtp.535",
    category: "auth",
    tokenRejected: true,
    cause: (ctx) => `The server rejected the login of ${ctx.user ?? "the user"}.`,
    fix: (ctx) =>
      isGoogle(ctx)
        ? "Check the impersonated user and the https://mail.google.com/ scope in domain-wide delegation."
        : "Check the user name, the token's audience and scope (or the password for basic auth), and that SMTP AUTH is allowed for the mailbox.",
  },
  {
    test: /^(?:421|45[0-2])[ -]4\.7\.\d+\b|^421\b/,
    code: "smtp.4xx.throttled",
    category: "throttled",
    cause: () => "The server deferred the request (throttling, too many connections, or a temporary problem).",
    fix: () => "Try again in a few minutes; Exchange Online allows 30 messages a minute and 3 concurrent connections per mailbox.",
  },
  {
    test: /^454[ -]4\.7\.0\b|^454\b/,
    code: "smtp.454.tls",
    category: "tls",
    cause: () => "The server could not start TLS.",
    fix: () => "Try again later; if it persists the server's TLS configuration is broken.",
  },
];

function smtpReplyDecoded(reply: string, ctx: ErrorContext): DecodedMailError | undefined {
  const first = reply.trim();
  for (const row of SMTP_ROWS) {
    if (row.test.test(first)) {
      return {
        code: row.code,
        category: row.category,
        summary: `${where(ctx)} answered: ${firstLine(first)}`,
        cause: row.cause(ctx),
        fix: row.fix(ctx),
        remoteReply: first,
        tokenRejected: row.tokenRejected ?? false,
      };
    }
  }
  return undefined;
}

/** Decodes a bare SMTP reply such as "535 5.7.3 Authentication unsuccessful". */
export function decodeSmtpReply(reply: string, ctx: Partial<ErrorContext> = {}): DecodedMailError {
  const full: ErrorContext = { protocol: "smtp", ...ctx };
  return (
    smtpReplyDecoded(reply, full) ?? {
      code: `smtp.${reply.trim().slice(0, 3) || "reply"}`,
      category: /^4/.test(reply.trim()) ? "throttled" : "server",
      summary: `${where(full)} answered: ${firstLine(reply)}`,
      cause: "The server refused the request.",
      fix: "Read the server's reply; the enhanced status code (x.y.z) names the reason.",
      remoteReply: reply.trim(),
      tokenRejected: false,
    }
  );
}

// ---------------------------------------------------------------------------------------------
// TLS and network

const TLS_UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
]);

function errorCodes(err: unknown): { code?: string; message: string; causeCode?: string; causeMessage?: string } {
  if (!err || typeof err !== "object") return { message: String(err ?? "") };
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  const cause = e.cause && typeof e.cause === "object" ? (e.cause as { code?: unknown; message?: unknown }) : undefined;
  return {
    code: typeof e.code === "string" ? e.code : undefined,
    message: typeof e.message === "string" ? e.message : String(err),
    causeCode: typeof cause?.code === "string" ? cause.code : undefined,
    causeMessage: typeof cause?.message === "string" ? cause.message : undefined,
  };
}

/** Finds a TLS certificate/handshake failure in an error (its code, its cause or its message). */
export function decodeTlsError(err: unknown, ctx: ErrorContext): DecodedMailError | undefined {
  const { code, message, causeCode, causeMessage } = errorCodes(err);
  const text = `${code ?? ""} ${causeCode ?? ""} ${message} ${causeMessage ?? ""}`;
  const tlsCode = [...TLS_UNTRUSTED, "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "ERR_TLS_CERT_ALTNAME_INVALID"].find((c) => text.includes(c))
    ?? (/self[- ]signed certificate in certificate chain/i.test(text) ? "SELF_SIGNED_CERT_IN_CHAIN" : /self[- ]signed certificate/i.test(text) ? "DEPTH_ZERO_SELF_SIGNED_CERT" : /unable to (?:verify|get) (?:the first|local issuer)/i.test(text) ? "UNABLE_TO_VERIFY_LEAF_SIGNATURE" : undefined)
    ?? (/Hostname\/IP does not match certificate/i.test(text) ? "ERR_TLS_CERT_ALTNAME_INVALID" : /certificate has expired/i.test(text) ? "CERT_HAS_EXPIRED" : undefined);
  const base = { remoteReply: firstLine(message), tokenRejected: false } as const;
  if (tlsCode && TLS_UNTRUSTED.has(tlsCode)) {
    return {
      ...base,
      code: "tls.untrusted-ca",
      category: "tls",
      summary: `TLS to ${where(ctx)} failed: the server's certificate is not trusted (${tlsCode})`,
      cause: `The certificate chain ${where(ctx)} presented does not lead to a CA this machine trusts: the issuing root (or an intermediate) is missing from the trust store, the server sends an incomplete chain, or a proxy re-signs TLS traffic with its own CA.`,
      fix: `Add the issuing root CA to the console's trust store (Debian: copy it to /usr/local/share/ca-certificates and run update-ca-certificates, or point NODE_EXTRA_CA_CERTS at a PEM bundle and restart). ${DCM_STEP}`,
    };
  }
  if (tlsCode === "CERT_HAS_EXPIRED" || tlsCode === "CERT_NOT_YET_VALID") {
    return {
      ...base,
      code: "tls.expired",
      category: "tls",
      summary: `TLS to ${where(ctx)} failed: the server's certificate is ${tlsCode === "CERT_HAS_EXPIRED" ? "expired" : "not yet valid"}`,
      cause: "The server's certificate is outside its validity period, or this machine's clock is wrong.",
      fix: "Check the system clock (timedatectl); if it is right, the server's certificate must be renewed. On IBM i, also check the expiry of the CA certificates in DCM.",
    };
  }
  if (tlsCode === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return {
      ...base,
      code: "tls.hostname-mismatch",
      category: "tls",
      summary: `TLS to ${where(ctx)} failed: the certificate is for another host name`,
      cause: `The certificate does not name ${ctx.host ?? "the host"} (connecting by IP address, an alias, or a proxy).`,
      fix: "Use the host name the certificate was issued for (smtp.office365.com, outlook.office365.com, smtp.gmail.com…).",
    };
  }
  if (/wrong version number|unknown protocol|packet length too long|EPROTO|ssl3_get_record|record layer failure/i.test(text)) {
    const implicitOnStarttlsPort = ctx.security === "tls";
    return {
      ...base,
      code: "tls.protocol-mismatch",
      category: "tls",
      summary: `TLS to ${where(ctx)} failed: the server did not speak TLS where expected`,
      cause: implicitOnStarttlsPort
        ? `Security is set to implicit TLS but ${where(ctx)} starts in plain text (a STARTTLS port such as 587).`
        : `The TLS handshake with ${where(ctx)} failed (protocol mismatch).`,
      fix: implicitOnStarttlsPort
        ? "Use security STARTTLS with port 587 (SMTP) / 143 (IMAP), or implicit TLS with port 465 (SMTP) / 993 (IMAP)."
        : "Check that port and security match (587 = STARTTLS, 465 = TLS, 993 = IMAP TLS) and that no proxy interferes.",
    };
  }
  if (/handshake failure|no shared cipher|unsupported protocol|alert protocol version|tlsv1 alert/i.test(text)) {
    return {
      ...base,
      code: "tls.handshake",
      category: "tls",
      summary: `TLS handshake with ${where(ctx)} failed`,
      cause: "Client and server found no common TLS version or cipher.",
      fix: "Exchange Online and Gmail require TLS 1.2 or later; check the OpenSSL / system crypto policy.",
    };
  }
  return undefined;
}

function decodeNetworkError(err: unknown, ctx: ErrorContext): DecodedMailError | undefined {
  const { code, message, causeCode, causeMessage } = errorCodes(err);
  const c = causeCode ?? code ?? "";
  const text = `${code ?? ""} ${causeCode ?? ""} ${message} ${causeMessage ?? ""}`;
  const base = { remoteReply: firstLine(message), tokenRejected: false } as const;
  const seconds = ctx.timeoutMs ? ` within ${Math.round(ctx.timeoutMs / 1000)} s` : "";
  if (c === "ECONNREFUSED" || /ECONNREFUSED/.test(text)) {
    return {
      ...base,
      code: "network.refused",
      category: "network",
      summary: `Connection to ${where(ctx)} refused`,
      cause: `Nothing accepts connections on ${where(ctx)} (wrong host or port, service down, or a firewall rejecting it).`,
      fix: `Check host and port (SMTP 587 STARTTLS / 465 TLS, IMAP 993) and that outbound connections to ${where(ctx)} are allowed.`,
    };
  }
  if (c === "ENOTFOUND" || c === "EAI_AGAIN" || c === "EDNS" || /ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(text)) {
    return {
      ...base,
      code: "network.dns",
      category: "network",
      summary: `Host ${ctx.host ?? ""} not found`,
      cause: `The name ${ctx.host ?? ""} does not resolve from this machine (typo, or no DNS).`,
      fix: "Check the host name and the machine's DNS settings.",
    };
  }
  if (c === "EHOSTUNREACH" || c === "ENETUNREACH" || /EHOSTUNREACH|ENETUNREACH/.test(text)) {
    return {
      ...base,
      code: "network.unreachable",
      category: "network",
      summary: `${where(ctx)} is unreachable`,
      cause: `No route to ${where(ctx)}.`,
      fix: "Check the network, proxy and firewall rules for outbound connections.",
    };
  }
  const timeoutType = (err as { timeoutType?: string } | null)?.timeoutType;
  if (c === "ETIMEDOUT" || c === "CONNECT_TIMEOUT" || c === "GREETING_TIMEOUT" || c === "UND_ERR_CONNECT_TIMEOUT" || c === "TimeoutError" || c === "UND_ERR_HEADERS_TIMEOUT" || /timed? ?out|timeout/i.test(text)) {
    const greeting = timeoutType === "GREETING_TIMEOUT" || /greeting/i.test(text) || c === "GREETING_TIMEOUT" || ctx.stage === "greeting";
    const connect = timeoutType === "CONNECTION_TIMEOUT" || c === "CONNECT_TIMEOUT" || c === "UND_ERR_CONNECT_TIMEOUT" || ctx.stage === "connect";
    if (greeting) {
      return {
        ...base,
        code: "timeout.greeting",
        category: "timeout",
        summary: `${where(ctx)} accepted the connection but sent no greeting${seconds}`,
        cause:
          ctx.security === "starttls"
            ? `The server is silent: a port expecting implicit TLS (such as 465) waits for a TLS handshake, or the server is overloaded.`
            : `The server is silent after the connection (overloaded, or a filtering proxy in between).`,
        fix: ctx.security === "starttls" ? "Use implicit TLS for port 465, STARTTLS for 587." : "Check the host and port, and try again later.",
      };
    }
    if (connect) {
      return {
        ...base,
        code: "timeout.connect",
        category: "timeout",
        summary: `No connection to ${where(ctx)}${seconds}`,
        cause: `Connecting to ${where(ctx)} did not complete: a firewall drops the packets (common for outbound port 25/587/465), or the host is down.`,
        fix: `Allow outbound TCP to ${where(ctx)} in the firewall, or use another submission port.`,
      };
    }
    return {
      ...base,
      code: `timeout.${ctx.stage ?? "socket"}`,
      category: "timeout",
      summary: `${where(ctx)} stopped answering${ctx.stage ? ` during ${ctx.stage}` : ""}${seconds}`,
      cause: "The server did not answer within the configured timeout; the connection was closed so nothing hangs.",
      fix: "Try again; if it persists, raise the timeouts in Settings or check the network path.",
    };
  }
  if (c === "ECONNRESET" || c === "EPIPE" || c === "ECONNECTION" || /ECONNRESET|EPIPE|closed unexpectedly|socket hang up|other side closed|Connection closed|socket disconnected before secure TLS/i.test(text)) {
    const midData = ctx.stage === "data" || ctx.stage === "sending";
    return {
      ...base,
      code: midData ? "network.closed-during-data" : "network.closed",
      category: "network",
      summary: midData ? `${where(ctx)} closed the connection while the message was being sent` : `${where(ctx)} closed the connection unexpectedly`,
      cause: midData
        ? "The server (or something in between) dropped the connection before confirming the message: it was most likely not delivered."
        : `The connection to ${where(ctx)} was closed before the server answered.`,
      fix: midData ? "Send again; if it repeats, check message size limits and any proxy or antivirus inspecting SMTP." : "Check host, port and security; then try again.",
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// SMTP (nodemailer errors)

/**
 * Decodes an error from nodemailer's SMTP connection (code, responseCode, response, command)
 * or a network/TLS error underneath it. Never throws.
 */
export function decodeSmtpError(err: unknown, ctx: Omit<ErrorContext, "protocol">): DecodedMailError {
  const full: ErrorContext = { protocol: "smtp", ...ctx };
  const e = (err && typeof err === "object" ? err : {}) as { code?: string; response?: string; responseCode?: number; command?: string; message?: string };
  if (typeof e.response === "string" && /^\d{3}/.test(e.response.trim())) {
    const decoded = smtpReplyDecoded(e.response, full);
    if (decoded) return decoded;
  }
  const tls = decodeTlsError(err, full);
  if (tls) return tls;
  if (e.code === "ETLS" || (e.command === "STARTTLS" && e.code !== "ETIMEDOUT")) {
    return {
      code: "smtp.starttls-refused",
      category: "tls",
      summary: `${where(full)} did not offer or accept STARTTLS; nothing was sent`,
      cause: `The console requires TLS before authenticating and sending. ${where(full)} ${e.response ? `answered "${firstLine(e.response)}" to STARTTLS` : "does not support STARTTLS"}, so the connection was closed before any credential or message left this machine.`,
      fix: "Use the provider's submission endpoint with TLS: smtp.office365.com:587 (STARTTLS) or smtp.gmail.com:465 (TLS) / 587 (STARTTLS). A relay without TLS is not supported.",
      remoteReply: e.response ? firstLine(e.response) : firstLine(e.message ?? ""),
      tokenRejected: false,
    };
  }
  if (e.code === "ENOPASSWORDAUTH") {
    const offered = (err as { offered?: string[] }).offered ?? [];
    return {
      code: "smtp.no-password-auth",
      category: "auth",
      summary: `${where(full)} no longer accepts passwords; move to OAuth`,
      cause: `The server offers AUTH ${offered.join(" ") || "(nothing)"} but neither LOGIN nor PLAIN, so a user name and password cannot be used there (Exchange Online turns Basic SMTP AUTH off; OAuth still works). The password was not sent.`,
      fix: "Move this sender to OAuth (an XOAUTH2 profile for the same mailbox), or send through the console's relay, which authenticates with OAuth for devices that only know passwords.",
      remoteReply: offered.length ? `250-AUTH ${offered.join(" ")}` : undefined,
      tokenRejected: false,
    };
  }
  const net = decodeNetworkError(err, full);
  if (net) return net;
  if (e.code === "EAUTH") {
    return {
      code: "smtp.auth",
      category: "auth",
      summary: `Authentication at ${where(full)} failed`,
      cause: e.response ? `The server answered: ${firstLine(e.response)}` : firstLine(e.message ?? "The server did not accept the login."),
      fix: "Check that the server offers the mechanism (AUTH XOAUTH2 for OAuth, LOGIN/PLAIN for basic) and that the user is right.",
      remoteReply: e.response,
      tokenRejected: Boolean(e.response && /^5/.test(e.response)),
    };
  }
  if (typeof e.response === "string" && /^\d{3}/.test(e.response.trim())) return decodeSmtpReply(e.response, full);
  if (e.code === "EENVELOPE") {
    return {
      code: "smtp.envelope",
      category: "recipient",
      summary: "The server refused the sender or all recipients",
      cause: firstLine(e.message ?? "Envelope rejected"),
      fix: "Check the From and recipient addresses.",
      remoteReply: e.response,
      tokenRejected: false,
    };
  }
  return unknownError(err, full);
}

// ---------------------------------------------------------------------------------------------
// IMAP (imapflow errors)

export function decodeImapError(err: unknown, ctx: Omit<ErrorContext, "protocol">): DecodedMailError {
  const full: ErrorContext = { protocol: "imap", ...ctx };
  const e = (err && typeof err === "object" ? err : {}) as { authenticationFailed?: boolean; response?: string; responseText?: string; serverResponseCode?: string; code?: string; message?: string };
  const reply = firstLine(e.response ?? e.responseText ?? "");
  if (/User is authenticated but not connected/i.test(reply)) {
    return {
      code: "imap.not-connected",
      category: "permission",
      summary: `${where(full)}: authenticated, but no access to the mailbox ${full.user ?? ""}`,
      cause: "Exchange accepted the token but the identity has no right on this mailbox (typical for an app token without FullAccess).",
      fix: `Add-MailboxPermission -Identity ${full.user ?? "<mailbox>"} -User <service principal object id> -AccessRights FullAccess, after New-ServicePrincipal -AppId <client id> -ObjectId <Enterprise Application object id>.`,
      remoteReply: reply,
      tokenRejected: false,
    };
  }
  if (e.authenticationFailed || e.serverResponseCode === "AUTHENTICATIONFAILED" || /AUTHENTICATE failed|AUTHENTICATIONFAILED/i.test(`${reply} ${e.message ?? ""}`)) {
    const google = isGoogle(full);
    return {
      code: "imap.auth-failed",
      category: "auth",
      summary: `IMAP login of ${full.user ?? "the user"} at ${where(full)} failed${reply ? `: ${reply}` : ""}`,
      cause: google
        ? "Google rejected the XOAUTH2 token for this user (wrong user, missing scope, or IMAP disabled)."
        : "The XOAUTH2 token was not accepted for this mailbox: expired, issued for another user or audience, or missing the IMAP permission.",
      fix: google
        ? "Use the impersonated Workspace user, scope https://mail.google.com/ in domain-wide delegation, and enable IMAP for the user in the Admin console."
        : isMicrosoftApp(full) || full.kind === "m365-app-smtp"
          ? "App tokens need IMAP.AccessAsApp (admin-consented), scope https://outlook.office365.com/.default, a service principal in Exchange and FullAccess on the mailbox."
          : "Delegated tokens need IMAP.AccessAsUser.All (https://outlook.office365.com/IMAP.AccessAsUser.All) and IMAP enabled for the mailbox (Set-CASMailbox -ImapEnabled $true).",
      remoteReply: reply || undefined,
      tokenRejected: true,
    };
  }
  if (e.code === "NoConnection" || e.code === "ClosedAfterConnectTLS" || e.code === "ClosedAfterConnectText") {
    return {
      code: "imap.closed",
      category: "network",
      summary: `${where(full)} closed the IMAP connection`,
      cause: "The server closed the connection before the test finished.",
      fix: "Check port and security (993 = TLS), then try again.",
      remoteReply: reply || firstLine(e.message ?? ""),
      tokenRejected: false,
    };
  }
  const tls = decodeTlsError(err, full);
  if (tls) return tls;
  const net = decodeNetworkError(err, full);
  if (net) return net;
  return unknownError(err, full);
}

// ---------------------------------------------------------------------------------------------
// Graph

export type GraphErrorBody = { error?: { code?: string; message?: string; innerError?: Record<string, unknown> } };

/** Decodes a Graph sendMail failure from the status and the (parsed) JSON error body. */
export function decodeGraphError(status: number, body: GraphErrorBody | undefined, ctx: Omit<ErrorContext, "protocol"> & { retryAfterSeconds?: number } = {}): DecodedMailError {
  const full: ErrorContext = { protocol: "graph", ...ctx };
  const code = body?.error?.code ?? "";
  const message = body?.error?.message ?? "";
  const reply = `${status}${code ? ` ${code}` : ""}${message ? `: ${firstLine(message)}` : ""}`;
  const base = { remoteReply: reply, tokenRejected: false } as const;
  const mailbox = full.user ?? "the mailbox";
  if (status === 401) {
    return {
      ...base,
      code: `graph.401${code ? `.${code}` : ""}`,
      category: "auth",
      summary: `Graph rejected the token (401${code ? ` ${code}` : ""})`,
      cause: /audience/i.test(message)
        ? "The token is for another audience: Graph needs a token for https://graph.microsoft.com."
        : "The access token is invalid or expired, or was issued for another audience than https://graph.microsoft.com.",
      fix: "Use scope https://graph.microsoft.com/.default for the app; the console refreshes the token once automatically. If it persists, check the tenant and client id.",
      tokenRejected: true,
    };
  }
  if (status === 403) {
    return {
      ...base,
      code: `graph.403${code ? `.${code}` : ""}`,
      category: "permission",
      summary: `Graph denied sending as ${mailbox} (403${code ? ` ${code}` : ""})`,
      cause: "The app lacks the Mail.Send application permission (with admin consent), or an Exchange application access policy / RBAC scope excludes this mailbox.",
      fix: `Entra admin center → App registrations → API permissions → Microsoft Graph → Application → Mail.Send → Grant admin consent. If an application access policy is used: Test-ApplicationAccessPolicy -Identity ${mailbox} -AppId <client id> must say Granted.`,
    };
  }
  if (status === 400 && /ErrorInvalidRecipients|InvalidRecipients/i.test(code)) {
    return { ...base, code: "graph.400.ErrorInvalidRecipients", category: "recipient", summary: "Graph refused the recipients (ErrorInvalidRecipients)", cause: "At least one recipient address is invalid.", fix: "Check the To/Cc/Bcc addresses." };
  }
  if (status === 404 || /ErrorInvalidUser|MailboxNotEnabledForRESTAPI|ResourceNotFound/i.test(code)) {
    return {
      ...base,
      code: `graph.${status}${code ? `.${code}` : ""}`,
      category: "config",
      summary: `Graph does not know the mailbox ${mailbox}`,
      cause: "The user in the sendMail URL does not exist, has no Exchange Online licence, or is a mailbox Graph cannot reach (on-premises).",
      fix: "Check the From address ({FROM_ADDRESS} in the endpoint) and that the user has an Exchange Online licence.",
    };
  }
  if (status === 413 || /RequestEntityTooLarge|ErrorMessageSizeExceeded/i.test(code)) {
    return {
      ...base,
      code: "graph.413",
      category: "size",
      summary: "Graph refused the request as too large (413)",
      cause: "The sendMail request exceeds the 4 MB request limit (inline attachments must stay under 3 MB in total).",
      fix: "Send a smaller attachment; larger files need an upload session (draft + createUploadSession), which the test send does not do.",
    };
  }
  if (status === 429) {
    return {
      ...base,
      code: "graph.429",
      category: "throttled",
      summary: `Graph throttled the request (429${ctx.retryAfterSeconds !== undefined ? `, Retry-After ${ctx.retryAfterSeconds} s` : ""})`,
      cause: "Too many requests for this mailbox or app (Exchange allows 10,000 requests per 10 minutes and 4 concurrent per mailbox).",
      fix: "Wait for the Retry-After period and try again.",
      retryAfterSeconds: ctx.retryAfterSeconds,
    };
  }
  if (status === 400) {
    return { ...base, code: `graph.400${code ? `.${code}` : ""}`, category: "protocol", summary: `Graph refused the message (400${code ? ` ${code}` : ""})`, cause: message ? firstLine(message) : "The request was malformed.", fix: "Check the message fields (addresses, attachment names and types)." };
  }
  if (status >= 500) {
    return { ...base, code: `graph.${status}`, category: "server", summary: `Graph failed (${status})`, cause: "A temporary error at Microsoft Graph.", fix: "Try again in a few minutes.", retryAfterSeconds: ctx.retryAfterSeconds };
  }
  return { ...base, code: `graph.${status}`, category: "server", summary: `Graph answered ${status}${code ? ` ${code}` : ""}`, cause: message ? firstLine(message) : "Unexpected response from Graph.", fix: "Read the response in the transcript." };
}

/** Decodes a fetch/network failure on the way to Graph (TLS, DNS, refused, timeout). */
export function decodeHttpError(err: unknown, ctx: Omit<ErrorContext, "protocol">): DecodedMailError {
  const full: ErrorContext = { protocol: "graph", ...ctx };
  return decodeTlsError(err, full) ?? decodeNetworkError(err, full) ?? unknownError(err, full);
}

// ---------------------------------------------------------------------------------------------

function unknownError(err: unknown, ctx: ErrorContext): DecodedMailError {
  const { code, message } = errorCodes(err);
  return {
    code: `${ctx.protocol}.error${code ? `.${code}` : ""}`,
    category: "protocol",
    summary: `${ctx.protocol.toUpperCase()} with ${where(ctx)} failed: ${firstLine(message) || "unknown error"}`,
    cause: firstLine(message) || "An unexpected error.",
    fix: "Read the transcript for the last exchange with the server.",
    remoteReply: firstLine(message) || undefined,
    tokenRejected: false,
  };
}

function firstLine(text: string): string {
  return (text ?? "").split(/\r?\n/)[0].trim().slice(0, 500);
}

/**
 * Explains a failed token request inside a send or IMAP result. The token layer has already
 * logged the identity provider's answer and set the profile status; this only says why, what to
 * do, and whether it is worth retrying later (an IdP outage, 5xx or timeout is; a bad secret is not).
 */
export function decodeTokenFailure(error: unknown): { code: string; message: string; cause: string; fix: string; transient: boolean; origin: "token" } {
  if (isAppError(error)) {
    return {
      code: `token.${error.remoteCode ?? error.code}`,
      message: `Could not get an access token: ${error.userMessage}`,
      cause: error.userMessage,
      fix: error.hint ?? "See the token.acquire entry in the log for the identity provider's answer.",
      transient: error.code === "timeout" || tokenFailureOf(error)?.transient === true,
      origin: "token",
    };
  }
  return { code: "token.internal", message: "Could not get an access token (unexpected error)", cause: "The token request failed unexpectedly.", fix: "See the server log.", transient: false, origin: "token" };
}
