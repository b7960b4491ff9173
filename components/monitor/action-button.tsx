"use client";
import type { ActionResult } from "@/lib/action-result";
import { Button, type ButtonVariant } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

/** A one-button form (Run now, Send a test alert, Delete) with its result announced beside it. */
export function ActionButton({ action, fields, label, pendingLabel, variant = "secondary", confirm }: { action: Action; fields: Record<string, string>; label: string; pendingLabel: string; variant?: ButtonVariant; confirm?: string }) {
  const { state, pending, onSubmit } = useFormAction(action);
  return (
    <form
      onSubmit={(e) => {
        if (confirm && !window.confirm(confirm)) {
          e.preventDefault();
          return;
        }
        onSubmit(e);
      }}
      className="space-y-2"
    >
      {Object.entries(fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <Button type="submit" variant={variant} pending={pending} pendingLabel={pendingLabel} className="px-2.5 py-1 text-xs">
        {label}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
