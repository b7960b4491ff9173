"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/action-result";
import type { BulkExportData } from "@/lib/export/results";
import type { ProfileKind } from "@/lib/profiles/kinds";
import { BULK_OPERATION_LABELS, bulkSummaryLine, type BulkItemResult, type BulkOperation, type BulkRunResult, type BulkStreamEvent } from "@/lib/profiles/bulk-types";
import type { StreamErrorEvent } from "@/lib/http/wire";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";
import { BulkExportForm } from "@/components/exports/bulk-export-form";
import { postNdjson } from "@/components/mail/ndjson";

/**
 * The bulk panel of the profile list (loaded on demand): live progress per profile from
 * POST /api/profiles/bulk (NDJSON, 4 profiles at a time on the server), then the summary with
 * every failure's decoded reason and a link to the profile; the delete confirmation (the count,
 * typed for more than one); the export form (one ZIP, secrets only with the password).
 */

export type BulkPanelOperation = BulkOperation | "export";
export type BulkExportFormat = { id: string; label: string; description: string; kinds: readonly ProfileKind[] };
type Selection = { ids: string[] } | { filter: { q?: string; kind?: ProfileKind; status?: string } };

export type BulkPanelProps = {
  operation: BulkPanelOperation;
  selection: Selection;
  count: number;
  /** Names of the ticked profiles (empty for "all matching"). */
  names: string[];
  kindCounts: Partial<Record<ProfileKind, number>>;
  formats: BulkExportFormat[];
  exportAction: (prev: ActionResult<BulkExportData>, form: FormData) => Promise<ActionResult<BulkExportData>>;
  onClose: () => void;
  /** After a delete ran: the ticked profiles are gone. */
  onDeleted: () => void;
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function BulkPanel(props: BulkPanelProps) {
  // What was selected when the panel opened: the run covers exactly that, whatever the list does meanwhile.
  const [snap] = useState(() => ({ selection: props.selection, count: props.count, names: props.names, kindCounts: props.kindCounts }));
  const uid = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // Test and refresh start as the panel opens; delete once its dialog is confirmed.
  const [busy, setBusy] = useState(props.operation !== "delete" && props.operation !== "export");
  const title = props.operation === "export" ? "Export" : BULK_OPERATION_LABELS[props.operation].title;

  // Keyboard and screen-reader users land on the panel when it opens (delete: once the dialog is confirmed).
  useEffect(() => {
    if (props.operation !== "delete" || busy) heading.current?.focus();
  }, [props.operation, busy]);

  return (
    <section aria-labelledby={`${uid}-title`} data-testid="bulk-panel" className="space-y-4 border-t border-slate-200 bg-slate-50 px-4 py-4 first:border-t-0 dark:border-slate-800 dark:bg-slate-950/40">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 ref={heading} tabIndex={-1} id={`${uid}-title`} className="text-base font-semibold text-slate-900 dark:text-slate-100">
            {title}: {plural(snap.count, "profile")}
          </h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
            {props.operation === "export"
              ? "One ZIP with a folder per profile, in the format you choose. Placeholders stand in for secrets unless you include them with your password."
              : BULK_OPERATION_LABELS[props.operation].what}
          </p>
        </div>
        <Button type="button" variant="secondary" onClick={props.onClose} disabled={busy} className="px-3 py-1.5">
          Close
        </Button>
      </div>
      {props.operation === "export" ? (
        <BulkExportForm
          action={props.exportAction}
          selected={snap.count}
          selection={"ids" in snap.selection ? { ids: snap.selection.ids.join(",") } : { q: snap.selection.filter.q, kind: snap.selection.filter.kind, status: snap.selection.filter.status }}
          formats={props.formats.map((f) => ({ id: f.id, label: f.label, description: f.description, count: f.kinds.reduce((n, k) => n + (snap.kindCounts[k] ?? 0), 0) }))}
        />
      ) : (
        <BulkRun operation={props.operation} selection={snap.selection} count={snap.count} names={snap.names} onClose={props.onClose} onDeleted={props.onDeleted} onBusy={setBusy} />
      )}
    </section>
  );
}

type Run =
  | { phase: "confirm" }
  | { phase: "running"; total: number; items: BulkItemResult[] }
  | { phase: "done"; total: number; items: BulkItemResult[]; result: BulkRunResult }
  | { phase: "refused"; total: number; items: BulkItemResult[]; message: string; hint?: string };

function BulkRun({ operation, selection, count, names, onClose, onDeleted, onBusy }: { operation: BulkOperation; selection: Selection; count: number; names: string[]; onClose: () => void; onDeleted: () => void; onBusy: (busy: boolean) => void }) {
  const router = useRouter();
  const [, startRefresh] = useTransition();
  const [run, setRun] = useState<Run>(operation === "delete" ? { phase: "confirm" } : { phase: "running", total: count, items: [] });
  const started = useRef(false);
  const label = BULK_OPERATION_LABELS[operation];

  async function start(confirmCount?: number) {
    if (started.current) return;
    started.current = true;
    let total = count;
    const items: BulkItemResult[] = [];
    let result: BulkRunResult | undefined;
    let refusal: { message: string; hint?: string } | undefined;
    const outcome = await postNdjson<BulkStreamEvent | StreamErrorEvent>("/api/profiles/bulk", { operation, selection, ...(confirmCount ? { confirmCount } : {}) }, (e) => {
      if (e.type === "start") total = e.total;
      else if (e.type === "item") {
        const { type: _type, ...item } = e;
        items.push(item);
      } else if (e.type === "done") {
        const { type: _type, ...rest } = e;
        result = rest;
      } else refusal = { message: e.message, hint: e.hint };
      if (!result && !refusal) setRun({ phase: "running", total, items: [...items] });
    });
    if (outcome.kind === "refused") refusal = { message: outcome.error.message, hint: outcome.error.hint };
    else if (outcome.kind === "network" && !result) refusal = { message: outcome.message };
    onBusy(false);
    if (result) setRun({ phase: "done", total, items, result });
    else setRun({ phase: "refused", total, items, message: refusal?.message ?? "The console stopped answering before the run finished.", hint: refusal?.hint ?? "The Logs page has the outcome of every profile." });
    if (operation === "delete" && items.some((i) => i.status === "ok")) onDeleted();
    // Statuses (and, after a delete, the list itself) changed.
    startRefresh(() => router.refresh());
  }

  useEffect(() => {
    // Test and refresh run as the panel opens (once: `start` guards against a second call); the
    // stream's events update the list from then on.
    if (operation !== "delete") queueMicrotask(() => void start());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (run.phase === "confirm") {
    return (
      <DeleteConfirm
        count={count}
        names={names}
        onCancel={onClose}
        onConfirm={() => {
          onBusy(true);
          setRun({ phase: "running", total: count, items: [] });
          void start(count);
        }}
      />
    );
  }

  const done = run.items.length;
  return (
    <div className="space-y-3">
      <div className="space-y-1.5">
        <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
          <span className="font-medium text-slate-800 dark:text-slate-200">
            {run.phase === "running" ? `${label.verb}… ` : ""}
            <span data-testid="bulk-done-count">{done} of {run.total}</span> done
          </span>
          {operation === "test" && <span className="text-xs text-slate-600 dark:text-slate-400">Token check only — no mail is sent.</span>}
        </div>
        <progress max={Math.max(run.total, 1)} value={done} aria-label={`${label.title}: ${done} of ${run.total} done`} className="h-2 w-full overflow-hidden rounded-full accent-indigo-600 [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-indigo-600 dark:[&::-webkit-progress-bar]:bg-slate-700 dark:[&::-webkit-progress-value]:bg-indigo-400" />
      </div>
      {run.items.length > 0 && (
        <ol aria-label="Progress per profile" data-testid="bulk-progress" tabIndex={0} className="max-h-80 divide-y divide-slate-200 overflow-y-auto rounded-md border border-slate-200 bg-white text-sm dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
          {run.items.map((i) => (
            <li key={i.profileId} data-status={i.status} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 px-3 py-2">
              <ItemBadge status={i.status} />
              <ProfileName item={i} deleted={operation === "delete" && i.status === "ok"} />
              <span className="min-w-0 flex-1 basis-48 text-slate-600 [overflow-wrap:anywhere] dark:text-slate-400">{i.message}</span>
            </li>
          ))}
        </ol>
      )}
      <div aria-live="polite" aria-atomic="true">
        {run.phase === "done" && <Summary operation={operation} result={run.result} />}
        {run.phase === "refused" && (
          <Alert tone="danger" role="alert" title={run.message}>
            {run.hint}
          </Alert>
        )}
      </div>
    </div>
  );
}

function ItemBadge({ status }: { status: BulkItemResult["status"] }) {
  if (status === "ok") return <Badge tone="success">OK</Badge>;
  if (status === "failed") return <Badge tone="danger">Failed</Badge>;
  return <Badge tone="neutral">Skipped</Badge>;
}

function ProfileName({ item, deleted }: { item: BulkItemResult; deleted: boolean }) {
  if (deleted) return <span className="font-medium text-slate-900 [overflow-wrap:anywhere] dark:text-slate-100">{item.profileName}</span>;
  return (
    <Link href={`/profiles/${item.profileId}`} className="font-medium text-indigo-700 [overflow-wrap:anywhere] hover:underline dark:text-indigo-300">
      {item.profileName}
    </Link>
  );
}

function Summary({ operation, result }: { operation: BulkOperation; result: BulkRunResult }) {
  const failures = result.results.filter((r) => r.status === "failed");
  const { summary } = result;
  return (
    <Alert tone={summary.failed ? "danger" : summary.ok ? "success" : "warning"} role="status" title={`${BULK_OPERATION_LABELS[operation].title} finished: ${bulkSummaryLine(summary)}`}>
      <div data-testid="bulk-summary">
        {failures.length > 0 && (
          <>
            <p className="font-medium">{failures.length === 1 ? "One profile failed:" : `${failures.length} profiles failed:`}</p>
            <ul className="mt-1 space-y-2">
              {failures.map((f) => (
                <li key={f.profileId} className="[overflow-wrap:anywhere]">
                  <Link href={`/profiles/${f.profileId}`} className="font-medium underline">
                    {f.profileName}
                  </Link>
                  : {f.message}
                  {f.hint && <span className="block text-xs opacity-90">What to do: {f.hint}</span>}
                </li>
              ))}
            </ul>
          </>
        )}
        {summary.skipped > 0 && <p className="mt-2">Skipped: {result.results.filter((r) => r.status === "skipped").map((r) => r.profileName).join(", ")} — {result.results.find((r) => r.status === "skipped")?.message}</p>}
        <p className="mt-2 text-xs">Each step is in the activity log (Logs, action “profile.bulk-{operation}”).</p>
      </div>
    </Alert>
  );
}

/** The delete confirmation: names the count; more than one profile needs the count typed. */
function DeleteConfirm({ count, names, onCancel, onConfirm }: { count: number; names: string[]; onCancel: () => void; onConfirm: () => void }) {
  const uid = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState("");
  const needsTyping = count > 1;
  const ok = !needsTyping || typed.trim() === String(count);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  const shown = names.slice(0, 8);
  return (
    <dialog
      ref={ref}
      aria-labelledby={`${uid}-title`}
      onCancel={onCancel}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <form
        method="dialog"
        className="space-y-4 p-5"
        onSubmit={(e) => {
          e.preventDefault();
          if (!ok) return;
          ref.current?.close();
          onConfirm();
        }}
      >
        <h2 id={`${uid}-title`} className="text-lg font-semibold">
          Delete {plural(count, "profile")}?
        </h2>
        {shown.length > 0 ? (
          <ul className="list-disc space-y-0.5 pl-5 text-sm [overflow-wrap:anywhere]">
            {shown.map((n) => (
              <li key={n}>{n}</li>
            ))}
            {names.length > shown.length && <li>and {names.length - shown.length} more</li>}
          </ul>
        ) : (
          <p className="text-sm">All {count} profiles matching the list&apos;s search, kind and status.</p>
        )}
        <p className="text-sm text-slate-600 dark:text-slate-400">Each profile, its encrypted secrets and its cached tokens are deleted. Activity log entries stay. This cannot be undone.</p>
        {needsTyping && (
          <Field id={`${uid}-confirm`} label={<>Type <span className="font-mono">{count}</span> to confirm</>}>
            <input id={`${uid}-confirm`} inputMode="numeric" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} className={`${inputClass} max-w-32`} />
          </Field>
        )}
        <div className="flex flex-wrap justify-end gap-2">
          <Button
            type="button"
            variant="ghost"
            onClick={() => {
              ref.current?.close();
              onCancel();
            }}
          >
            Cancel
          </Button>
          <Button type="submit" variant="danger" disabled={!ok}>
            Delete {plural(count, "profile")}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
