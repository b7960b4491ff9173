/**
 * Expected failures. `userMessage` is safe to show (never contains a secret); `hint` says what
 * to do about it; `field` points a form at the input that caused it; `detail` carries typed
 * facts for the code that handles the error (never free-form); `profileId` names the profile the
 * error is about when the caller could not know it (the authorization callback).
 */
export type AppErrorCode =
  | "not_found"
  | "conflict"
  | "stale_version"
  | "invalid_input"
  | "unauthorized"
  | "forbidden"
  | "rate_limited"
  | "key_mismatch"
  | "secret_undecryptable"
  | "remote_error"
  | "timeout"
  | "unsupported"
  /** An authorization-code profile has no (valid) refresh token: an admin must click Authorize. */
  | "needs_authorization";

/**
 * The one code → HTTP status map (route handlers, downloads). Remote failures are the upstream's
 * (502 / 504); state the admin must fix first is a conflict (409); a refused operation on a
 * valid request is 422.
 */
export const HTTP_STATUS: Record<AppErrorCode, number> = {
  not_found: 404,
  conflict: 409,
  stale_version: 409,
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  key_mismatch: 409,
  secret_undecryptable: 409,
  remote_error: 502,
  timeout: 504,
  unsupported: 422,
  needs_authorization: 409,
};

/** A failed token request, as the identity provider (or the network) decided it. */
export type TokenFailureDetail = {
  kind: "token";
  /** Worth retrying later unchanged (IdP 5xx/429, timeouts, resets): never drop credentials or mark the profile failing for it. */
  transient: boolean;
  /** The refresh token / grant is dead: re-authorization is needed. */
  invalidGrant: boolean;
  correlationId?: string;
  traceId?: string;
  status?: number;
  /** First line of the IdP's error description. */
  remoteReply?: string;
  /** Redacted lines of the HTTP exchange. */
  transcript?: string[];
};

/** What fixes an import issue (worded per surface by lib/export/import-issues.ts). */
export type ImportRemedyDetail =
  /** The file does not carry a value the profile needs. */
  | { kind: "missing"; field: string }
  /** The file carries a documentation placeholder (`<tenant_id>`, `xxxxxxxx-…`, `your-password`). */
  | { kind: "placeholder"; field: string }
  /** Another profile has this name (names are unique, case-insensitively). */
  | { kind: "rename" };

/** One problem an import check found (lib/export/import-issues.ts calls it ImportIssue). */
export type ImportIssueDetail = {
  /** A settings field, `secrets.<name>`, or the page's own `name` / `format` / `text`. */
  field?: string;
  /** The profile form's label of `field`, for the console. */
  label?: string;
  /** 1-based line in the file, and the file's key there. */
  line?: number;
  key?: string;
  /** The problem, without the remedy. For "missing": why the value is needed. */
  message: string;
  remedy?: ImportRemedyDetail;
};

/** Every problem of a refused import (the first one is also the error's `field`). */
export type ImportIssuesDetail = { kind: "import"; issues: ImportIssueDetail[] };

/** Where in a parsed file the problem is: a line, or the n-th command-line option. */
export type SourceLocationDetail = { kind: "source"; line?: number; option?: number };

export type AppErrorDetail = TokenFailureDetail | ImportIssuesDetail | SourceLocationDetail;

export type AppErrorOptions = { hint?: string; field?: string; remoteCode?: string; detail?: AppErrorDetail; profileId?: string; cause?: unknown };

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly userMessage: string;
  readonly hint?: string;
  readonly field?: string;
  readonly remoteCode?: string;
  readonly detail?: AppErrorDetail;
  readonly profileId?: string;

  constructor(code: AppErrorCode, userMessage: string, options: AppErrorOptions = {}) {
    super(userMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.userMessage = userMessage;
    this.hint = options.hint;
    this.field = options.field;
    this.remoteCode = options.remoteCode;
    this.detail = options.detail;
    this.profileId = options.profileId;
  }

  /** The same error with more facts (e.g. the profile it is about). */
  with(options: Pick<AppErrorOptions, "profileId">): AppError {
    return new AppError(this.code, this.userMessage, { hint: this.hint, field: this.field, remoteCode: this.remoteCode, detail: this.detail, profileId: options.profileId ?? this.profileId, cause: this.cause });
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The HTTP status for an error a route answers with (500 for anything that is not an AppError). */
export function httpStatusOf(error: unknown): number {
  return isAppError(error) ? HTTP_STATUS[error.code] : 500;
}

/** The token-failure facts of an error, when it is one. */
export function tokenFailureOf(error: unknown): TokenFailureDetail | undefined {
  return isAppError(error) && error.detail?.kind === "token" ? error.detail : undefined;
}
