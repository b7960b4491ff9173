"use client";
import type { ActionResult } from "@/lib/action-result";
import type { RelaySettings } from "@/lib/relay/schema";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

/** Relay settings: listener (when not set by RELAY_PORT), size, lifetime, concurrency. */
export function RelaySettingsForm({ action, settings, envControlled }: { action: Action; settings: RelaySettings; envControlled: boolean }) {
  const { state, pending, onSubmit } = useFormAction(action);
  const err = (k: string) => (state.status === "error" ? state.fieldErrors?.[k] : undefined);
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label="Relay settings">
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="enabled" defaultChecked={settings.enabled} disabled={envControlled} />
        Run the relay with the console {envControlled && <span className="text-slate-500 dark:text-slate-400">(RELAY_PORT is set: the environment decides)</span>}
      </label>
      <div className="grid gap-4 sm:grid-cols-3">
        <Field id="relay-host" label="Listen address" error={err("host")}>
          <input id="relay-host" name="host" defaultValue={settings.host} className={inputClass} disabled={envControlled} />
        </Field>
        <Field id="relay-port" label="Port (STARTTLS)" error={err("port")}>
          <input id="relay-port" name="port" defaultValue={settings.port} inputMode="numeric" className={inputClass} disabled={envControlled} />
        </Field>
        <Field id="relay-tls-port" label="Implicit-TLS port (0 = off)" error={err("tlsPort")}>
          <input id="relay-tls-port" name="tlsPort" defaultValue={settings.tlsPort} inputMode="numeric" className={inputClass} disabled={envControlled} />
        </Field>
        <Field id="relay-max-size" label="Maximum message size (MB)" error={err("maxSizeMb")}>
          <input id="relay-max-size" name="maxSizeMb" defaultValue={settings.maxSizeMb} inputMode="decimal" className={inputClass} />
        </Field>
        <Field id="relay-lifetime" label="Retry for (hours)" error={err("lifetimeHours")}>
          <input id="relay-lifetime" name="lifetimeHours" defaultValue={settings.lifetimeHours} inputMode="decimal" className={inputClass} />
        </Field>
        <Field id="relay-concurrency" label="Deliveries at once per profile" error={err("concurrencyPerProfile")}>
          <input id="relay-concurrency" name="concurrencyPerProfile" defaultValue={settings.concurrencyPerProfile} inputMode="numeric" className={inputClass} />
        </Field>
      </div>
      <Button type="submit" pending={pending} pendingLabel="Saving…">
        Save relay settings
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
