import type { ProfileSettings } from "./schema";

/**
 * Fields a target system does without but the console needs to send a test. The reference iMail
 * APP `iMailOAuth.config` names no From address (iMail fills {FROM_ADDRESS} per message) and the
 * reference IBM i `office365.json` names no mailbox (the IBM i SMTP server decides the sender), so
 * the schema lets these kinds leave the field empty. Such a profile is stored as "incomplete"; the
 * doctor, the send-test form and the send itself ask for the field. Pure; client components may import it.
 */

/** What exports write where an incomplete profile leaves the sender mailbox empty (each export warns to replace it). */
export const MAILBOX_PLACEHOLDER = "<MAILBOX>";

export type ConsoleOnlyField = {
  field: "fromAddress" | "mailbox";
  /** The profile form's label. */
  label: string;
  /** Why the target system does without it, and what the console needs it for. */
  why: string;
};

/** The console-only fields this profile leaves empty (none for a complete profile). */
export function missingConsoleFields(s: ProfileSettings): ConsoleOnlyField[] {
  if (s.kind === "m365-app-graph" && !s.fromAddress) {
    return [{ field: "fromAddress", label: "From address", why: "iMail fills {FROM_ADDRESS} per message, so its config names no mailbox; the console needs one to send a test through Graph" }];
  }
  if (s.kind === "m365-app-smtp" && !s.mailbox) {
    return [{ field: "mailbox", label: "Mailbox (XOAUTH2 user)", why: "the IBM i SMTP server decides the sender, so its JSON file names no mailbox; the console needs one to send a test (the XOAUTH2 user)" }];
  }
  return [];
}

/** The stored status detail of an incomplete profile ("" when complete). */
export function incompleteDetail(s: ProfileSettings): string {
  return missingConsoleFields(s)
    .map((m) => `${m.label} (${m.field}) is not set: ${m.why}`)
    .join("; ");
}
