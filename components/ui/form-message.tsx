import type { ActionResult } from "@/lib/action-result";
import { Alert } from "./alert";

/** The outcome of a form action, announced to screen readers (aria-live). */
export function FormMessage({ state }: { state: ActionResult<unknown> }) {
  return (
    <div aria-live="polite" aria-atomic="true">
      {state.status === "success" && (
        <Alert tone="success" role="status">
          {state.message}
        </Alert>
      )}
      {state.status === "error" && (
        <Alert tone="danger" role="alert" title={state.message}>
          {state.hint}
        </Alert>
      )}
    </div>
  );
}
