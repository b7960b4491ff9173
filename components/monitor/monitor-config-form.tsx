"use client";
import { useState } from "react";
import type { ActionResult } from "@/lib/action-result";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { Button } from "@/components/ui/button";
import { useFormAction } from "@/components/ui/use-form-action";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

export type MonitorConfigValues = {
  tokenIntervalHours: number | null;
  tokenIntervalMaxHours: number;
  canary: { enabled: boolean; to: string; imapProfileId: string; intervalMinutes: number; timeLimitSeconds: number } | null;
};

/** A profile's monitoring settings: token check interval and the opt-in canary (twin of `check config`). */
export function MonitorConfigForm({ action, values, imapProfiles, canSend }: { action: Action; values: MonitorConfigValues; imapProfiles: { id: string; name: string; account: string }[]; canSend: boolean }) {
  const { state, pending, onSubmit } = useFormAction(action);
  const [canary, setCanary] = useState(Boolean(values.canary?.enabled));
  const errors = state.status === "error" ? state.fieldErrors : undefined;
  const err = (k: string) => errors?.[k];
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Monitoring settings">
      <FormMessage state={state} />
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        {values.tokenIntervalHours !== null && (
          <Field id="tokenIntervalHours" label="Token check every (hours)" error={err("tokenIntervalHours")} help={values.tokenIntervalMaxHours <= 168 ? "At most 168 hours: an authorization-code profile's refresh token must be used at least weekly so it never reaches the 90-day inactivity expiry." : "A new token from the identity provider proves the credentials still work. Default 6 hours."}>
            <input id="tokenIntervalHours" name="tokenIntervalHours" type="number" min={0.25} max={values.tokenIntervalMaxHours} step="any" defaultValue={values.tokenIntervalHours} className={inputClass} aria-invalid={Boolean(err("tokenIntervalHours")) || undefined} />
          </Field>
        )}
      </div>
      {canSend && (
        <fieldset className="space-y-4 rounded-md border border-slate-200 p-4 dark:border-slate-800">
          <legend className="px-1 text-sm font-semibold">Canary (end-to-end)</legend>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="canaryEnabled" checked={canary} onChange={(e) => setCanary(e.target.checked)} />
            Send a canary message on a schedule and confirm it arrives
          </label>
          {canary && (
            <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
              <Field id="canaryTo" label="Send to mailbox" required error={err("canaryTo")}>
                <input id="canaryTo" name="canaryTo" type="email" defaultValue={values.canary?.to ?? ""} className={inputClass} aria-invalid={Boolean(err("canaryTo")) || undefined} />
              </Field>
              <Field id="canaryImapProfileId" label="Read it with (IMAP profile)" required error={err("canaryImapProfileId")} help="A profile with IMAP access to that mailbox; the canary is found by a unique header and deleted.">
                <select id="canaryImapProfileId" name="canaryImapProfileId" defaultValue={values.canary?.imapProfileId ?? ""} className={inputClass}>
                  <option value="" disabled>
                    Choose a profile
                  </option>
                  {imapProfiles.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} ({p.account})
                    </option>
                  ))}
                </select>
              </Field>
              <Field id="canaryIntervalMinutes" label="Every (minutes)" error={err("canaryIntervalMinutes")}>
                <input id="canaryIntervalMinutes" name="canaryIntervalMinutes" type="number" min={5} max={10080} defaultValue={values.canary?.intervalMinutes ?? 60} className={inputClass} />
              </Field>
              <Field id="canaryTimeLimitSeconds" label="Must arrive within (seconds)" error={err("canaryTimeLimitSeconds")}>
                <input id="canaryTimeLimitSeconds" name="canaryTimeLimitSeconds" type="number" min={10} max={1800} defaultValue={values.canary?.timeLimitSeconds ?? 300} className={inputClass} />
              </Field>
            </div>
          )}
        </fieldset>
      )}
      <Button type="submit" pending={pending} pendingLabel="Saving…">
        Save monitoring
      </Button>
    </form>
  );
}
