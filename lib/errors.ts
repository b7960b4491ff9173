/**
 * Expected failures. `userMessage` is safe to show (never contains a secret); `hint` says what
 * to do about it; `field` points a form at the input that caused it.
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

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly userMessage: string;
  readonly hint?: string;
  readonly field?: string;
  readonly remoteCode?: string;
  readonly details?: Record<string, unknown>;

  constructor(
    code: AppErrorCode,
    userMessage: string,
    options: { hint?: string; field?: string; remoteCode?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(userMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.userMessage = userMessage;
    this.hint = options.hint;
    this.field = options.field;
    this.remoteCode = options.remoteCode;
    this.details = options.details;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
