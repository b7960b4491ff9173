"use client";
import type { ActionResult } from "@/lib/action-result";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { Button } from "@/components/ui/button";
import { useFormAction } from "@/components/ui/use-form-action";
import { SIGNIN_AT_KEY } from "@/components/layout/session-keys";

export function LoginForm({ action, next }: { action: (prev: ActionResult, form: FormData) => Promise<ActionResult>; next?: string }) {
  const { state, pending, onSubmit, formAction } = useFormAction(action);
  const errors = state.status === "error" ? state.fieldErrors : undefined;
  return (
    <form
      action={formAction}
      onSubmit={(e) => {
        // Drafts saved before this sign-in are offered back on the page it returns to.
        sessionStorage.setItem(SIGNIN_AT_KEY, String(Date.now()));
        onSubmit(e);
      }}
      className="space-y-5"
      noValidate
    >
      {next && <input type="hidden" name="next" value={next} />}
      <FormMessage state={state} />
      <Field id="username" label="Username" error={errors?.username}>
        <input id="username" name="username" autoComplete="username" required autoFocus className={inputClass} aria-invalid={Boolean(errors?.username) || undefined} />
      </Field>
      <Field id="password" label="Password" error={errors?.password}>
        <input id="password" name="password" type="password" autoComplete="current-password" required className={inputClass} aria-invalid={Boolean(errors?.password) || undefined} />
      </Field>
      <Button type="submit" pending={pending} pendingLabel="Signing in…" className="w-full">
        Sign in
      </Button>
    </form>
  );
}
