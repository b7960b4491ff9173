import { RULES } from "./rules";
import type { DoctorInput, DoctorRule, Finding, RuleHit, Severity } from "./types";

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** FNV-1a, 2 × 32 bits: a stable, dependency-free identity for a finding's facts (not a secret). */
function fnv(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** The fingerprint of a finding's facts: rule, severity, problem text, field and code. */
export function fingerprintOf(f: Pick<Finding, "ruleId" | "severity" | "problem" | "field" | "code">): string {
  const text = JSON.stringify([f.ruleId, f.severity, f.problem, f.field ?? "", f.code ?? ""]);
  return fnv(text, 0x811c9dc5) + fnv(text, 0x01000193);
}

function toFinding(rule: DoctorRule, hit: RuleHit, input: DoctorInput): Finding {
  const field = hit.field;
  const src = field && input.source ? input.source.sources[field.replace(/^settings\./, "")] : undefined;
  const severity = hit.severity ?? rule.severity;
  const code = hit.code ?? rule.code;
  return {
    fingerprint: fingerprintOf({ ruleId: rule.id, severity, problem: hit.problem, field, code }),
    ruleId: rule.id,
    severity: hit.severity ?? rule.severity,
    title: rule.title,
    problem: hit.problem,
    why: hit.why ?? rule.why,
    fix: hit.fix ?? rule.fix,
    stepId: hit.stepId ?? rule.stepId,
    ...((hit.code ?? rule.code) ? { code: hit.code ?? rule.code } : {}),
    ...(field ? { field } : {}),
    ...(src?.line ? { line: src.line } : {}),
    ...(src ? { key: src.key } : {}),
  };
}

function imailSource(input: DoctorInput): boolean {
  return input.source?.format === "imail-config" || input.source?.format === "system-properties";
}

/**
 * Runs every rule that applies to the profile's kind (for an iMail file without a mode, the rules
 * common to DELEGATE and APP) and returns the findings, errors first. Never throws: a rule that
 * crashes is reported as an info finding so one bad rule cannot hide the others.
 */
export function runDoctor(input: DoctorInput, rules: readonly DoctorRule[] = RULES): Finding[] {
  const kind = input.settings.kind ?? null;
  const out: Finding[] = [];
  for (const rule of rules) {
    if (rule.kinds && kind && !rule.kinds.includes(kind)) continue;
    // No kind: an iMail file whose mode could not be decided. Only rules common to both iMail
    // modes (DELEGATE and APP) say something true about it.
    if (rule.kinds && !kind && !(imailSource(input) && rule.kinds.includes("m365-delegated") && rule.kinds.includes("m365-app-graph"))) continue;
    let result: RuleHit | RuleHit[] | null;
    try {
      result = rule.check(input);
    } catch (error) {
      result = { severity: "info", problem: `This check could not run: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (!result) continue;
    for (const hit of Array.isArray(result) ? result : [result]) out.push(toFinding(rule, hit, input));
  }
  return out.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

/** True when any finding that is not acknowledged has severity "error" (the CLI exits 1). */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error" && !f.acknowledged);
}

export { RULES };
export type { DoctorInput, DoctorRule, Finding, Severity };
