import { MAILBOX_PLACEHOLDER } from "../profiles/completeness";
import { AppError } from "../errors";
import type { ProfileSettingsOf } from "../profiles/schema";
import { defaultIbmiJsonPath } from "./ibmi-json";
import { slugify } from "./text";
import type { ExportInput, ExportResult, ExportWarning } from "./types";

/**
 * IBM i client setup for SMTP OAuth 2.0 ("IBM i SMTP support for OAuth 2.0", "Client setup"):
 * ENDTCPSVR, CHGSMTPA, ADDUSRSMTP, ADDENVVAR …, STRTCPSVR, CHGSMTPA OAUTH(… *ENABLE), SNDSMTPEMM.
 * Two flavours: a list to key in, and a CLLE source member that can be run again safely.
 */

type IbmiKind = ProfileSettingsOf<"m365-app-smtp"> | ProfileSettingsOf<"google-service-account">;

/** A CL character literal: quotes doubled inside, as CL requires. */
export function clString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Text made safe for the inside of a CL comment: CL comments do not nest, so a "*\/" in a value
 * (an alias like `x*\/DLTLIB ...`, an IFS path) would close the comment and leave a command.
 * Line breaks (refused by the schema anyway) become blanks, so a comment stays one line.
 */
export function clCommentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, " ").replace(/\*\//g, "* /");
}

/** Program (member) name of the CLLE flavour. */
export const CLLE_MEMBER = "SMTPOAUTH";
export const USRPRF_PLACEHOLDER = "<USRPRF>";

type ClCommand = { name: string; params: string[]; comment?: string; monitor?: { msgids: string[]; exec?: ClCommand; why: string } };

type Plan = { commands: ClCommand[]; verify: ClCommand; warnings: ExportWarning[]; s: IbmiKind; jsonPath: string; debugLog: boolean };

/** Where the OAuth trace goes when "Include OAUTH_LOG_* debug variables" is on. */
export const OAUTH_LOG_FILE = "/tmp/oauth.log";

function plan(input: ExportInput, clle: boolean): Plan {
  const s = input.settings;
  if (s.kind !== "m365-app-smtp" && s.kind !== "google-service-account") {
    throw new AppError("unsupported", `IBM i SMTP OAuth setup exists only for m365-app-smtp and google-service-account profiles, not ${s.kind}.`);
  }
  const warnings: ExportWarning[] = [];
  const mailbox = (s.kind === "m365-app-smtp" ? s.mailbox : s.impersonateUser) ?? MAILBOX_PLACEHOLDER;
  if (mailbox === MAILBOX_PLACEHOLDER) warnings.push({ message: `The profile has no mailbox (imported from an IBM i JSON file, which does not name it): replace ${MAILBOX_PLACEHOLDER} in ADDUSRSMTP's ALIAS and the test mail with the sender mailbox, or set Mailbox on the profile.` });
  const aliasDomain = s.ibmiAliasDomain ?? s.domain;
  const alias = s.ibmiAlias ?? mailbox.split("@")[0];
  const user = s.ibmiUserProfile ?? USRPRF_PLACEHOLDER;
  const jsonPath = s.ibmiJsonPath ?? defaultIbmiJsonPath(s.kind);
  const recipient = s.ibmiTestRecipient ?? mailbox;
  const debugLog = s.ibmiOauthDebugLog;
  if (!s.ibmiUserProfile) warnings.push({ message: `The IBM i user profile is not set; replace ${USRPRF_PLACEHOLDER} in ADDUSRSMTP with the profile that sends mail.` });
  if (!s.ibmiJsonPath) warnings.push({ message: `The IFS path of the JSON credential file is not set; ${jsonPath} (IBM's example) is used.` });
  if (!s.ibmiAliasDomain) warnings.push({ message: `ALIASDMN is not set on the profile; the ${s.kind === "m365-app-smtp" ? "Microsoft" : "Workspace"} domain ${s.domain} is used (it must match "domain" in the JSON file).` });
  else if (s.ibmiAliasDomain.toLowerCase() !== s.domain.toLowerCase()) {
    warnings.push({ message: `ALIASDMN ${s.ibmiAliasDomain} differs from the JSON "domain" ${s.domain}; SMTP will not obtain a usable token until they match.` });
  }
  if (s.smtpPort !== 587) warnings.push({ message: `The profile uses port ${s.smtpPort}; IBM i relays with STARTTLS on 587 (QIBM_SMTP_RLY_TLS_FIRST=YES_STARTTLS).` });
  if (debugLog) warnings.push({ message: `The OAuth debug trace is on (OAUTH_LOG_*): IBM i writes ${OAUTH_LOG_FILE}; turn it off on the profile and re-run once the problem is found.` });
  const port = clString(String(s.smtpPort));
  const env = (name: string, value: string, comment?: string): ClCommand => ({
    name: "ADDENVVAR",
    // REPLACE(*YES) makes the program re-runnable: without it ADDENVVAR fails when the variable exists.
    params: [`ENVVAR(${name})`, `VALUE(${value})`, "LEVEL(*SYS)", ...(clle ? ["REPLACE(*YES)"] : [])],
    comment,
  });
  const usrsmtpParams = [`USRPRF(${user})`, `ALIAS(${clString(alias)})`, "DOMAIN(001 *DFT)"];
  // The SMTP server reads the OAUTH_LOG_* variables when it starts: they go before STRTCPSVR.
  const debug: ClCommand[] = debugLog
    ? [
        env("OAUTH_LOG_LEVEL", "'INFO'", `OAuth debug trace to ${OAUTH_LOG_FILE} (read when SMTP starts; remove when done)`),
        env("OAUTH_LOG_DEST", "'FILE'"),
        env("OAUTH_LOG_FILE", clString(OAUTH_LOG_FILE)),
      ]
    : [];
  const commands: ClCommand[] = [
    {
      name: "ENDTCPSVR",
      params: ["*SMTP"],
      comment: "Stop SMTP while its attributes change",
      monitor: { msgids: ["TCP0000", "CPF0000"], why: "SMTP was not running" },
    },
    ...(clle ? [{ name: "DLYJOB", params: ["DLY(10)"], comment: "Give the SMTP jobs time to end" }] : []),
    {
      name: "CHGSMTPA",
      params: [`FWDHUBSVR(${clString(s.smtpHost)})`, "AUTOSTART(*YES)", `ALIASDMN(${clString(aliasDomain)})`],
      comment: `Relay through ${s.smtpHost}; ALIASDMN = the JSON "domain"`,
    },
    {
      name: "ADDUSRSMTP",
      params: [...usrsmtpParams, "ORIGINATOR(*NONE)"],
      comment: `${user} sends as ${alias}@${aliasDomain}`,
      monitor: { msgids: ["CPF0000", "TCP0000"], why: "entry exists: update it", exec: { name: "CHGUSRSMTP", params: usrsmtpParams } },
    },
    env("QIBM_SMTP_SERVER_PORT", port),
    env("QIBM_SMTP_MAILHUB_PORT", port),
    env("QIBM_SMTP_RLY_TLS_FIRST", "YES_STARTTLS"),
    ...debug,
    { name: "STRTCPSVR", params: ["*SMTP"], monitor: { msgids: ["TCP0000", "CPF0000"], why: "SMTP already running" } },
    { name: "CHGSMTPA", params: [`OAUTH(${clString(jsonPath)} *ENABLE)`], comment: "Enable the OAuth credentials file" },
    {
      name: "SNDSMTPEMM",
      params: [`RCP((${clString(recipient)} *PRI))`, `SUBJECT(${clString(`Test from IBM i - profile ${s.name}`)})`, `NOTE(${clString("Test message body: IBM i SMTP with OAuth 2.0 works.")})`],
      comment: `Test mail to ${recipient}`,
    },
  ];
  return { commands, verify: { name: "WRKENVVAR", params: ["LEVEL(*SYS)"] }, warnings, s, jsonPath, debugLog };
}

/** The closing note on the OAuth trace, in both flavours. */
function debugNote(p: Plan): string {
  return p.debugLog
    ? `The OAuth trace (OAUTH_LOG_*) is on: after the problem is found, turn "Include OAUTH_LOG_* debug variables" off on the profile, export again and run it (RMVENVVAR ENVVAR(OAUTH_LOG_LEVEL) LEVEL(*SYS) removes one by hand).`
    : `The OAuth trace is off. To debug, turn on "Include OAUTH_LOG_* debug variables" on the profile and export again: the variables must be set before STRTCPSVR.`;
}

const oneLine = (c: ClCommand) => `${c.name} ${c.params.join(" ")}`;

/**
 * The command list to key in on a 5250 command line, in IBM's order. Throws
 * AppError("unsupported") for kinds other than m365-app-smtp / google-service-account.
 */
export function renderIbmiCl(input: ExportInput): ExportResult {
  const p = plan(input, false);
  const comment = (text: string) => `/* ${clCommentText(text)} */`;
  const lines = [
    comment(`IBM i SMTP OAuth 2.0 client setup - profile ${p.s.name}`),
    comment(`Written by OAuth Mail Console, ${input.now.toISOString()}`),
    comment(`Prerequisites: PTFs for SMTP OAuth, DCM CA certificates for QIBM_QTMS_SMTP_CLIENT,`),
    comment(`and the JSON credential file at ${p.jsonPath} (export "ibmi-json").`),
    "",
  ];
  for (const c of p.commands) {
    if (c.comment) lines.push(comment(c.comment));
    lines.push(oneLine(c));
  }
  lines.push("", comment(debugNote(p)));
  lines.push("", comment("Verify the environment variables anytime with:"), oneLine(p.verify), "");
  return { filename: `${slugify(p.s.name)}-ibmi-smtp.txt`, contentType: "text/plain; charset=utf-8", content: lines.join("\n"), warnings: p.warnings };
}

// ---------------------------------------------------------------------------------------------
// CLLE source member

const MAX = 80;
const CMD_COL = 13; // command starts in column 14, SEU's default for CL
const PARM_COL = 24; // parameters in column 25

/**
 * Splits `text` so that `head + piece + "+"` fits in 80 columns, inside a quoted string or after
 * a blank between words (CL joins `+` continuations without the next line's leading blanks, so a
 * piece must not start with a blank, and a doubled quote must stay on one line). Returns null
 * when impossible.
 */
function splitInsideQuotes(head: string, text: string): [string, string] | null {
  const room = MAX - head.length - 1;
  const fits: Array<{ k: number; atWord: boolean }> = [];
  for (let k = Math.min(room, text.length - 1); k > 0; k--) {
    const before = text.slice(0, k);
    const quotes = (before.match(/'/g) ?? []).length;
    if (text[k] === " ") continue;
    if (quotes % 2 === 1 && text[k - 1] !== "'" && text[k] !== "'") fits.push({ k, atWord: text[k - 1] === " " });
    // Between two words outside a string: the blank before "+" keeps them apart.
    else if (quotes % 2 === 0 && text[k - 1] === " ") fits.push({ k, atWord: true });
  }
  if (!fits.length) return null;
  // Prefer a break after a blank (readable) unless it wastes more than half the line.
  const word = fits.find((f) => f.atWord && f.k >= fits[0].k / 2);
  const k = (word ?? fits[0]).k;
  return [text.slice(0, k), text.slice(k)];
}

/** Lays one command out in SEU style: ≤ 80 columns, `+` continuation. Throws when it cannot. */
export function formatClleCommand(cmd: string, params: string[], label = ""): string[] {
  const lines: string[] = [];
  let current = `${label.padEnd(CMD_COL)}${cmd.padEnd(PARM_COL - CMD_COL - 1)} `;
  let fresh = true;
  const cont = " ".repeat(PARM_COL);
  for (const param of params) {
    const sep = fresh ? "" : " ";
    if ((current + sep + param).length <= MAX - 2) {
      current += sep + param;
      fresh = false;
      continue;
    }
    if (!fresh) {
      lines.push(`${current} +`);
      current = cont;
    }
    let rest = param;
    while ((current + rest).length > MAX - 2) {
      const split = splitInsideQuotes(current, rest);
      if (!split) throw new AppError("invalid_input", `Cannot fit ${cmd} ${param.slice(0, 30)}… into 80 columns`);
      lines.push(`${current}${split[0]}+`);
      current = cont;
      rest = split[1];
    }
    current += rest;
    fresh = false;
  }
  lines.push(current.trimEnd());
  return lines;
}

function clleComment(text: string): string[] {
  // Comments may not contain "*/"; wrap long ones at word boundaries within 80 columns.
  const room = MAX - CMD_COL - 6;
  const words = clCommentText(text)
    .split(/\s+/)
    .flatMap((w) => w.match(new RegExp(`.{1,${room}}`, "g")) ?? []);
  const out: string[] = [];
  let cur = "";
  for (const w of words) {
    if (CMD_COL + `/* ${cur} ${w} */`.length > MAX && cur) {
      out.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) out.push(cur);
  return out.map((l) => `${" ".repeat(CMD_COL)}/* ${l} */`);
}

/**
 * A CLLE source member (PGM … ENDPGM) doing the same setup, safe to run again: ADDENVVAR with
 * REPLACE(*YES), MONMSG after the commands that fail on a re-run. Lines stay within 80 columns.
 * Throws AppError("unsupported") for kinds other than m365-app-smtp / google-service-account.
 */
export function renderIbmiClle(input: ExportInput): ExportResult {
  const p = plan(input, true);
  const lines: string[] = [
    ...clleComment(`${CLLE_MEMBER}: IBM i SMTP OAuth 2.0 client setup for profile ${p.s.name}.`),
    ...clleComment(`Written by OAuth Mail Console, ${input.now.toISOString()}.`),
    ...clleComment(`Compile: CRTBNDCL PGM(yourlib/${CLLE_MEMBER}) SRCFILE(yourlib/QCLSRC) or SRCSTMF; run under a profile with *IOSYSCFG. Safe to run again.`),
    ...clleComment(`Needs the JSON credential file at ${p.jsonPath} (export "ibmi-json") and the DCM CA certificates for QIBM_QTMS_SMTP_CLIENT.`),
    ...formatClleCommand("PGM", []),
  ];
  for (const c of p.commands) {
    lines.push("");
    if (c.comment) lines.push(...clleComment(c.comment));
    lines.push(...formatClleCommand(c.name, c.params));
    if (c.monitor) {
      lines.push(...clleComment(`Monitored so a re-run goes on: ${c.monitor.why}`));
      const mon = [`MSGID(${c.monitor.msgids.join(" ")})`];
      if (c.monitor.exec) mon.push(`EXEC(${oneLine(c.monitor.exec)})`);
      lines.push(...formatClleCommand("MONMSG", mon));
    }
  }
  lines.push("", ...clleComment(debugNote(p)));
  lines.push("", ...formatClleCommand("ENDPGM", []), "");
  return { filename: `${CLLE_MEMBER}.clle`, contentType: "text/plain; charset=utf-8", content: lines.join("\n"), warnings: p.warnings };
}
