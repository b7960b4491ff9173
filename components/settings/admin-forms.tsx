"use client";
import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/action-result";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { Button } from "@/components/ui/button";
import { useFormAction } from "@/components/ui/use-form-action";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

/** Your password, re-entered: destructive actions on another admin (and the backup) ask for it. */
function CurrentPasswordField({ id, error }: { id: string; error?: string[] }) {
  return (
    <Field id={id} label="Your password" error={error} help="Re-entered to confirm; a wrong one counts as a failed sign-in.">
      <input id={id} name="current" type="password" autoComplete="current-password" required className={inputClass} aria-invalid={Boolean(error) || undefined} />
    </Field>
  );
}

/** Delete another admin after re-entering your password. */
export function DeleteAdminForm({ action, username }: { action: Action; username: string }) {
  const { state, pending, onSubmit, formAction } = useFormAction(action);
  const e = state.status === "error" ? state.fieldErrors : undefined;
  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="space-y-3" aria-label={`Delete admin ${username}`}>
      <FormMessage state={state} />
      <input type="hidden" name="username" value={username} />
      <CurrentPasswordField id={`delete-current-${username}`} error={e?.current} />
      <Button type="submit" variant="danger" pending={pending} pendingLabel="Deleting…">
        Delete {username}
      </Button>
    </form>
  );
}

/** Set a new password for another admin (their sessions end); you tell them the password yourself. */
export function ResetAdminPasswordForm({ action, username }: { action: Action; username: string }) {
  const { state, pending, onSubmit, formAction } = useFormAction(action);
  const e = state.status === "error" ? state.fieldErrors : undefined;
  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="space-y-3" aria-label={`Reset password of ${username}`}>
      <FormMessage state={state} />
      <input type="hidden" name="username" value={username} />
      <Field id={`reset-password-${username}`} label="New password" error={e?.password} help="At least 12 characters.">
        <input id={`reset-password-${username}`} name="password" type="password" autoComplete="new-password" className={inputClass} aria-invalid={Boolean(e?.password) || undefined} />
      </Field>
      <Field id={`reset-confirm-${username}`} label="Repeat new password" error={e?.confirm}>
        <input id={`reset-confirm-${username}`} name="confirm" type="password" autoComplete="new-password" className={inputClass} aria-invalid={Boolean(e?.confirm) || undefined} />
      </Field>
      <CurrentPasswordField id={`reset-current-${username}`} error={e?.current} />
      <Button type="submit" variant="danger" pending={pending} pendingLabel="Resetting…">
        Reset password of {username}
      </Button>
    </form>
  );
}

type ApiError = { error?: { message?: string; fieldErrors?: Record<string, string[]> } };

/**
 * Download a backup: posts your password to the backup route and saves the answer. Without
 * JavaScript the same form posts there directly and the browser saves the attachment.
 */
export function BackupForm({ endpoint }: { endpoint: string }) {
  const [state, setState] = useState<ActionResult>({ status: "idle" });
  const [pending, setPending] = useState(false);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    setPending(true);
    setState({ status: "idle" });
    try {
      const res = await fetch(endpoint, { method: "POST", body: new URLSearchParams(new FormData(form) as unknown as Record<string, string>) });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as ApiError;
        setState({ status: "error", message: body.error?.message ?? `The backup failed (HTTP ${res.status}).`, fieldErrors: body.error?.fieldErrors });
        return;
      }
      const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "console.db";
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      form.reset();
      setState({ status: "success", message: `Backup downloaded as ${name}. Keep the master key separately: the backup cannot be decrypted without it.` });
    } catch {
      setState({ status: "error", message: "The console did not answer. Try again." });
    } finally {
      setPending(false);
    }
  };
  const e = state.status === "error" ? state.fieldErrors : undefined;
  return (
    <form method="post" action={endpoint} onSubmit={onSubmit} noValidate className="space-y-3" aria-label="Download backup">
      <FormMessage state={state} />
      <CurrentPasswordField id="backup-current" error={e?.current} />
      <Button type="submit" variant="secondary" pending={pending} pendingLabel="Preparing backup…">
        Download backup
      </Button>
    </form>
  );
}
