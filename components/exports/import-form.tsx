"use client";
import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from "react";
import type { ActionResult, FieldErrors } from "@/lib/action-result";
import type { ImportCheckData, ImportValueField } from "@/lib/export/results";
import type { ImportFormatId } from "@/lib/export/types";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Field, describedBy, inputClass } from "@/components/ui/field";
import { useFormAction, useHydrated } from "@/components/ui/use-form-action";
import { DoctorFindings } from "@/components/doctor/findings";

type Props = {
  formats: ReadonlyArray<{ id: ImportFormatId; label: string }>;
  checkAction: (prev: ActionResult<ImportCheckData>, form: FormData) => Promise<ActionResult<ImportCheckData>>;
  importAction: (prev: ActionResult, form: FormData) => Promise<ActionResult>;
};

const MAX_FILE = 1_000_000;

/**
 * Paste or upload → Check (format, kind, warnings with lines, doctor findings, missing values) →
 * Import. Import stays disabled until the current inputs have passed a check, so what is saved is
 * exactly what was shown; the server validates everything again anyway.
 */
export function ImportForm({ formats, checkAction, importAction }: Props) {
  const check = useFormAction(checkAction);
  const imp = useFormAction(importAction);
  const [text, setText] = useState("");
  const textArea = useRef<HTMLTextAreaElement>(null);
  // Text pasted before this form hydrated (it is loaded lazily) is in the DOM but not in state:
  // adopt it, or the first re-render of the controlled box would empty it.
  useEffect(() => {
    const typed = textArea.current?.value ?? "";
    if (typed !== "") setText((current) => (current === "" ? typed : current));
  }, []);
  const [fileNote, setFileNote] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [dirty, setDirty] = useState(true);
  const [last, setLast] = useState<"check" | "import" | null>(null);

  const data = check.state.status === "success" ? check.state.data : undefined;
  const importFailed = last === "import" && imp.state.status === "error" ? imp.state : null;
  const checkFailed = check.state.status === "error" ? check.state : null;
  const errors: FieldErrors = importFailed?.fieldErrors ?? checkFailed?.fieldErrors ?? (data?.fieldErrors ?? {});
  const canImport = Boolean(data?.importable) && !dirty && !check.pending;
  // Check and Import are handled by JavaScript only: before hydration a click would post the
  // page natively and the pasted text would be gone.
  const hydrated = useHydrated();
  const pending = check.pending || imp.pending || !hydrated;
  const lines = text === "" ? 0 : text.replace(/\n$/, "").split("\n").length;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    const intent = ((event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null)?.value === "import" ? "import" : "check";
    if (intent === "import" && !canImport) {
      event.preventDefault();
      return;
    }
    setLast(intent);
    if (intent === "check") setDirty(false);
    (intent === "import" ? imp : check).onSubmit(event);
  };

  const loadFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_FILE) {
      setFileNote({ tone: "error", text: `${file.name} is larger than 1 MB; is it the right file?` });
      return;
    }
    try {
      const content = await file.text();
      setText(content);
      setDirty(true);
      setFileNote({ tone: "ok", text: `Loaded ${file.name} (${content.replace(/\n$/, "").split("\n").length} lines). Nothing is uploaded until you click Check.` });
    } catch {
      setFileNote({ tone: "error", text: `${file.name} could not be read.` });
    }
  };

  const textError = errors.text;
  const formatError = errors.format;
  const nameError = errors.name;

  return (
    <form method="post" onSubmit={submit} onInput={() => setDirty(true)} noValidate className="space-y-6" aria-describedby="import-status">
      <Card>
        <CardHeader title="1. The file" description="Paste the file's contents, or load it from disk: it is read in your browser into the box below, where you can still edit it." />
        <CardBody className="space-y-4">
          <div className="flex flex-wrap items-center gap-3">
            <label htmlFor="import-file" className="text-sm font-medium text-slate-800 dark:text-slate-200">
              Load from a file
            </label>
            <input
              id="import-file"
              type="file"
              accept=".config,.cfg,.json,.properties,.txt,text/plain,application/json"
              onChange={loadFile}
              className="block text-sm text-slate-600 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-800 hover:file:bg-slate-50 dark:text-slate-400 dark:file:border-slate-700 dark:file:bg-slate-900 dark:file:text-slate-100"
            />
            {fileNote && (
              <p role="status" className={cn("text-sm", fileNote.tone === "ok" ? "text-emerald-700 dark:text-emerald-400" : "text-rose-600 dark:text-rose-400")}>
                {fileNote.text}
              </p>
            )}
          </div>
          <Field
            id="import-text"
            label="File contents"
            required
            error={textError}
            aside={<span className="text-xs text-slate-500 dark:text-slate-400">{lines} {lines === 1 ? "line" : "lines"}</span>}
            help="iMailOAuth.config, IBM i office365.json / gmail.json, a Google service-account key, iMail system properties or a console profile JSON. Comments, CRLF and values wrapped onto the next line are fine."
          >
            <textarea
              id="import-text"
              ref={textArea}
              name="text"
              value={text}
              onChange={(e) => setText(e.target.value)}
              rows={16}
              spellCheck={false}
              autoCapitalize="off"
              autoComplete="off"
              wrap="off"
              placeholder={"CLIENT_ID           = …\nTENANT_ID           = …\nTOKEN_URL           = https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token\nDELEGATED_USER      = sender@yourdomain.com\nDELEGATED_PASSWORD  = …"}
              className={cn(inputClass, "font-mono text-[0.8rem] leading-5")}
              aria-invalid={textError ? true : undefined}
              aria-describedby={describedBy("import-text", true, Boolean(textError))}
            />
          </Field>
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="2. Options" description="Both optional: the format is detected from the content, and a name is derived from the file." />
        <CardBody>
          <div className="grid gap-5 md:grid-cols-2">
            <Field id="import-format" label="Format" error={formatError} help="Choose one only if detection picks the wrong format or cannot tell.">
              <select id="import-format" name="format" defaultValue="" className={inputClass} aria-invalid={formatError ? true : undefined} aria-describedby={describedBy("import-format", true, Boolean(formatError))}>
                <option value="">Detect automatically</option>
                {formats.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.label}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="import-name" label="Profile name" error={nameError} help={data?.name && !nameError ? `Leave empty to use “${data.name}”.` : "Leave empty to derive one from the file (e.g. the sender)."}>
              <input id="import-name" name="name" type="text" maxLength={100} autoComplete="off" className={inputClass} aria-invalid={nameError ? true : undefined} aria-describedby={describedBy("import-name", true, Boolean(nameError))} />
            </Field>
          </div>
        </CardBody>
      </Card>

      <Card>
        <CardHeader
          id="check-heading"
          title="3. Check"
          description="What the console read, what the doctor finds and what is still missing. Nothing is saved until you click Import."
          actions={data?.formatLabel ? <Badge tone="accent">{data.formatLabel}</Badge> : undefined}
        />
        <CardBody className="space-y-5">
          <div id="import-status" aria-live="polite" aria-atomic="true" data-testid="import-status">
            {checkFailed && <Alert tone="danger" role="alert" title={checkFailed.message}>{checkFailed.hint}</Alert>}
            {importFailed && (
              <Alert tone="danger" role="alert" title={importFailed.message}>
                {importFailed.hint}
              </Alert>
            )}
            {data && !importFailed && (
              <Alert tone={data.importable && !dirty ? "success" : data.importable ? "info" : "danger"} role={data.importable ? "status" : "alert"} title={check.state.status === "success" ? check.state.message : undefined}>
                {dirty && <span className="block">You changed something since this check: check again before importing.</span>}
                {!data.importable && (
                  <ul className="mt-1 list-disc space-y-1 pl-5" data-testid="import-issues">
                    {data.issues.map((i, n) => (
                      <li key={n}>{i.text}</li>
                    ))}
                  </ul>
                )}
              </Alert>
            )}
          </div>

          {!data && !checkFailed && <WhatCanBeImported />}

          {data && (
            <>
              <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-3" data-testid="import-summary">
                <div>
                  <dt className="text-xs font-medium text-slate-500 dark:text-slate-400">Format</dt>
                  <dd className="font-medium text-slate-900 dark:text-slate-100">{data.formatLabel ?? "Not recognised"}</dd>
                </div>
                <div>
                  <dt className="text-xs font-medium text-slate-500 dark:text-slate-400">Profile kind</dt>
                  <dd className="font-medium text-slate-900 dark:text-slate-100">{data.kindLabel ?? "Undecided"}</dd>
                </div>
                <div>
                  <dt className="text-xs font-medium text-slate-500 dark:text-slate-400">Saved as</dt>
                  <dd className="font-medium text-slate-900 [overflow-wrap:anywhere] dark:text-slate-100">{data.name ?? "—"}</dd>
                </div>
              </dl>

              {data.fields.length > 0 && (
                <fieldset className="space-y-4 rounded-md border border-slate-200 p-4 dark:border-slate-800">
                  <legend className="px-1 text-sm font-semibold text-slate-900 dark:text-slate-100">Values the file does not contain</legend>
                  <p className="text-xs text-slate-500 dark:text-slate-400">The file leaves these out or holds a documentation placeholder. Enter them here, or fix the file above; a value typed here wins over the file.</p>
                  <div className="grid gap-5 md:grid-cols-2">
                    {data.fields.map((f) => (
                      <ValueInput key={f.key} field={f} error={errors[`set.${f.key}`]} />
                    ))}
                  </div>
                </fieldset>
              )}

              {data.warnings.length > 0 && (
                <section aria-label="Warnings">
                  <h3 className="mb-2 text-sm font-semibold text-slate-900 dark:text-slate-100">Warnings ({data.warnings.length})</h3>
                  <ul className="space-y-1.5 text-sm" data-testid="import-warnings">
                    {data.warnings.map((w, i) => (
                      <li key={i} className="flex items-start gap-2">
                        <Badge tone="warning" className="mt-0.5 font-mono">{w.line !== undefined ? `line ${w.line}` : "file"}</Badge>
                        <span className="text-slate-700 [overflow-wrap:anywhere] dark:text-slate-300">{w.message}</span>
                      </li>
                    ))}
                  </ul>
                </section>
              )}

              <section aria-label="Doctor">
                <h3 className="mb-2 text-sm font-semibold text-slate-900 dark:text-slate-100">Doctor</h3>
                <DoctorFindings findings={data.findings} stepTitles={data.stepTitles} linkSteps={false} passedText="The doctor found nothing wrong in this file." />
              </section>
            </>
          )}
        </CardBody>
      </Card>

      <div className="sticky bottom-0 -mx-1 flex flex-wrap items-center justify-end gap-3 border-t border-slate-200 bg-slate-50/95 px-1 py-3 backdrop-blur dark:border-slate-800 dark:bg-slate-950/95">
        <p id="import-gate" className="mr-auto text-xs text-slate-500 dark:text-slate-400">
          {canImport ? "Checked: importing creates the profile with exactly these values." : data && dirty ? "Changed since the last check: check again." : data ? "Fix the problems above, then check again." : "Check the file first; nothing is saved until you import."}
        </p>
        <Button type="submit" name="intent" value="check" variant="secondary" pending={check.pending} disabled={pending} pendingLabel="Checking…">
          Check
        </Button>
        <Button type="submit" name="intent" value="import" pending={imp.pending} disabled={pending || !canImport} pendingLabel="Importing…" aria-describedby="import-gate">
          Import
        </Button>
      </div>
    </form>
  );
}

function ValueInput({ field: f, error }: { field: ImportValueField; error?: string[] }) {
  const id = `set-${f.key.replace(/\./g, "-")}`;
  const aria = { "aria-invalid": error?.length ? true : undefined, "aria-describedby": describedBy(id, Boolean(f.help), Boolean(error?.length)) } as const;
  const className = cn(inputClass, f.mono && "font-mono");
  return (
    <Field id={id} label={f.label} help={f.help} error={error} className={f.type === "textarea" ? "md:col-span-2" : undefined}>
      {f.type === "textarea" ? (
        <textarea id={id} name={`set.${f.key}`} rows={6} spellCheck={false} autoComplete="off" placeholder={f.placeholder} className={cn(className, "text-xs")} {...aria} />
      ) : (
        <input id={id} name={`set.${f.key}`} type={f.type} autoComplete={f.type === "password" ? "new-password" : "off"} placeholder={f.placeholder} className={className} {...aria} />
      )}
    </Field>
  );
}

const IMPORTABLE: { title: string; text: string }[] = [
  { title: "iMailOAuth.config", text: "iMail's Outlook 365 OAuth file, DELEGATE (DELEGATED_USER) or APP (CLIENT_SECRET with SCOPE and ENDPOINT)." },
  { title: "IBM i office365.json / gmail.json", text: "The credential file CHGSMTPA OAUTH(...) points at: microsoft_app, or a Google service_account with its domain." },
  { title: "Google service-account key", text: "The JSON key downloaded from Google Cloud; you are asked for the Workspace domain and the user to impersonate." },
  { title: "iMail system properties", text: "A .properties file with imail.oauth.* / imail.smtp.* / icemail.*, or the -D list from QIBM_RPG_JAVA_PROPERTIES." },
  { title: "Console profile JSON", text: "A backup made with Export → Profile JSON, from this or another console." },
];

function WhatCanBeImported() {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 px-5 py-6 dark:border-slate-700" data-testid="import-empty">
      <h3 className="text-base font-semibold text-slate-900 dark:text-slate-100">Nothing checked yet</h3>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Paste or load one of these, then click Check:</p>
      <ul className="mt-3 grid gap-3 sm:grid-cols-2">
        {IMPORTABLE.map((x) => (
          <li key={x.title} className="text-sm">
            <span className="font-medium text-slate-900 dark:text-slate-100">{x.title}</span>
            <span className="block text-slate-600 dark:text-slate-400">{x.text}</span>
          </li>
        ))}
      </ul>
      <p className="mt-4 text-xs text-slate-500 dark:text-slate-400">Secrets in the file are stored encrypted, like any profile&apos;s. A file that fails any check is not imported at all.</p>
    </div>
  );
}
