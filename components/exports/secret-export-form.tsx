"use client";
import { useEffect, useRef, useState } from "react";
import type { ActionResult } from "@/lib/action-result";
import type { SecretExportData } from "@/lib/export/results";
import { formatDateTime } from "@/lib/format";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Field, describedBy, inputClass } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { CodePreview } from "./code-preview";
import { downloadBlob } from "./download";

/** What the include-secrets action returns: the content the admin asked for, after the password check. */

type Props = {
  action: (prev: ActionResult<SecretExportData>, form: FormData) => Promise<ActionResult<SecretExportData>>;
  format: string;
  formatLabel: string;
  /** The format can carry the cached token (iMail cache keys). */
  tokenCapable: boolean;
};

/**
 * "Include secrets": asks for the admin's password again, then shows the export with real values
 * (and, for iMail, the cached token) or saves it straight from memory (a Blob, never a URL the
 * browser could cache or log). "Hide secrets" takes it off the page; the password field is
 * emptied after each success.
 */
export function SecretExportForm({ action, format, formatLabel, tokenCapable }: Props) {
  const { state, pending, onSubmit } = useFormAction(action);
  const [intent, setIntent] = useState<"show" | "download">("show");
  const [hidden, setHidden] = useState<ActionResult<SecretExportData> | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const handled = useRef<ActionResult<SecretExportData> | null>(null);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  const passwordError = errors.password;

  useEffect(() => {
    if (handled.current === state) return;
    handled.current = state;
    if (state.status === "success" && state.data) {
      if (passwordRef.current) passwordRef.current.value = "";
      if (state.data.intent === "download") downloadBlob(state.data.content, state.data.filename, state.data.contentType);
    } else if (state.status === "error") {
      passwordRef.current?.focus();
    }
  }, [state]);

  const result = state.status === "success" && state.data && hidden !== state ? state.data : null;

  return (
    <div className="space-y-4">
      <form
        method="post"
        onSubmit={(e) => {
          setIntent(((e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null)?.value === "download" ? "download" : "show");
          onSubmit(e);
        }}
        className="space-y-4"
        noValidate
      >
        <input type="hidden" name="format" value={format} />
        <Field
          id="export-password"
          label="Your password"
          error={passwordError}
          help={`Secrets leave the console only after you confirm your admin password. The export of ${formatLabel} with secrets is written to the activity log.`}
        >
          <input
            ref={passwordRef}
            id="export-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            className={`${inputClass} max-w-sm`}
            aria-invalid={passwordError ? true : undefined}
            aria-describedby={describedBy("export-password", true, Boolean(passwordError))}
          />
        </Field>
        <div className="flex flex-wrap items-center gap-2">
          <Button type="submit" name="intent" value="show" variant="secondary" pending={pending && intent === "show"} disabled={pending} pendingLabel="Decrypting…">
            Show with secrets
          </Button>
          <Button type="submit" name="intent" value="download" pending={pending && intent === "download"} disabled={pending} pendingLabel="Preparing download…">
            Download with secrets
          </Button>
        </div>
        <div aria-live="polite" aria-atomic="true">
          {state.status === "error" && !passwordError && (
            <Alert tone="danger" role="alert" title={state.message}>
              {state.hint}
            </Alert>
          )}
          {state.status === "error" && passwordError && (
            <Alert tone="danger" role="alert" title="Refused: secrets were not exported.">
              {passwordError.join(" ")}
            </Alert>
          )}
          {result && (
            <Alert tone="success" role="status" title={result.intent === "download" ? `Saved ${result.filename} with secrets.` : "Secrets included below."}>
              Shown on this page only and never cached; the export was written to the activity log.
              {tokenCapable && result.token && (
                <span className="mt-1 block" data-testid="token-note">
                  {result.token.included
                    ? `The cached access token is included (expires ${formatDateTime(result.token.expiresAt)}).`
                    : `No access token included: ${result.token.note ?? "none is cached."}`}
                </span>
              )}
            </Alert>
          )}
        </div>
      </form>
      {result && (
        <div className="space-y-3">
          {result.warnings.length > 0 && (
            <Alert tone="warning" title="Check before use">
              <ul className="list-disc space-y-1 pl-5">
                {result.warnings.map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            </Alert>
          )}
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="font-mono text-sm text-slate-700 dark:text-slate-300">{result.filename}</p>
            <div className="flex flex-wrap gap-2">
              <CopyButton text={result.content} ariaLabel="Copy the export with secrets" />
              <Button type="button" variant="secondary" className="px-2.5 py-1 text-xs" onClick={() => downloadBlob(result.content, result.filename, result.contentType)}>
                {result.intent === "download" ? "Download again" : "Download"}
              </Button>
              <Button type="button" variant="ghost" className="px-2.5 py-1 text-xs" onClick={() => setHidden(state)}>
                Hide secrets
              </Button>
            </div>
          </div>
          <CodePreview content={result.content} label={`${formatLabel} with secrets`} testId="secret-export-content" />
        </div>
      )}
    </div>
  );
}
