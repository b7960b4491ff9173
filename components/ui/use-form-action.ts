"use client";
import { useActionState, useTransition, type FormEvent } from "react";
import type { ActionResult } from "@/lib/action-result";

/**
 * Runs a server action from a form's submit event inside a transition. Unlike the form
 * `action` prop, React does not reset the form afterwards, so a refused submission keeps
 * everything the admin typed (passwords included: they never come back from the server).
 */
export function useFormAction(action: (prev: ActionResult, form: FormData) => Promise<ActionResult>) {
  const [state, dispatch] = useActionState(action, { status: "idle" } as ActionResult);
  const [pending, startTransition] = useTransition();
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
    startTransition(() => dispatch(data));
  };
  return { state, pending, onSubmit };
}
