"use client";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

/** Upload the listener's certificate and key (the key is sealed like every secret, never shown). */
export function TlsForm({ action }: { action: Action }) {
  const { state, pending, onSubmit } = useFormAction(action);
  const err = (k: string) => (state.status === "error" ? state.fieldErrors?.[k] : undefined);
  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label="Upload a certificate">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="relay-cert" label="Certificate (PEM)" error={err("certPem")}>
          <textarea id="relay-cert" name="certPem" rows={4} className={`${inputClass} font-mono text-xs`} placeholder="-----BEGIN CERTIFICATE-----" />
        </Field>
        <Field id="relay-key" label="Private key (PEM, unencrypted)" error={err("keyPem")}>
          <textarea id="relay-key" name="keyPem" rows={4} className={`${inputClass} font-mono text-xs`} placeholder="-----BEGIN PRIVATE KEY-----" autoComplete="off" />
        </Field>
      </div>
      <Button type="submit" variant="secondary" pending={pending} pendingLabel="Checking and storing…">
        Upload certificate
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
