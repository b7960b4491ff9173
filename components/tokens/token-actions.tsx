"use client";
import { createContext, useContext, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { ActionResult } from "@/lib/action-result";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { formatDateTime } from "@/lib/format";
import type { AcquireResultData, RevealResultData } from "@/lib/tokens/results";

type Action<T = undefined> = (prev: ActionResult<T>, form: FormData) => Promise<ActionResult<T>>;

/** The four token actions, passed down from a server component. */
export type TokenActions = {
  acquire: Action<AcquireResultData>;
  clear: Action;
  reveal: Action<RevealResultData>;
  authorize: Action;
};

/** useFormAction for actions whose success carries data (the shared hook is typed for data-less results). */
function useDataFormAction<T>(action: Action<T>) {
  const result = useFormAction(action as unknown as Action);
  return { ...result, state: result.state as ActionResult<T> };
}

// ------------------------------------------------------------------------------------------
// Announcements that outlive the row that caused them (a cleared row disappears from the table).

const AnnounceContext = createContext<((result: ActionResult<unknown>) => void) | null>(null);

/** Wraps a list of rows: row actions report here, above the list, in one aria-live region. */
export function TokenResultRegion({ children }: { children: ReactNode }) {
  const [last, setLast] = useState<ActionResult<unknown>>({ status: "idle" });
  return (
    <AnnounceContext.Provider value={setLast}>
      <div className="mb-4" data-testid="token-page-result">
        <FormMessage state={last} />
      </div>
      {children}
    </AnnounceContext.Provider>
  );
}

function ErrorAlert({ state }: { state: Extract<ActionResult<unknown>, { status: "error" }> }) {
  return (
    <Alert tone="danger" role="alert" title={state.message}>
      {state.hint}
      {state.code && state.code !== "invalid_input" && <span className="mt-1 block font-mono text-xs opacity-75">code: {state.code}</span>}
    </Alert>
  );
}

// ------------------------------------------------------------------------------------------
// Get token now

/**
 * "Get token now" (from the cache while valid, otherwise new) and "Force new token" (always asks
 * the identity provider; not in `compact` rows). The outcome, with the source, appears inline in
 * an aria-live region.
 */
export function GetTokenForm({ profileId, action, compact = false }: { profileId: string; action: Action<AcquireResultData>; compact?: boolean }) {
  const { state, pending, onSubmit } = useDataFormAction(action);
  const [forced, setForced] = useState(false);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    setForced(((event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null)?.name === "force");
    onSubmit(event);
  };
  const btn = compact ? "px-2.5 py-1 text-xs" : undefined;
  return (
    <form method="post" onSubmit={submit} className={compact ? "space-y-2" : "space-y-3"}>
      <input type="hidden" name="profileId" value={profileId} />
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" className={btn} pending={pending && !forced} disabled={pending} pendingLabel="Getting token…">
          Get token now
        </Button>
        {!compact && (
          <Button type="submit" name="force" value="1" variant="secondary" pending={pending && forced} disabled={pending} pendingLabel="Requesting…" title="Ask the identity provider even if the cached token is still valid">
            Force new token
          </Button>
        )}
      </div>
      <div aria-live="polite" aria-atomic="true" data-testid="acquire-result">
        {state.status === "success" && (
          <Alert tone="success" role="status" className={compact ? "px-3 py-2 text-xs" : undefined}>
            <span className="flex flex-wrap items-center gap-2">
              <Badge tone={state.data?.source === "cache" ? "neutral" : "accent"}>
                <span data-testid="token-source">{state.data?.source === "cache" ? "cache" : "new"}</span>
              </Badge>
              <span>{state.message}</span>
            </span>
            {state.data && !compact && <span className="mt-1 block text-xs opacity-80">Expires {formatDateTime(state.data.expiresAt)}</span>}
          </Alert>
        )}
        {state.status === "error" && <ErrorAlert state={state} />}
      </div>
    </form>
  );
}

// ------------------------------------------------------------------------------------------
// Clear

/**
 * "Clear" deletes the cached tokens. When a refresh token would go too (authorization code), the
 * admin confirms first: the profile then needs Authorize again.
 */
export function ClearTokenForm({ profileId, action, withRefreshToken, compact = false }: { profileId: string; action: Action; withRefreshToken: boolean; compact?: boolean }) {
  const announce = useContext(AnnounceContext);
  const reporting: Action = async (prev, form) => {
    const result = await action(prev, form);
    // A successful clear removes the row (and this form) from a list: say so above the list.
    if (result.status === "success") announce?.(result);
    return result;
  };
  const { state, pending, onSubmit } = useFormAction(reporting);
  const [confirming, setConfirming] = useState(false);
  const btn = compact ? "px-2.5 py-1 text-xs" : undefined;
  return (
    <form method="post" onSubmit={(e) => { setConfirming(false); onSubmit(e); }} className="space-y-2">
      <input type="hidden" name="profileId" value={profileId} />
      {withRefreshToken && !confirming ? (
        <Button type="button" variant="secondary" className={btn} disabled={pending} onClick={() => setConfirming(true)}>
          Clear
        </Button>
      ) : withRefreshToken ? (
        <div role="group" aria-label="Confirm clearing" className="flex flex-wrap items-center gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950/60 dark:text-amber-200">
          <span>The refresh token goes too: the profile must be authorized again.</span>
          <Button type="submit" variant="danger" className="px-2.5 py-1 text-xs" pending={pending} pendingLabel="Clearing…">
            Clear tokens
          </Button>
          <Button type="button" variant="ghost" className="px-2.5 py-1 text-xs" onClick={() => setConfirming(false)}>
            Cancel
          </Button>
        </div>
      ) : (
        <Button type="submit" variant="secondary" className={btn} pending={pending} pendingLabel="Clearing…">
          Clear
        </Button>
      )}
      <FormMessage state={announce && state.status === "success" ? { status: "idle" } : state} />
    </form>
  );
}

// ------------------------------------------------------------------------------------------
// Reveal

function RevealForm({ profileId, profileName, action, onCancel }: { profileId: string; profileName: string; action: Action<RevealResultData>; onCancel: () => void }) {
  const { state, pending, onSubmit } = useDataFormAction(action);
  const passwordError = state.status === "error" ? state.fieldErrors?.password : undefined;
  if (state.status === "success" && state.data) {
    return (
      <div className="space-y-4 p-5">
        <h2 id="reveal-title" className="text-lg font-semibold">Access token of “{profileName}”</h2>
        <Alert tone="warning" role="status">{state.message}</Alert>
        <textarea readOnly aria-label="Access token" data-testid="revealed-token" rows={6} className={`${inputClass} break-all font-mono text-xs`} value={state.data.accessToken} />
        <p className="text-xs text-slate-500">Scope {state.data.scope}; expires {formatDateTime(state.data.expiresAt)}. Closing this dialog hides it again.</p>
        <div className="flex justify-end gap-2">
          <CopyButton text={state.data.accessToken} label="Copy token" />
          <Button type="button" variant="secondary" onClick={onCancel}>Close</Button>
        </div>
      </div>
    );
  }
  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4 p-5" noValidate>
      <input type="hidden" name="profileId" value={profileId} />
      <h2 id="reveal-title" className="text-lg font-semibold">Reveal the access token?</h2>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Anyone holding it can send mail as “{profileName}” until it expires. Re-enter your password; the reveal is logged.
      </p>
      {/* The refusal (wrong or missing password included) is announced here; the field is marked invalid. */}
      <div aria-live="polite" aria-atomic="true">{state.status === "error" && <ErrorAlert state={state} />}</div>
      <Field id={`reveal-password-${profileId}`} label="Your admin password">
        <input
          id={`reveal-password-${profileId}`}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className={inputClass}
          aria-invalid={Boolean(passwordError) || undefined}
        />
      </Field>
      <div className="flex justify-end gap-2">
        <Button type="button" variant="ghost" onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="danger" pending={pending} pendingLabel="Checking…">Reveal</Button>
      </div>
    </form>
  );
}

/** "Reveal token": a dialog that asks for the password again; the token exists in the browser only while it is open. */
export function RevealTokenButton({ profileId, profileName, action }: { profileId: string; profileName: string; action: Action<RevealResultData> }) {
  const ref = useRef<HTMLDialogElement>(null);
  // A new key on close drops the form's state, and with it the revealed token.
  const [generation, setGeneration] = useState(0);
  return (
    <>
      <Button type="button" variant="secondary" onClick={() => ref.current?.showModal()}>
        Reveal token
      </Button>
      <dialog
        ref={ref}
        aria-labelledby="reveal-title"
        onClose={() => setGeneration((g) => g + 1)}
        className="m-auto w-full max-w-lg rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        <RevealForm key={generation} profileId={profileId} profileName={profileName} action={action} onCancel={() => ref.current?.close()} />
      </dialog>
    </>
  );
}

// ------------------------------------------------------------------------------------------
// Authorize

/** "Authorize": the server action sends the browser to the identity provider's sign-in page. */
export function AuthorizeForm({ profileId, action, again }: { profileId: string; action: Action; again: boolean }) {
  const { state, pending, onSubmit } = useFormAction(action);
  return (
    <form method="post" onSubmit={onSubmit} className="space-y-2">
      <input type="hidden" name="profileId" value={profileId} />
      <Button type="submit" pending={pending} pendingLabel="Opening sign-in…">
        {again ? "Authorize again" : "Authorize"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
