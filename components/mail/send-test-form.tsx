"use client";
import { useEffect, useId, useRef, useState, useTransition, type ChangeEvent, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { DEFAULT_TEST_BODY, MAX_ATTACHMENTS, MAX_ATTACHMENTS_TOTAL_BYTES, formatBytes } from "@/lib/mail/message-limits";
import type { SendResult } from "@/lib/mail/send-test";
import { BROWSER_REQUEST_LIMIT_BYTES } from "@/lib/mail/test-events";
import { formatDuration } from "@/lib/format";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Field, describedBy, inputClass } from "@/components/ui/field";
import { runStreamedTest, type Refusal } from "./ndjson";
import { RefusedAlert } from "./result-parts";
import { ProgressSteps, type PlanStep, type ProgressItem } from "./progress-steps";
import { SendResultDetails, SendResultHeadline, SendResultNotes } from "./send-result";
import type { SendTransport } from "@/lib/mail/targets";

export const DEFAULT_SUBJECT = "Test from OAuth Mail Console";

/** A chosen file: sent as it is in a multipart upload (never read into a string in the page). */
type Attachment = { key: number; filename: string; contentType: string; size: number; file: File };
/** A file the admin chose that cannot go with this test: listed and blocking the send until removed, never dropped silently. */
type RefusedFile = { key: number; filename: string; size: number; reason: string };


type Run =
  | { phase: "idle" }
  | { phase: "running"; events: ProgressItem[]; startedAt: number }
  | { phase: "finished"; events: ProgressItem[]; result: SendResult }
  | { phase: "refused"; events: ProgressItem[]; error: Refusal };

export type SendTestFormProps = {
  profileId: string;
  transport: SendTransport;
  oauth: boolean;
  defaultFrom: string;
  fromHelp: string;
  /** The profile lacks the mailbox the test sends as (an import from iMail or IBM i): the From address must be given. */
  fromRequired?: boolean;
};

function planOf(transport: SendTransport, oauth: boolean): PlanStep[] {
  const prepare = { stage: "preparing", label: "Preparing the message" };
  const token = { stage: "token", label: "Getting a token" };
  if (transport === "log-only") return [prepare];
  if (transport === "graph") return [prepare, token, { stage: "sending", label: "Calling Graph sendMail" }];
  return [prepare, ...(oauth ? [token] : []), { stage: "connecting", label: "Connecting" }, { stage: "authenticating", label: "Authenticating" }, { stage: "sending", label: "Sending" }];
}

const CONTENT_TYPE = /^[\w.+-]+\/[\w.+-]+$/;

/** Attachments (raw bytes) that fit a browser request: multipart sends the bytes as they are, plus a little for the fields. */
const BROWSER_ATTACHMENT_BYTES = Math.min(MAX_ATTACHMENTS_TOTAL_BYTES, BROWSER_REQUEST_LIMIT_BYTES - 1024 * 1024);

function toAttachment(file: File, key: number): Attachment {
  return { key, filename: file.name, contentType: CONTENT_TYPE.test(file.type) ? file.type : "application/octet-stream", size: file.size, file };
}

/** The message as multipart/form-data: the route streams each file to a temp file (lib/mail/test-upload.ts). */
function formDataOf(fields: Record<string, string | boolean>, attachments: Attachment[]): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) if (value !== false) data.append(name, value === true ? "on" : value);
  for (const a of attachments) data.append("attachments", new Blob([a.file], { type: a.contentType }), a.filename);
  return data;
}

const checkboxClass = "h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900";

/**
 * The "Send test" form with live progress. The message goes to the streaming route handler as
 * multipart/form-data (the server streams the files to temp files, validates the fields with the
 * schema the CLI uses and answers field errors); progress lines are shown as they arrive, then
 * the result. Inputs are controlled, so nothing typed is lost after a send or a refusal; the
 * files are sent as they are, never read into the page.
 */
export function SendTestForm({ profileId, transport, oauth, defaultFrom, fromHelp, fromRequired }: SendTestFormProps) {
  const uid = useId();
  const ids = {
    to: `${uid}-to`,
    cc: `${uid}-cc`,
    bcc: `${uid}-bcc`,
    from: `${uid}-from`,
    subject: `${uid}-subject`,
    body: `${uid}-body`,
    html: `${uid}-html`,
    attachments: `${uid}-attachments`,
    readReceipt: `${uid}-read`,
    deliveryReceipt: `${uid}-delivery`,
  };
  const router = useRouter();
  const [, startRefresh] = useTransition();
  const formRef = useRef<HTMLFormElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const nextKey = useRef(1);

  const [to, setTo] = useState("");
  const [cc, setCc] = useState("");
  const [bcc, setBcc] = useState("");
  const [from, setFrom] = useState("");
  const [subject, setSubject] = useState(DEFAULT_SUBJECT);
  const [body, setBody] = useState(DEFAULT_TEST_BODY);
  const [html, setHtml] = useState(false);
  const [readReceipt, setReadReceipt] = useState(false);
  const [deliveryReceipt, setDeliveryReceipt] = useState(false);
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [refused, setRefused] = useState<RefusedFile[]>([]);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [run, setRun] = useState<Run>({ phase: "idle" });
  const [now, setNow] = useState(0);

  const running = run.phase === "running";
  const plan = planOf(transport, oauth);
  const totalBytes = attachments.reduce((n, a) => n + a.size, 0);

  // A ticking clock while the send runs (the server's progress lines carry their own times).
  useEffect(() => {
    if (run.phase !== "running") return;
    const timer = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(timer);
  }, [run.phase]);

  // Focus the first field in error once the errors are rendered and the fieldset is enabled again
  // (an effect after that commit; a timer or animation frame could run while it is still disabled).
  const [focusRequest, setFocusRequest] = useState(0);
  const focusFirstError = () => setFocusRequest((n) => n + 1);
  useEffect(() => {
    if (focusRequest) formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
  }, [focusRequest]);

  function onFiles(event: ChangeEvent<HTMLInputElement>) {
    const files = Array.from(event.target.files ?? []);
    event.target.value = "";
    if (files.length === 0) return;
    // A file that cannot go with the test is listed as refused and blocks "Send test" until it is
    // removed: the test never goes out without an attachment the admin chose (issue 11.5).
    const turnedDown: RefusedFile[] = [];
    let count = attachments.length;
    let total = totalBytes;
    const fitting: File[] = [];
    for (const f of files) {
      if (count >= MAX_ATTACHMENTS) {
        turnedDown.push({ key: nextKey.current++, filename: f.name, size: f.size, reason: `more than ${MAX_ATTACHMENTS} attachments` });
        continue;
      }
      if (total + f.size > BROWSER_ATTACHMENT_BYTES) {
        turnedDown.push({ key: nextKey.current++, filename: f.name, size: f.size, reason: `would take the attachments over ${formatBytes(BROWSER_ATTACHMENT_BYTES)}, the most a test from the browser can carry; the CLI takes larger files (send-test NAME --attach FILE)` });
        continue;
      }
      count++;
      total += f.size;
      fitting.push(f);
    }
    if (turnedDown.length) setRefused((prev) => [...prev, ...turnedDown]);
    const chosen = fitting.map((f) => toAttachment(f, nextKey.current++));
    setAttachments((prev) => [...prev, ...chosen]);
    setErrors((e) => ({ ...e, attachments: [] }));
  }

  function removeAttachment(key: number) {
    setAttachments((prev) => prev.filter((a) => a.key !== key));
    setRefused((prev) => prev.filter((a) => a.key !== key));
    setErrors((e) => ({ ...e, attachments: [] }));
    fileRef.current?.focus();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (running) return;
    const fields = { to, cc, bcc, from, subject, body, html, readReceipt, deliveryReceipt };
    // What the browser can tell without the schema: the server validates everything (the same
    // zod schema as the CLI) and answers field errors, shown on the fields below.
    const fieldErrors: Record<string, string[]> = {};
    if (!/[^\s,;]/.test(to)) fieldErrors.to = ["To: at least one address is required"];
    for (const r of refused) (fieldErrors.attachments ??= []).push(`${r.filename} (${formatBytes(r.size)}) cannot be attached: ${r.reason}. Remove it to send the test without it.`);
    if (new Blob([JSON.stringify(fields)]).size + totalBytes > BROWSER_REQUEST_LIMIT_BYTES) {
      (fieldErrors[attachments.length ? "attachments" : "body"] ??= []).push(`The message is larger than the ${formatBytes(BROWSER_REQUEST_LIMIT_BYTES)} a test from the browser can carry. Remove attachments or shorten the body; the CLI takes larger messages.`);
    }
    setErrors(fieldErrors);
    if (Object.keys(fieldErrors).length) {
      focusFirstError();
      return;
    }

    const before = run;
    const startedAt = Date.now();
    setNow(startedAt);
    setRun({ phase: "running", events: [], startedAt });
    const { events, result, refusal, fieldErrors: refusedFields } = await runStreamedTest<SendResult>(`/api/profiles/${encodeURIComponent(profileId)}/send-test`, formDataOf(fields, attachments), (list) => setRun({ phase: "running", events: list, startedAt }));
    if (refusedFields) {
      setErrors(refusedFields);
      focusFirstError();
      // Nothing was sent: the fields say what to fix, the last result stays as it was.
      if (refusal?.code === "invalid_input" && !events.length) {
        setRun(before);
        return;
      }
    }
    if (result) setRun({ phase: "finished", events, result });
    else setRun({ phase: "refused", events, error: refusal ?? { code: "no_result", message: "The console stopped answering before the result arrived.", hint: "The Logs page has the outcome of the send." } });
    // Status badge, health strip and recent activity of the page now include this send.
    if (result) startRefresh(() => router.refresh());
  }

  const err = (k: keyof typeof ids) => (errors[k]?.length ? errors[k] : undefined);
  const aria = (k: keyof typeof ids, hasHelp: boolean) => ({ "aria-invalid": Boolean(err(k)) || undefined, "aria-describedby": describedBy(ids[k], hasHelp, Boolean(err(k))) });
  const elapsed = run.phase === "running" ? Math.max(0, now - run.startedAt) : 0;

  return (
    <div className="@container">
      <div className="grid grid-cols-1 gap-6 @4xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <form ref={formRef} method="post" noValidate onSubmit={onSubmit} aria-label="Test message" className="space-y-5">
          <fieldset disabled={running} className="grid grid-cols-1 gap-x-5 gap-y-4 @xl:grid-cols-2">
            <legend className="sr-only">Test message</legend>
            <Field id={ids.to} label="To" required error={err("to")} help="One or more addresses, separated by commas." className="@xl:col-span-2">
              <input id={ids.to} type="text" inputMode="email" autoComplete="off" spellCheck={false} value={to} onChange={(e) => setTo(e.target.value)} placeholder="recipient@example.com" className={inputClass} aria-required="true" {...aria("to", true)} />
            </Field>
            <Field id={ids.cc} label="Cc" error={err("cc")}>
              <input id={ids.cc} type="text" inputMode="email" autoComplete="off" spellCheck={false} value={cc} onChange={(e) => setCc(e.target.value)} placeholder="optional" className={inputClass} {...aria("cc", false)} />
            </Field>
            <Field id={ids.bcc} label="Bcc" error={err("bcc")}>
              <input id={ids.bcc} type="text" inputMode="email" autoComplete="off" spellCheck={false} value={bcc} onChange={(e) => setBcc(e.target.value)} placeholder="optional" className={inputClass} {...aria("bcc", false)} />
            </Field>
            <Field id={ids.from} label="From" required={fromRequired} error={err("from")} help={`${defaultFrom ? `Empty: ${defaultFrom}. ` : ""}${fromHelp}`}>
              <input id={ids.from} type="email" autoComplete="off" spellCheck={false} value={from} onChange={(e) => setFrom(e.target.value)} placeholder={defaultFrom || "sender@example.com"} required={fromRequired} className={inputClass} {...aria("from", true)} />
            </Field>
            <Field id={ids.subject} label="Subject" error={err("subject")}>
              <input id={ids.subject} type="text" value={subject} onChange={(e) => setSubject(e.target.value)} className={inputClass} {...aria("subject", false)} />
            </Field>
            <Field id={ids.body} label="Body" error={err("body")} className="@xl:col-span-2">
              <textarea id={ids.body} rows={4} value={body} onChange={(e) => setBody(e.target.value)} className={cn(inputClass, html && "font-mono text-xs")} {...aria("body", false)} />
            </Field>
            <label htmlFor={ids.html} className="-mt-2 flex items-center gap-2 text-sm text-slate-800 @xl:col-span-2 dark:text-slate-200">
              <input id={ids.html} type="checkbox" checked={html} onChange={(e) => setHtml(e.target.checked)} className={checkboxClass} />
              Body is HTML
              <span className="text-xs text-slate-500 dark:text-slate-400">({transport === "graph" ? "contentType HTML" : "text/html with a plain-text alternative"})</span>
            </label>

            <Field
              id={ids.attachments}
              label="Attachments"
              error={err("attachments")}
              className="@xl:col-span-2"
              help={`Sent with the test as they are: at most ${MAX_ATTACHMENTS} files, ${formatBytes(BROWSER_ATTACHMENT_BYTES)} in total${transport === "graph" ? "; Graph sendMail takes under 3 MB in total" : ""}.`}
            >
              <input
                ref={fileRef}
                id={ids.attachments}
                type="file"
                multiple
                onChange={onFiles}
                className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-800 hover:file:bg-slate-50 dark:text-slate-300 dark:file:border-slate-700 dark:file:bg-slate-900 dark:file:text-slate-100 dark:hover:file:bg-slate-800"
                {...aria("attachments", true)}
              />
              {refused.length > 0 && (
                <ul className="divide-y divide-amber-100 rounded-md border border-amber-300 dark:divide-amber-900 dark:border-amber-800" aria-label="Files that cannot be attached">
                  {refused.map((r) => (
                    <li key={r.key} className="flex items-center justify-between gap-3 px-3 py-1.5 text-sm text-amber-800 dark:text-amber-300" data-testid="refused-attachment">
                      <span className="min-w-0">
                        {r.filename} <span className="text-xs">({formatBytes(r.size)}) — not attached: {r.reason}</span>
                      </span>
                      <Button type="button" variant="ghost" className="px-2 py-1 text-xs" onClick={() => removeAttachment(r.key)} aria-label={`Remove ${r.filename}`}>
                        Remove
                      </Button>
                    </li>
                  ))}
                </ul>
              )}
              {attachments.length > 0 && (
                <ul className="divide-y divide-slate-100 rounded-md border border-slate-200 dark:divide-slate-800 dark:border-slate-800" aria-label="Attached files">
                  {attachments.map((a) => (
                    <li key={a.key} className="flex items-center justify-between gap-3 px-3 py-1.5 text-sm">
                      <span className="min-w-0 truncate">
                        {a.filename} <span className="text-xs text-slate-500 dark:text-slate-400">({formatBytes(a.size)}, {a.contentType})</span>
                      </span>
                      <Button type="button" variant="ghost" className="px-2 py-1 text-xs" onClick={() => removeAttachment(a.key)} aria-label={`Remove ${a.filename}`}>
                        Remove
                      </Button>
                    </li>
                  ))}
                </ul>
              )}
            </Field>

            <div className="space-y-2 @xl:col-span-2" role="group" aria-label="Receipts">
              <label htmlFor={ids.readReceipt} className="flex items-start gap-2 text-sm text-slate-800 dark:text-slate-200">
                <input id={ids.readReceipt} type="checkbox" checked={readReceipt} onChange={(e) => setReadReceipt(e.target.checked)} className={cn(checkboxClass, "mt-0.5")} />
                <span>
                  Request a read receipt
                  <span className="block text-xs text-slate-500 dark:text-slate-400">{transport === "graph" ? "isReadReceiptRequested" : "Disposition-Notification-To header"}</span>
                </span>
              </label>
              <label htmlFor={ids.deliveryReceipt} className="flex items-start gap-2 text-sm text-slate-800 dark:text-slate-200">
                <input id={ids.deliveryReceipt} type="checkbox" checked={deliveryReceipt} onChange={(e) => setDeliveryReceipt(e.target.checked)} className={cn(checkboxClass, "mt-0.5")} />
                <span>
                  Request a delivery receipt
                  <span className="block text-xs text-slate-500 dark:text-slate-400">{transport === "graph" ? "isDeliveryReceiptRequested" : "DSN NOTIFY=SUCCESS,FAILURE when the server offers DSN"}</span>
                </span>
              </label>
            </div>
          </fieldset>

          <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-4 dark:border-slate-800">
            <Button type="submit" pending={running} pendingLabel="Sending…">
              Send test
            </Button>
            {running && (
              <span className="text-sm tabular-nums text-slate-500 dark:text-slate-400" aria-hidden="true">
                {formatDuration(elapsed)}
              </span>
            )}
            {!running && Object.keys(errors).some((k) => errors[k]?.length) && <span className="text-sm text-rose-600 dark:text-rose-400">Check the highlighted fields.</span>}
          </div>
        </form>

        <section aria-labelledby={`${uid}-outcome`} className="min-w-0 space-y-4">
          <h3 id={`${uid}-outcome`} className="text-sm font-semibold text-slate-900 dark:text-slate-100">
            Progress and result
          </h3>
          {run.phase === "idle" && <p className="rounded-md border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">Nothing sent yet. Each step and the server&apos;s answer appear here.</p>}
          {run.phase !== "idle" && <ProgressSteps plan={plan} events={run.events} status={run.phase === "running" ? "running" : run.phase === "finished" && run.result.ok ? "ok" : "failed"} label="Send progress" />}
          {/* Polite live region: announces the outcome once, when it arrives. */}
          <div aria-live="polite" aria-atomic="true">
            {run.phase === "finished" && <SendResultHeadline result={run.result} />}
            {run.phase === "refused" && <RefusedAlert error={run.error} />}
          </div>
          {run.phase === "finished" && <SendResultNotes result={run.result} />}
        </section>
      </div>
      {/* Full width: server replies, ids and the transcript need the room. */}
      {run.phase === "finished" && (
        <div className="mt-6 border-t border-slate-200 pt-5 dark:border-slate-800">
          <SendResultDetails result={run.result} profileId={profileId} />
        </div>
      )}
    </div>
  );
}
