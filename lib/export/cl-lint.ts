/**
 * A small CL lint for the IBM i exports (used by the tests, usable by the UI): joins `+`/`-`
 * continuations, strips comments, then checks every command name against the commands we emit
 * (and IBM's samples use), their keywords, and that quotes and parentheses balance. For CLLE
 * source it also checks the 80-column limit and PGM … ENDPGM.
 */

/** Commands and the keywords each accepts (positional values are allowed too). */
export const CL_COMMANDS: Record<string, readonly string[]> = {
  PGM: ["PARM"],
  ENDPGM: [],
  ENDTCPSVR: ["SERVER", "INSTANCE"],
  STRTCPSVR: ["SERVER", "RESTART", "INSTANCE"],
  CHGSMTPA: ["FWDHUBSVR", "AUTOSTART", "ALIASDMN", "OAUTH", "RETRYMIN", "RETRYDAY"],
  ADDUSRSMTP: ["USRPRF", "ALIAS", "DOMAIN", "ORIGINATOR", "SDDNAME", "SDDADR"],
  CHGUSRSMTP: ["USRPRF", "ALIAS", "DOMAIN", "SDDNAME", "SDDADR"],
  ADDENVVAR: ["ENVVAR", "VALUE", "CCSID", "LEVEL", "REPLACE"],
  WRKENVVAR: ["LEVEL"],
  MONMSG: ["MSGID", "CMPDTA", "EXEC"],
  DLYJOB: ["DLY", "RSMTIME"],
  SNDSMTPEMM: ["RCP", "SUBJECT", "NOTE", "ATTACH", "CONTENT", "CHARSET"],
  QSH: ["CMD"],
};

export type ClLintIssue = { line: number; message: string };

type Statement = { text: string; line: number };

/** Removes comments and joins continuation lines into statements (1-based first line kept). */
export function joinClStatements(source: string): { statements: Statement[]; issues: ClLintIssue[] } {
  const issues: ClLintIssue[] = [];
  const statements: Statement[] = [];
  let current = "";
  let start = 0;
  let inComment = false;
  let inQuote = false;
  const lines = source.split(/\r?\n/);
  lines.forEach((raw, i) => {
    let text = "";
    for (let j = 0; j < raw.length; j++) {
      if (inComment) {
        if (raw.startsWith("*/", j)) {
          inComment = false;
          j++;
        }
        continue;
      }
      if (!inQuote && raw.startsWith("/*", j)) {
        inComment = true;
        j++;
        continue;
      }
      if (raw[j] === "'") inQuote = !inQuote;
      text += raw[j];
    }
    const trimmed = text.replace(/\s+$/, "");
    if (!current && trimmed.trim() === "") return;
    if (!current) start = i + 1;
    if (trimmed.endsWith("+") || trimmed.endsWith("-")) {
      // '+' drops the next line's leading blanks, '-' keeps them.
      const plus = trimmed.endsWith("+");
      current += trimmed.slice(0, -1);
      current += plus ? "\u0000" : "";
      return;
    }
    current += trimmed;
    statements.push({ text: current.replace(/\u0000\s*/g, "").trim(), line: start });
    current = "";
    inQuote = false;
  });
  if (inComment) issues.push({ line: lines.length, message: "comment not closed (/* without */)" });
  if (current) issues.push({ line: start, message: "last command ends with a continuation character" });
  return { statements, issues };
}

function splitParams(s: string): string[] | string {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = "";
  for (const ch of s) {
    if (ch === "'") quote = !quote;
    else if (!quote && ch === "(") depth++;
    else if (!quote && ch === ")") {
      depth--;
      if (depth < 0) return "unbalanced parentheses: ')' without '('";
    }
    if (!quote && depth === 0 && /\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (quote) return "unbalanced quotes: a string is not closed (double quotes inside strings)";
  if (depth !== 0) return "unbalanced parentheses: '(' without ')'";
  if (cur) out.push(cur);
  return out;
}

function lintStatement(text: string, line: number, issues: ClLintIssue[]): void {
  const body = text.replace(/^[A-Z$#@][A-Z0-9$#@_]*:\s*/i, "");
  const m = body.match(/^([A-Z$#@][A-Z0-9$#@_]*)(.*)$/i);
  if (!m) {
    issues.push({ line, message: `not a CL command: "${body.slice(0, 40)}"` });
    return;
  }
  const name = m[1].toUpperCase();
  const keywords = CL_COMMANDS[name];
  if (!keywords) {
    issues.push({ line, message: `unknown command ${name}` });
    return;
  }
  const params = splitParams(m[2].trim());
  if (typeof params === "string") {
    issues.push({ line, message: `${name}: ${params}` });
    return;
  }
  for (const p of params) {
    const k = p.match(/^([A-Z][A-Z0-9]*)\(([\s\S]*)\)$/i);
    if (!k) continue; // positional value
    const kw = k[1].toUpperCase();
    if (!keywords.includes(kw)) issues.push({ line, message: `${name}: unknown keyword ${kw}` });
    if (name === "MONMSG" && kw === "EXEC") lintStatement(k[2], line, issues);
  }
}

/**
 * Lints CL text. `clle: true` adds the source-member rules (≤ 80 columns, PGM first, ENDPGM
 * last, MONMSG only right after a command). Returns the issues; an empty list means clean.
 */
export function lintCl(source: string, options: { clle?: boolean } = {}): ClLintIssue[] {
  const { statements, issues } = joinClStatements(source);
  if (options.clle) {
    source.split(/\r?\n/).forEach((l, i) => {
      if (l.length > 80) issues.push({ line: i + 1, message: `line is ${l.length} columns (CLLE source allows 80)` });
    });
    const names = statements.map((s) => s.text.split(/\s|\(/)[0].toUpperCase());
    if (names[0] !== "PGM") issues.push({ line: statements[0]?.line ?? 1, message: "a CLLE member starts with PGM" });
    if (names[names.length - 1] !== "ENDPGM") issues.push({ line: statements[statements.length - 1]?.line ?? 1, message: "a CLLE member ends with ENDPGM" });
    names.forEach((n, i) => {
      if (n === "MONMSG" && (i === 0 || names[i - 1] === "PGM")) issues.push({ line: statements[i].line, message: "MONMSG must follow the command it monitors" });
    });
  }
  for (const s of statements) lintStatement(s.text, s.line, issues);
  return issues;
}
