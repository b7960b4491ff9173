"use client";
import type { ActionResult } from "@/lib/action-result";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { Button } from "@/components/ui/button";
import { useFormAction } from "@/components/ui/use-form-action";

export function SetupForm({ action }: { action: (prev: ActionResult, form: FormData) => Promise<ActionResult> }) {
  const { state, pending, onSubmit, formAction } = useFormAction(action);
  const e = state.status === "error" ? state.fieldErrors : undefined;
  return (
    <form action={formAction} onSubmit={onSubmit} className="space-y-5" noValidate>
      <FormMessage state={state} />
      <Field id="setupCode" label="Setup code" error={e?.setupCode} help="Printed in the server log when the console started (npm start output). Proves you run this server.">
        <input id="setupCode" name="setupCode" autoComplete="off" spellCheck={false} required autoFocus className={`${inputClass} font-mono`} aria-invalid={Boolean(e?.setupCode) || undefined} />
      </Field>
      <Field id="username" label="Admin username" error={e?.username} help="Letters, digits and . _ @ -">
        <input id="username" name="username" autoComplete="username" required className={inputClass} aria-invalid={Boolean(e?.username) || undefined} />
      </Field>
      <Field id="password" label="Password" error={e?.password} help="At least 12 characters. It protects every mail credential in this console.">
        <input id="password" name="password" type="password" autoComplete="new-password" required className={inputClass} aria-invalid={Boolean(e?.password) || undefined} />
      </Field>
      <Field id="confirm" label="Repeat password" error={e?.confirm}>
        <input id="confirm" name="confirm" type="password" autoComplete="new-password" required className={inputClass} aria-invalid={Boolean(e?.confirm) || undefined} />
      </Field>
      <Button type="submit" pending={pending} pendingLabel="Creating…" className="w-full">
        Create admin and sign in
      </Button>
    </form>
  );
}
