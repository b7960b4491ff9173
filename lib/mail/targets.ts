import type { ProfileSettings } from "@/lib/profiles/schema";

/**
 * What "Send test" and "Test IMAP" will talk to for a profile, for the panels' texts and
 * placeholders, and the IMAP test's connection plan (lib/mail/imap-test.ts). Pure, so server and
 * client components can use it; lib/mail/send-test.ts stays the authority on sending.
 */

export type SendTransport = "smtp" | "graph" | "log-only";

export type SendTarget =
  | {
      transport: SendTransport;
      /** From address used when the form leaves "From" empty. */
      defaultFrom: string;
      /** "host:port (STARTTLS)" for SMTP, the mailbox for Graph. */
      endpoint?: string;
      /** The identity that authenticates (XOAUTH2 user, basic user, Graph mailbox). */
      authUser?: string;
      /** OAuth kinds get a token first. */
      oauth: boolean;
      /** What overriding the From address does for this kind. */
      fromHelp: string;
    }
  | { transport: null; reason: string };

const SEC = { starttls: "STARTTLS", tls: "implicit TLS" } as const;

export function sendTargetOf(s: ProfileSettings): SendTarget {
  const smtpEndpoint = "smtpHost" in s && s.smtpHost ? `${s.smtpHost}:${s.smtpPort} (${SEC[s.smtpSecurity]})` : undefined;
  const sendAs = "Sending as another address needs Send As permission on it (554 5.2.252 SendAsDenied otherwise).";
  switch (s.kind) {
    case "m365-delegated":
      return {
        transport: "smtp",
        defaultFrom: s.fromAddress ?? s.loginUser,
        endpoint: smtpEndpoint,
        authUser: s.loginUser,
        oauth: true,
        fromHelp: `SMTP authenticates as this address first; if that fails, the test retries once as the login user ${s.loginUser} and sends from it (iMail behaviour).`,
      };
    case "m365-app-smtp":
      return { transport: "smtp", defaultFrom: s.fromAddress ?? s.mailbox, endpoint: smtpEndpoint, authUser: s.mailbox, oauth: true, fromHelp: sendAs };
    case "m365-auth-code":
      if (!s.useSmtp) return { transport: null, reason: "SMTP is switched off for this profile: edit it and enable “Send by SMTP” to send a test." };
      return { transport: "smtp", defaultFrom: s.fromAddress ?? s.mailbox, endpoint: smtpEndpoint, authUser: s.mailbox, oauth: true, fromHelp: sendAs };
    case "google-service-account":
      return {
        transport: "smtp",
        defaultFrom: s.fromAddress ?? s.impersonateUser,
        endpoint: smtpEndpoint,
        authUser: s.impersonateUser,
        oauth: true,
        fromHelp: `Must be ${s.impersonateUser} or one of its verified “Send mail as” aliases; Gmail rewrites any other From.`,
      };
    case "oauth2-generic":
      return { transport: "smtp", defaultFrom: s.fromAddress ?? s.mailUser, endpoint: smtpEndpoint, authUser: s.mailUser, oauth: true, fromHelp: "The server decides whether this identity may send as another address." };
    case "smtp-basic": {
      const from = s.fromAddress ?? (s.username.includes("@") ? s.username : "");
      return { transport: "smtp", defaultFrom: from, endpoint: smtpEndpoint, authUser: s.username, oauth: false, fromHelp: from ? "The server decides whether this user may send as another address." : "This profile has no From address: enter one here." };
    }
    case "m365-app-graph":
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
      return { host: s.imapHost, port: s.imapPort, security: s.imapSecurity, user: s.mailbox };
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
