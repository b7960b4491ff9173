"use client";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { PasswordOnce } from "./password-once";

type Action = (prev: ActionResult<{ name: string; password: string }>, form: FormData) => Promise<ActionResult<{ name: string; password: string }>>;

/** "Add a device" (twin of `relay device add`): the generated password is shown once, here. */
export function DeviceForm({ action, profiles }: { action: Action; profiles: { id: string; name: string }[] }) {
  const { state, pending, onSubmit } = useFormAction(action);
  const err = (k: string) => (state.status === "error" ? state.fieldErrors?.[k] : undefined);
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label="Add a device">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="device-name" label="Name (the SMTP username)" required error={err("name")}>
          <input id="device-name" name="name" required className={inputClass} placeholder="scanner-2nd-floor" autoComplete="off" />
        </Field>
        <Field id="device-profile" label="Sends through profile" required error={err("profile")}>
          <select id="device-profile" name="profile" required className={inputClass} defaultValue="">
            <option value="" disabled>
              Choose a profile
            </option>
            {profiles.map((p) => (
              <option key={p.id} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="device-allow-from" label="Allowed senders" help="Addresses or @domain, comma separated; empty = any" error={err("allowFrom")}>
          <input id="device-allow-from" name="allowFrom" className={inputClass} placeholder="scanner@contoso.com, @contoso.com" />
        </Field>
        <Field id="device-allow-ip" label="Allowed source IPs" help="IPs or CIDRs, comma separated; empty = any" error={err("allowIp")}>
          <input id="device-allow-ip" name="allowIp" className={inputClass} placeholder="10.1.2.0/24" />
        </Field>
        <Field id="device-rate" label="Rate limit (messages per minute)" help="Empty = none" error={err("rate")}>
          <input id="device-rate" name="rate" inputMode="numeric" className={inputClass} />
        </Field>
        <Field id="device-quota" label="Daily quota (messages per UTC day)" help="Empty = none" error={err("quota")}>
          <input id="device-quota" name="quota" inputMode="numeric" className={inputClass} />
        </Field>
      </div>
      <fieldset className="space-y-2 rounded-md border border-amber-300 p-3 dark:border-amber-700">
        <legend className="px-1 text-sm font-medium text-amber-800 dark:text-amber-300">Options for old gear — each is a risk</legend>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="allowPlainAuth" className="mt-1" />
          <span>
            <strong>Plaintext AUTH without TLS</strong> from the allowed IPs only. The password crosses the network in clear text.
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="noAuth" className="mt-1" />
          <span>
            <strong>Submission without AUTH</strong> from the allowed IPs only. Anyone who can use those addresses can send as this device.
          </span>
        </label>
      </fieldset>
      <Button type="submit" pending={pending} pendingLabel="Creating the device…">
        Add device
      </Button>
      {state.status === "success" && state.data ? <PasswordOnce name={state.data.name} password={state.data.password} message={state.message} /> : <FormMessage state={state} />}
    </form>
  );
}
