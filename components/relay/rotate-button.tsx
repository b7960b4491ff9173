"use client";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { PasswordOnce } from "./password-once";

type Action = (prev: ActionResult<{ name: string; password: string }>, form: FormData) => Promise<ActionResult<{ name: string; password: string }>>;

/** "Rotate password" (twin of `relay device rotate-password`): the new password is shown once. */
export function RotateButton({ action, name }: { action: Action; name: string }) {
  const { state, pending, onSubmit } = useFormAction(action);
  return (
    <form
      onSubmit={(e) => {
        if (!window.confirm(`Generate a new password for "${name}"? The old one stops working at once.`)) {
          e.preventDefault();
          return;
        }
        onSubmit(e);
      }}
      className="space-y-2"
    >
      <input type="hidden" name="name" value={name} />
      <Button type="submit" variant="secondary" pending={pending} pendingLabel="Rotating…" className="px-2.5 py-1 text-xs">
        Rotate password
      </Button>
      {state.status === "success" && state.data ? <PasswordOnce name={state.data.name} password={state.data.password} message={state.message} /> : <FormMessage state={state} />}
    </form>
  );
}
