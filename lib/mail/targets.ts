import type { ProfileSettings } from "@/lib/profiles/schema";

/**
 * What "Send test" and "Test IMAP" will talk to for a profile, for the panels' texts and
 * placeholders, and the one kind → transport/identity map the delivery pipeline
 * (lib/mail/pipeline.ts) sends and checks with. Pure, so server and client components can use it.
 */

export type SendTransport = "smtp" | "graph" | "log-only";

type TargetCommon = {
  /** From address used when the form leaves "From" empty ("" when the profile has none). */
  defaultFrom: string;
  /** "host:port (STARTTLS)" for SMTP, the mailbox for Graph. */
  endpoint?: string;
  /** The identity that authenticates (XOAUTH2 user, basic user, Graph mailbox). */
  authUser?: string;
  /** OAuth kinds get a token first. */
  oauth: boolean;
  /** What overriding the From address does for this kind. */
  fromHelp: string;
  /**
   * A field the profile leaves empty that the test needs (an import from iMail or IBM i): the
   * form asks for the From address, which stands in for it; without one the send is refused.
   */
  missing?: { field: string; label: string };
};

export type SmtpServer = { host: string; port: number; security: "starttls" | "tls" };

/** The kind → SMTP identity map: where and as whom a profile submits over SMTP. */
export type SmtpTarget = TargetCommon & {
  transport: "smtp";
  server: SmtpServer;
  authUser: string;
  /** Delegated (iMail) only: SMTP authenticates as the From address first, then falls back to this login user. */
  loginUser?: string;
};

export type SendTarget =
  | SmtpTarget
  | (TargetCommon & { transport: "graph"; authUser: string })
  | (TargetCommon & { transport: "log-only" })
  | { transport: null; reason: string };

const SEC = { starttls: "STARTTLS", tls: "implicit TLS" } as const;

export function sendTargetOf(s: ProfileSettings): SendTarget {
  const smtp = (p: { smtpHost: string; smtpPort: number; smtpSecurity: SmtpServer["security"] }, authUser: string, defaultFrom: string, fromHelp: string, oauth = true): SmtpTarget => {
    const server: SmtpServer = { host: p.smtpHost, port: p.smtpPort, security: p.smtpSecurity };
    return { transport: "smtp", server, defaultFrom, endpoint: server.host ? `${server.host}:${server.port} (${SEC[server.security]})` : undefined, authUser, oauth, fromHelp };
  };
  const sendAs = "Sending as another address needs Send As permission on it (554 5.2.252 SendAsDenied otherwise).";
  switch (s.kind) {
    case "m365-delegated":
      return {
        ...smtp(s, s.loginUser, s.fromAddress ?? s.loginUser, `SMTP authenticates as this address first; if that fails, the test retries once as the login user ${s.loginUser} and sends from it (iMail behaviour).`),
        loginUser: s.loginUser,
      };
    case "m365-app-smtp":
      if (!s.mailbox) {
        const from = s.fromAddress ?? "";
        const help = `This profile has no Mailbox (XOAUTH2 user): the IBM i SMTP server decides the sender, the test needs one. Enter the mailbox to send as here (used as the XOAUTH2 user), or set Mailbox on the profile.`;
        return { ...smtp(s, from, from, help), missing: { field: "mailbox", label: "Mailbox (XOAUTH2 user)" } };
      }
      return smtp(s, s.mailbox, s.fromAddress ?? s.mailbox, sendAs);
    case "m365-auth-code":
      if (!s.useSmtp) return { transport: null, reason: "SMTP is switched off for this profile: edit it and enable “Send by SMTP” to send a test." };
      return smtp(s, s.mailbox, s.fromAddress ?? s.mailbox, sendAs);
    case "google-service-account":
      // The XOAUTH2 user is the impersonated Workspace user, never the service account.
      return smtp(s, s.impersonateUser, s.fromAddress ?? s.impersonateUser, `Must be ${s.impersonateUser} or one of its verified “Send mail as” aliases; Gmail rewrites any other From.`);
    case "oauth2-generic":
      return smtp(s, s.mailUser, s.fromAddress ?? s.mailUser, "The server decides whether this identity may send as another address.");
    case "smtp-basic": {
      const from = s.fromAddress ?? (s.username.includes("@") ? s.username : "");
      return smtp(s, s.username, from, from ? "The server decides whether this user may send as another address." : "This profile has no From address: enter one here.", false);
    }
    case "m365-app-graph":
      if (!s.fromAddress) {
        const help = "This profile has no From address: iMail fills {FROM_ADDRESS} per message, the test needs one. Enter the mailbox to send as here (Graph sends from its mailbox), or set From address on the profile.";
        return { transport: "graph", defaultFrom: "", authUser: "", oauth: true, fromHelp: help, missing: { field: "fromAddress", label: "From address" } };
      }
      return { transport: "graph", defaultFrom: s.fromAddress, endpoint: s.fromAddress, authUser: s.fromAddress, oauth: true, fromHelp: `Graph sends from ${s.fromAddress}'s mailbox; another From needs Send As (or Send on Behalf) permission on that address.` };
    case "log-only":
      return { transport: "log-only", defaultFrom: s.fromAddress, oauth: false, fromHelp: "Only written to the activity log: nothing is sent." };
  }
}

export type ImapTarget = { host: string; port: number; security: "tls" | "starttls"; user: string };

/** The IMAP server and user of a profile, or null when the kind (or this profile) has no IMAP. */
export function imapTargetOf(s: ProfileSettings): ImapTarget | null {
  switch (s.kind) {
    case "m365-delegated":
      return { host: s.imapHost, port: s.imapPort, security: s.imapSecurity, user: s.loginUser };
    case "m365-app-smtp":
      return s.mailbox ? { host: s.imapHost, port: s.imapPort, security: s.imapSecurity, user: s.mailbox } : null;
    case "m365-auth-code":
      return s.useImap ? { host: s.imapHost, port: s.imapPort, security: s.imapSecurity, user: s.mailbox } : null;
    case "google-service-account":
      return { host: s.imapHost, port: s.imapPort, security: s.imapSecurity, user: s.impersonateUser };
    case "oauth2-generic":
      return s.imapHost ? { host: s.imapHost, port: s.imapPort, security: s.imapSecurity, user: s.mailUser } : null;
    default:
      return null;
  }
}
