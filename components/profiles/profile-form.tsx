"use client";
import { lazy, Suspense, useEffect, useRef, useState, type ChangeEvent } from "react";
import { useFormAction } from "@/components/ui/use-form-action";
import type { ActionResult } from "@/lib/action-result";
import type { FieldSpec, SectionSpec } from "@/lib/profiles/fields";
import { initialValue } from "@/lib/profiles/initial-value";
import { SECRET_LABELS, type ProfileKind, type SecretName } from "@/lib/profiles/kinds";
import { Button, ButtonLink } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field, describedBy, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { cn } from "@/components/ui/cn";
import { looksLikeSecretId } from "@/lib/doctor/secret-shapes";
import type { DraftCheckInput, DraftHint } from "@/lib/doctor/draft";
// The time zone picker (with IBM's QTIMZON table) in a chunk of its own: the form pages stay
// within 150 kB of first-load JavaScript; still server-rendered.
const TimeZoneInput = lazy(() => import("./time-zone-input").then((m) => ({ default: m.TimeZoneInput })));

type Props = {
  kind: ProfileKind;
  /** PROFILE_FORM[kind], passed by the page (as data, so the field catalogue of every kind stays out of the browser's JavaScript). */
  sections: SectionSpec[];
  action: (prev: ActionResult, form: FormData) => Promise<ActionResult>;
  /** The doctor's rules on the typed values (live validation); absent: no live checks. */
  check?: (input: DraftCheckInput) => Promise<DraftHint[]>;
  /** Stored settings when editing (no secrets). */
  settings?: Record<string, unknown>;
  secretsSet?: Partial<Record<SecretName, boolean>>;
  version?: number;
  submitLabel: string;
  cancelHref: string;
};

/**
 * The profile form for one kind, driven by lib/profiles/fields.ts. Submitted through a
 * transition rather than the form `action` prop, so a refused save (validation, stale version)
 * keeps everything the admin typed, secrets included — they never round-trip to the server.
 */
export function ProfileForm({ kind, sections, action, check, settings, secretsSet = {}, version, submitLabel, cancelHref }: Props) {
  const { state, pending, onSubmit } = useFormAction(action);
  const formRef = useRef<HTMLFormElement>(null);
  const { hints, onInput } = useLiveCheck(kind, formRef, secretsSet, check);
  const conditional = new Set(sections.flatMap((s) => s.fields.map((f) => f.showWhen?.field).filter((f): f is string => Boolean(f))));
  const [switches, setSwitches] = useState<Record<string, string>>(() => {
    const out: Record<string, string> = {};
    for (const s of sections) for (const f of s.fields) if (conditional.has(f.name)) out[f.name] = String(initialValue(settings, f.name, f.defaultValue));
    return out;
  });
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};

  useEffect(() => {
    if (state.status !== "error" || !formRef.current) return;
    const first = formRef.current.querySelector<HTMLElement>("[aria-invalid=true]");
    first?.focus();
  }, [state]);

  const visible = (f: FieldSpec) => !f.showWhen || f.showWhen.in.includes(switches[f.showWhen.field] ?? "");
  const errorFor = (f: FieldSpec) => (f.secret ? errors[`secrets.${f.secret}`] : errors[`settings.${f.name}`]);
  const fieldErrorCount = Object.keys(errors).length;

  return (
    <form
      ref={formRef}
      data-draft="profile"
      method="post"
      noValidate
      onSubmit={onSubmit}
      onInput={onInput}
      onChange={(e) => {
        const t = e.target as unknown as HTMLInputElement;
        if (conditional.has(t.name)) setSwitches((s) => ({ ...s, [t.name]: t.value }));
      }}
      className="space-y-6"
      aria-describedby="profile-form-status"
    >
      {version !== undefined && <input type="hidden" name="version" value={version} />}
      <div id="profile-form-status">
        <FormMessage state={state} />
        {fieldErrorCount > 1 && <p className="mt-2 text-sm text-rose-600 dark:text-rose-400">{fieldErrorCount} fields need attention.</p>}
      </div>
      {sections.map((section) => (
        <Card key={section.id}>
          <CardHeader title={section.title} description={section.description} id={`section-${section.id}`} />
          <CardBody>
            <div className="grid grid-cols-1 gap-x-6 gap-y-5 md:grid-cols-2">
              {section.fields.filter(visible).map((f) => (
                <FormField key={f.name} field={f} value={initialValue(settings, f.name, f.defaultValue)} isSet={f.secret ? Boolean(secretsSet[f.secret]) : false} editing={version !== undefined} error={errorFor(f)} hints={hints[f.secret ? `secrets.${f.secret}` : `settings.${f.name}`]} />
              ))}
            </div>
          </CardBody>
        </Card>
      ))}
      <div className="sticky bottom-0 -mx-1 flex items-center justify-end gap-3 border-t border-slate-200 bg-slate-50/95 px-1 py-3 backdrop-blur dark:border-slate-800 dark:bg-slate-950/95">
        <ButtonLink href={cancelHref} variant="ghost">
          Cancel
        </ButtonLink>
        <Button type="submit" pending={pending} pendingLabel="Saving…">
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

/** The doctor's findings on one field, shown under it while typing (before saving). */
function Hints({ id, hints }: { id: string; hints?: DraftHint[] }) {
  if (!hints?.length) return null;
  return (
    <ul id={`${id}-hint`} className="space-y-1" data-testid={`hint-${id}`}>
      {hints.map((h) => (
        <li key={h.ruleId + h.problem} className={cn("text-sm", h.severity === "error" ? "text-rose-700 dark:text-rose-400" : "text-amber-800 dark:text-amber-300")}>
          <strong className="font-medium">{h.title}.</strong> {h.problem} {h.fix}
        </li>
      ))}
    </ul>
  );
}

/**
 * Live validation: after a pause in typing, the non-secret values (and, for secrets, only
 * which are filled and whether the client secret is GUID-shaped) go to the doctor's rules on
 * the server; findings show on the fields the admin has touched.
 */
function useLiveCheck(kind: ProfileKind, formRef: React.RefObject<HTMLFormElement | null>, stored: Partial<Record<SecretName, boolean>>, check?: Props["check"]) {
  const [hints, setHints] = useState<Record<string, DraftHint[]>>({});
  const touched = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const seq = useRef(0);
  const onInput = (e: React.FormEvent<HTMLFormElement>) => {
    const name = (e.target as HTMLInputElement).name;
    if (!check || !name || name.startsWith("clear.")) return;
    touched.current.add(name.startsWith("secret.") ? `secrets.${name.slice(7)}` : `settings.${name}`);
    clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      const form = formRef.current;
      if (!form) return;
      const values: Record<string, string> = {};
      const secretsSet = new Set(Object.keys(stored).filter((k) => stored[k as SecretName]) as SecretName[]);
      let clientSecretLooksLikeSecretId = false;
      for (const [k, v] of new FormData(form)) {
        if (typeof v !== "string") continue;
        if (k.startsWith("secret.")) {
          if (v) secretsSet.add(k.slice(7) as SecretName);
          if (k === "secret.clientSecret") clientSecretLooksLikeSecretId = looksLikeSecretId(v);
        } else if (!k.startsWith("clear.") && k !== "version") values[k] = v;
      }
      const mine = ++seq.current;
      const found = await check({ kind, values, secretsSet: [...secretsSet], clientSecretLooksLikeSecretId }).catch(() => null);
      if (!found || mine !== seq.current) return;
      const next: Record<string, DraftHint[]> = {};
      for (const h of found) if (touched.current.has(h.field)) (next[h.field] ??= []).push(h);
      setHints(next);
    }, 400);
  };
  return { hints, onInput };
}

function FormField({ field: f, value, isSet, editing, error, hints }: { field: FieldSpec; value: string | boolean; isSet: boolean; editing: boolean; error?: string[]; hints?: DraftHint[] }) {
  const id = `f-${f.name}`;
  const invalid = Boolean(error?.length);
  const hinted = Boolean(hints?.length);
  const described = [describedBy(id, Boolean(f.help), invalid), hinted && `${id}-hint`].filter(Boolean).join(" ") || undefined;
  const aria = { "aria-invalid": invalid || undefined, "aria-describedby": described };
  const wide = f.type === "textarea" || f.type === "pem" || f.type === "secret-text" || f.name === "tokenUrl" || f.name === "graphEndpoint" || f.name === "scope";

  if (f.type === "checkbox") {
    return (
      <div className={cn("md:col-span-2", "space-y-1")}>
        <input type="hidden" name={f.name} value="false" />
        <label htmlFor={id} className="flex items-center gap-2 text-sm font-medium text-slate-800 dark:text-slate-200">
          <input id={id} type="checkbox" name={f.name} value="true" defaultChecked={value === true || value === "true"} className="h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500" {...aria} />
          {f.label}
        </label>
        {error?.length ? <p id={`${id}-error`} className="text-sm text-rose-600">{error.join(" ")}</p> : null}
        <Hints id={id} hints={hints} />
        {f.help && <p id={`${id}-help`} className="pl-6 text-xs text-slate-500 dark:text-slate-400">{f.help}</p>}
      </div>
    );
  }

  if (f.secret) {
    const name = `secret.${f.secret}`;
    const status = isSet ? "set" : "not set";
    const aside = editing ? (
      <span className={cn("text-xs", isSet ? "text-emerald-700 dark:text-emerald-400" : "text-slate-500")} data-testid={`secret-status-${f.secret}`}>
        {SECRET_LABELS[f.secret]}: {status}
      </span>
    ) : undefined;
    const placeholder = isSet ? "•••••••• stored — leave blank to keep" : f.type === "secret-text" ? "Paste or upload" : "";
    return (
      <Field id={id} label={f.label} help={f.help} error={error} required={f.required} className={wide ? "md:col-span-2" : undefined} aside={aside}>
        {f.type === "secret-text" ? (
          <FileBackedTextarea id={id} name={name} placeholder={placeholder} accept={f.accept} aria={aria} />
        ) : (
          <input id={id} name={name} type="password" autoComplete="new-password" spellCheck={false} placeholder={placeholder} className={cn(inputClass, "font-mono")} {...aria} />
        )}
        <Hints id={id} hints={hints} />
        {isSet && (
          <label className="mt-1 inline-flex items-center gap-2 text-xs text-slate-600 dark:text-slate-400">
            <input type="checkbox" name={`clear.${f.secret}`} className="h-3.5 w-3.5 rounded border-slate-300" /> Clear the stored {SECRET_LABELS[f.secret].toLowerCase()}
          </label>
        )}
      </Field>
    );
  }

  const common = { id, name: f.name, defaultValue: String(value), placeholder: f.placeholder, ...aria };
  return (
    <Field id={id} label={f.label} help={f.help} error={error} required={f.required} className={wide ? "md:col-span-2" : undefined}>
      {f.type === "select" ? (
        <select {...common} className={inputClass}>
          {f.options?.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      ) : f.type === "textarea" ? (
        <textarea {...common} rows={2} className={inputClass} />
      ) : f.type === "timezone" ? (
        <Suspense fallback={<input {...common} type="text" spellCheck={false} className={cn(inputClass, "font-mono")} />}>
          <TimeZoneInput {...common} defaultValue={String(value)} />
        </Suspense>
      ) : f.type === "pem" ? (
        <FileBackedTextarea id={id} name={f.name} defaultValue={String(value)} placeholder="-----BEGIN CERTIFICATE-----" accept={f.accept} aria={aria} />
      ) : (
        <input {...common} type={f.type === "number" ? "number" : f.type === "date" ? "date" : f.type === "email" ? "email" : "text"} inputMode={f.type === "number" ? "numeric" : undefined} spellCheck={false} className={cn(inputClass, f.mono && "font-mono")} />
      )}
      <Hints id={id} hints={hints} />
    </Field>
  );
}

/** A textarea that can also be filled from a file (PEM, JSON key), read in the browser only. */
function FileBackedTextarea({ id, name, defaultValue, placeholder, accept, aria }: { id: string; name: string; defaultValue?: string; placeholder?: string; accept?: string; aria: Record<string, unknown> }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file || !ref.current) return;
    ref.current.value = await file.text();
    setFileName(file.name);
  };
  return (
    <div className="space-y-2">
      <textarea ref={ref} id={id} name={name} defaultValue={defaultValue} placeholder={placeholder} rows={5} spellCheck={false} autoComplete="off" className={cn(inputClass, "font-mono text-xs")} {...aria} />
      <div className="flex items-center gap-2 text-xs text-slate-500">
        <label className="cursor-pointer rounded border border-slate-300 px-2 py-1 text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800">
          Load from file…
          <input type="file" accept={accept} className="sr-only" onChange={onFile} aria-label={`Load ${id.replace(/^f-/, "")} from a file`} />
        </label>
        {fileName && <span>Loaded {fileName}</span>}
      </div>
    </div>
  );
}
