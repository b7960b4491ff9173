import type { CertificateInfo } from "../crypto/certificate";
import type { ClaimsSummary } from "../oauth/types";
import type { ProfileKind, SecretName } from "../profiles/schema";
import type { ImportFormatId } from "../export/types";

export type Severity = "error" | "warning" | "info";

/**
 * What the doctor looks at. `settings` is either a stored profile's validated settings or the
 * unvalidated candidate read from an imported file (values verbatim, e.g. `$TENANT_ID`), which
 * is why it is typed loosely and every rule reads fields defensively.
 */
export type DoctorInput = {
  settings: { kind?: ProfileKind | null } & Record<string, unknown>;
  secretsSet: Partial<Record<SecretName, boolean>>;
  certificate: Pick<CertificateInfo, "notAfter"> | null;
  /** Claims of the cached token, when one is cached (decoded: false for opaque tokens). */
  claims?: ClaimsSummary | null;
  now: Date;
  /** Facts derived from secret values by the caller, so the doctor never sees a secret. */
  secretShapes?: { clientSecretLooksLikeSecretId?: boolean };
  /** Present when diagnosing a file before import: what it said, and where. */
  source?: {
    format: ImportFormatId;
    raw: Record<string, string>;
    sources: Record<string, { line?: number; key: string }>;
    fatal?: { message: string; line?: number; key?: string };
  };
};

export type Finding = {
  ruleId: string;
  severity: Severity;
  title: string;
  /** What is wrong, with the profile's own values. */
  problem: string;
  /** Why it fails (the error the user would see). */
  why: string;
  /** What to do. */
  fix: string;
  /** Setup-guide step that fixes it (lib/setup-guide step id). */
  stepId: string;
  /** Error code the failure shows up as, e.g. AADSTS900023 or 535 5.7.139. */
  code?: string;
  /** Profile field (settings.x / secrets.x) to point a form at. */
  field?: string;
  /** For imported files: the line and key the value came from. */
  line?: number;
  key?: string;
  /**
   * Identifies the finding's facts (rule, problem text with the profile's values, field, code):
   * an acknowledgement holds while they stay the same, and lapses when they change.
   */
  fingerprint: string;
  /** Set when an admin acknowledged exactly these facts; such a finding no longer counts. */
  acknowledged?: { by: string; at: string; note: string };
};

export type RuleHit = Partial<Pick<Finding, "severity" | "why" | "fix" | "code" | "field" | "stepId">> & { problem: string };

/** True when a finding still asks for action (not acknowledged, not just a note). */
export function isOpenFinding(f: Finding): boolean {
  return !f.acknowledged && f.severity !== "info";
}

export type DoctorRule = {
  id: string;
  severity: Severity;
  title: string;
  why: string;
  fix: string;
  stepId: string;
  code?: string;
  /** Kinds the rule applies to; all kinds when absent. */
  kinds?: readonly ProfileKind[];
  /** Returns null when the rule does not fire. */
  check: (input: DoctorInput) => RuleHit | RuleHit[] | null;
};
