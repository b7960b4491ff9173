"use client";
import type { ActionResult } from "@/lib/action-result";
import type { ConsoleSettings } from "@/lib/settings/schema";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { Button } from "@/components/ui/button";
import { useFormAction } from "@/components/ui/use-form-action";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

const NUMBER_FIELDS: { name: keyof ConsoleSettings; label: string; help: string }[] = [
  { name: "tokenRefreshMarginMinutes", label: "Refresh tokens this many minutes before expiry", help: "iMail refreshes 5 minutes before expiry; cached tokens are reused until then." },
  { name: "logRetentionDays", label: "Keep activity logs (days)", help: "Older entries are pruned at start-up." },
  { name: "httpTimeoutSeconds", label: "HTTP timeout (token and Graph calls), seconds", help: "A hung identity provider or Graph endpoint fails after this long." },
  { name: "smtpConnectTimeoutSeconds", label: "SMTP connect timeout, seconds", help: "" },
  { name: "smtpGreetingTimeoutSeconds", label: "SMTP greeting timeout, seconds", help: "" },
  { name: "smtpSocketTimeoutSeconds", label: "SMTP inactivity timeout, seconds", help: "Covers AUTH and DATA: a server that stops answering fails after this long." },
  { name: "imapTimeoutSeconds", label: "IMAP timeout, seconds", help: "" },
  { name: "alertReminderHours", label: "Alert reminder, hours", help: "While a check stays failing, its alert is repeated this often." },
  { name: "checkConcurrency", label: "Checks at a time", help: "How many scheduled checks run concurrently (token requests, canaries)." },
];

export function SettingsForm({ action, values }: { action: Action; values: ConsoleSettings }) {
  const { state, pending, onSubmit } = useFormAction(action);
  const errors = state.status === "error" ? state.fieldErrors : undefined;
  return (
    <form method="post" onSubmit={onSubmit} noValidate className="space-y-5" data-draft="settings">
      <FormMessage state={state} />
      <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
        {NUMBER_FIELDS.map((f) => (
          <Field key={f.name} id={f.name} label={f.label} help={f.help || undefined} error={errors?.[f.name]}>
            <input id={f.name} name={f.name} type="number" min={0} step="any" defaultValue={values[f.name]} className={inputClass} aria-invalid={Boolean(errors?.[f.name]) || undefined} />
          </Field>
        ))}
      </div>
      <Button type="submit" pending={pending} pendingLabel="Saving…">Save settings</Button>
    </form>
  );
}

export function ChangePasswordForm({ action }: { action: Action }) {
  const { state, pending, onSubmit } = useFormAction(action);
  const e = state.status === "error" ? state.fieldErrors : undefined;
  return (
    <form method="post" onSubmit={onSubmit} noValidate className="space-y-4">
      <FormMessage state={state} />
      <Field id="current" label="Current password" error={e?.current}>
        <input id="current" name="current" type="password" autoComplete="current-password" className={inputClass} aria-invalid={Boolean(e?.current) || undefined} />
      </Field>
      <Field id="new-password" label="New password" error={e?.password} help="At least 12 characters. All your sessions end; you sign in again.">
        <input id="new-password" name="password" type="password" autoComplete="new-password" className={inputClass} aria-invalid={Boolean(e?.password) || undefined} />
      </Field>
      <Field id="confirm" label="Repeat new password" error={e?.confirm}>
        <input id="confirm" name="confirm" type="password" autoComplete="new-password" className={inputClass} aria-invalid={Boolean(e?.confirm) || undefined} />
      </Field>
      <Button type="submit" pending={pending} pendingLabel="Changing…">Change password</Button>
    </form>
  );
}

export function AddAdminForm({ action }: { action: Action }) {
  const { state, pending, onSubmit } = useFormAction(action);
  const e = state.status === "error" ? state.fieldErrors : undefined;
  return (
    <form method="post" onSubmit={onSubmit} noValidate className="space-y-4">
      <FormMessage state={state} />
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <Field id="admin-username" label="Username" error={e?.username}>
          <input id="admin-username" name="username" autoComplete="off" className={inputClass} aria-invalid={Boolean(e?.username) || undefined} />
        </Field>
        <Field id="admin-password" label="Initial password" error={e?.password} help="At least 12 characters.">
          <input id="admin-password" name="password" type="password" autoComplete="new-password" className={inputClass} aria-invalid={Boolean(e?.password) || undefined} />
        </Field>
      </div>
      <Button type="submit" variant="secondary" pending={pending} pendingLabel="Adding…">Add admin</Button>
    </form>
  );
}

export function UnlockSignInForm({ action }: { action: Action }) {
  const { state, pending, onSubmit } = useFormAction(action);
  const e = state.status === "error" ? state.fieldErrors : undefined;
  return (
    <form method="post" onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Unlock sign-in">
      <FormMessage state={state} />
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <Field id="unlock-username" label="Username" error={e?.username} help="Lifts this admin's lock.">
          <input id="unlock-username" name="username" autoComplete="off" className={inputClass} aria-invalid={Boolean(e?.username) || undefined} />
        </Field>
        <Field id="unlock-ip" label="or IP address" error={e?.ip} help="Lifts the lock of a client address.">
          <input id="unlock-ip" name="ip" autoComplete="off" className={inputClass} aria-invalid={Boolean(e?.ip) || undefined} />
        </Field>
      </div>
      <Button type="submit" variant="secondary" pending={pending} pendingLabel="Unlocking…">Unlock sign-in</Button>
    </form>
  );
}
