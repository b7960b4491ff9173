"use client";
import { useActionState } from "react";
import type { ActionResult } from "@/lib/action-result";
import { SubmitButton } from "./submit-button";
import type { ButtonVariant } from "./button";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

/**
 * A one-button form for a server action (acknowledge a finding, tick a step off): hidden fields,
 * a pending label, and the refusal shown beside the button. Posts (never GET) before JavaScript.
 */
export function InlineActionForm({ action, fields, label, pendingLabel, variant = "secondary", testId }: { action: Action; fields: Record<string, string>; label: string; pendingLabel: string; variant?: ButtonVariant; testId?: string }) {
  const [state, formAction] = useActionState(action, { status: "idle" } as ActionResult);
  return (
    <form action={formAction} className="inline-flex flex-wrap items-center gap-2" data-testid={testId}>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <SubmitButton variant={variant} pendingLabel={pendingLabel} className="px-2 py-1 text-xs">
        {label}
      </SubmitButton>
      {state.status === "error" && (
        <span role="alert" className="text-xs text-rose-600 dark:text-rose-400">
          {state.message}
        </span>
      )}
    </form>
  );
}
