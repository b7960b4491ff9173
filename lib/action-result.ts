import type { z } from "zod";
import { isAppError } from "./errors";

export type FieldErrors = Record<string, string[]>;

/** What every server action returns. Never carries a secret value. */
export type ActionResult<T = undefined> =
  | { status: "idle" }
  | { status: "success"; message: string; data?: T }
  | { status: "error"; message: string; code?: string; hint?: string; fieldErrors?: FieldErrors };

export const idle: ActionResult<never> = { status: "idle" };

/** Flattens zod issues into per-field messages, keyed by the dotted path of the field. */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

export function invalid(error: z.ZodError, message = "Please correct the highlighted fields."): ActionResult<never> {
  const fieldErrors = fieldErrorsOf(error);
  const count = Object.keys(fieldErrors).length;
  return { status: "error", code: "invalid_input", message: count === 1 ? message.replace("fields", "field") : message, fieldErrors };
}

/** Maps an AppError to a safe result; anything else is rethrown to the error boundary. */
export function fromAppError(error: unknown): ActionResult<never> {
  if (isAppError(error)) {
    return {
      status: "error",
      code: error.code,
      message: error.userMessage,
      hint: error.hint,
      fieldErrors: error.field ? { [error.field]: [error.userMessage] } : undefined,
    };
  }
  throw error;
}
