"use client";
import { useActionState, useRef, useState } from "react";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import { useFormAction } from "@/components/ui/use-form-action";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

export function DuplicateButton({ action }: { action: Action }) {
  const [state, formAction] = useActionState(action, { status: "idle" } as ActionResult);
  return (
    <form action={formAction} className="contents">
      <SubmitButton variant="secondary" pendingLabel="Duplicating…">Duplicate</SubmitButton>
      {state.status === "error" && <span role="alert" className="text-sm text-rose-600">{state.message}</span>}
    </form>
  );
}

/** Delete with a confirmation dialog that asks for the profile's name. */
export function DeleteProfileButton({ name, action }: { name: string; action: Action }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { state, pending, onSubmit } = useFormAction(action);
  const [typed, setTyped] = useState("");
  return (
    <>
      <Button type="button" variant="danger" onClick={() => ref.current?.showModal()}>
        Delete
      </Button>
      <dialog ref={ref} aria-labelledby="delete-title" className="m-auto w-full max-w-md rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100">
        <form method="post" onSubmit={onSubmit} className="space-y-4 p-5" noValidate>
          <h2 id="delete-title" className="text-lg font-semibold">Delete “{name}”?</h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">The profile, its encrypted secrets and its cached tokens are deleted. Activity log entries stay. This cannot be undone.</p>
          <FormMessage state={state} />
          <Field id="confirmName" label={<>Type <span className="font-mono">{name}</span> to confirm</>}>
            <input id="confirmName" name="confirmName" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} className={inputClass} />
          </Field>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="ghost" onClick={() => ref.current?.close()}>Cancel</Button>
            <Button type="submit" variant="danger" pending={pending} pendingLabel="Deleting…">
              Delete profile
            </Button>
          </div>
        </form>
      </dialog>
    </>
  );
}
