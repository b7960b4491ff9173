import { AppError } from "../errors";
import { DEFAULTS } from "../profiles/schema";
import { slugify, SECRET_PLACEHOLDER } from "./text";
import type { ExportInput, ExportResult, ExportWarning } from "./types";

/**
 * The IMCFG1 screen (iMail configuration command on the IBM i) as a field → value → note sheet,
 * in the order of the guide's step 5 table, so an operator can key it in top to bottom.
 */

/** IMCFG1 shows the port as a 5-digit zoned field: 587 → 00587. */
export function imcfg1Port(port: number): string {
  return String(port).padStart(5, "0");
}

/**
 * Renders the IMCFG1 sheet for a DELEGATE (m365-delegated) or APP (m365-app-graph) profile.
 * Throws AppError("unsupported") for other kinds.
 */
export function renderImcfg1(input: ExportInput): ExportResult {
  const s = input.settings;
  if (s.kind !== "m365-delegated" && s.kind !== "m365-app-graph") {
    throw new AppError("unsupported", `IMCFG1 values exist only for Microsoft 365 DELEGATE or APP (Graph) profiles, not ${s.kind}.`);
  }
  const warnings: ExportWarning[] = [];
  const delegated = s.kind === "m365-delegated";
  const host = delegated ? s.smtpHost : DEFAULTS.m365Smtp.host;
  const port = delegated ? s.smtpPort : DEFAULTS.m365Smtp.port;
  const from = s.fromAddress ?? (delegated ? s.loginUser : "");
  const sender = s.senderAddress ?? from;
  const replyTo = s.replyTo ?? from;
  const secret = (name: "clientSecret" | "password") => input.secrets?.[name] ?? SECRET_PLACEHOLDER[name];
  if (!s.ibmiConfigFolder) warnings.push({ message: "The IFS config folder is not set on the profile; fill in the folder that holds iMailOAuth.config." });
  if (delegated && port !== 587) warnings.push({ message: `SMTP port ${port}: iMail's OAuth mode is documented for 587 (STARTTLS).` });

  const rows: Array<[string, string, string]> = [
    ["Email Send Method (SMTP/ESMTP)", "ESMTP", "Required for OAuth"],
    ["SMTP Host Mail Server", host, delegated ? "Microsoft 365 SMTP server" : "Not used in APP mode (mail goes through Graph); keep the default"],
    ["SMTP Port", imcfg1Port(port), "TLS port for SMTP, as the screen shows it"],
    ["Sender Address", sender, "The email address used as the sender"],
    ["Default From Address", from, "Usually same as Sender Address"],
    ["Default Reply To Address", replyTo, "Where replies will be directed"],
    ["Authentication User Name", delegated ? s.loginUser : "", delegated ? "The DELEGATED_USER for OAuth login" : "Not used in APP mode"],
    ["Authentication Password", delegated ? secret("password") : "", delegated ? "The DELEGATED_PASSWORD for OAuth login" : "Not used in APP mode"],
    ["Authentication Encrypted (Y/N)", "N", ""],
    ["Using OAuth 2.0 (DELEGATE/APP)", delegated ? "DELEGATE" : "APP", "Selects the authentication mode"],
    ["Outlook 365 OAuth Config Folder", s.ibmiConfigFolder ?? "<IFS folder>", "IFS folder containing iMailOAuth.config"],
    ["OAuth Client ID", s.clientId, "Application (client) ID from Azure"],
    [
      "OAuth Client Secret",
      delegated ? (s.publicClient ? "" : secret("clientSecret")) : secret("clientSecret"),
      delegated ? (s.publicClient ? "Blank: public client flows are allowed (step 3)" : "Required: public client flows are off (step 3)") : "Required for APP mode",
    ],
    ["OAuth Tenant ID", s.tenantId, "Directory (tenant) ID from Azure"],
  ];
  const header: [string, string, string] = ["Configuration Setting", "Value", "Notes"];
  const w0 = Math.max(...[header, ...rows].map((r) => r[0].length));
  const w1 = Math.max(...[header, ...rows].map((r) => r[1].length));
  const line = (r: [string, string, string]) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`.trimEnd();
  const content = [
    `IMCFG1 - iMail configuration for profile "${s.name}" (${delegated ? "DELEGATE" : "APP"})`,
    `Written by OAuth Mail Console, ${input.now.toISOString()}`,
    "",
    line(header),
    line(["-".repeat(w0), "-".repeat(w1), "-----"]),
    ...rows.map(line),
    "",
    "Press F10 to save; scroll down (More...) for further settings; F14 configures a 2nd SMTP server.",
    "",
  ].join("\n");
  if (!input.secrets) warnings.push({ message: "Secrets are placeholders (<…>); type the real values on the screen." });
  return { filename: `${slugify(s.name)}-IMCFG1.txt`, contentType: "text/plain; charset=utf-8", content, warnings };
}
