"use client";
import { useActionState, useSyncExternalStore, useTransition, type FormEvent } from "react";
import type { ActionResult } from "@/lib/action-result";

/**
 * Runs a server action from a form's submit event inside a transition. Unlike the form
 * `action` prop, React does not reset the form afterwards, so a refused submission keeps
 * everything the admin typed (passwords included: they never come back from the server).
 * `T` is the type of `data` on success (none for most forms).
 */
export function useFormAction<T = undefined>(action: (prev: ActionResult<T>, form: FormData) => Promise<ActionResult<T>>) {
  const [state, dispatch] = useActionState(action, { status: "idle" } as ActionResult<T>);
  const [pending, startTransition] = useTransition();
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
    startTransition(() => dispatch(data));
  };
  // `formAction` for the form's action prop: before JavaScript loads (or without it) the form
  // posts to the server action instead of falling back to GET with its fields in the URL.
  return { state, pending, onSubmit, formAction: dispatch };
}

const noSubscription = () => () => {};

/**
 * False in the server's HTML and during hydration, true once this component is interactive. A
 * form whose submit is handled only by JavaScript (no `action` to post to) disables its buttons
 * until then, so a click before the chunk arrives cannot post the page natively and lose what
 * was typed.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(noSubscription, () => true, () => false);
}
