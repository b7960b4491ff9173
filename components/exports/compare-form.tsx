"use client";
import { useId, useRef, useState, type ChangeEvent } from "react";
import type { ActionResult } from "@/lib/action-result";
import type { CompareRow, CompareStatus } from "@/lib/export/compare";
import type { ProfileComparison } from "@/lib/export/compare-service";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Field, describedBy, inputClass } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";

type Props = {
  action: (prev: ActionResult<ProfileComparison>, form: FormData) => Promise<ActionResult<ProfileComparison>>;
  format: string;
  formatLabel: string;
};

const STATUS: Record<CompareStatus, { label: string; row: string; badge: string }> = {
  same: { label: "same", row: "", badge: "text-slate-500 dark:text-slate-400" },
  changed: { label: "different", row: "bg-amber-50 dark:bg-amber-950/40", badge: "text-amber-800 dark:text-amber-300" },
  missing: { label: "missing", row: "bg-rose-50 dark:bg-rose-950/40", badge: "text-rose-700 dark:text-rose-300" },
  extra: { label: "extra", row: "bg-sky-50 dark:bg-sky-950/40", badge: "text-sky-800 dark:text-sky-300" },
  ignored: { label: "ignored", row: "text-slate-500", badge: "text-slate-500 dark:text-slate-400" },
};

/**
 * "Compare with the file on the target": paste (or load) the file that is on the IBM i / in iMail
 * today; the server compares it with this export the way the target reads it and names each
 * difference. Secret fields come back only as "same" / "differs".
 */
export function CompareForm({ action, format, formatLabel }: Props) {
  const uid = useId();
  const { state, pending, onSubmit } = useFormAction(action);
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const [loaded, setLoaded] = useState<string | null>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  const textId = `${uid}-text`;
  const result = state.status === "success" ? state.data : undefined;

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file || !textRef.current) return;
    textRef.current.value = await file.text();
    setLoaded(file.name);
  };

  const rows = result ? result.rows.filter((r) => !onlyDifferences || r.status === "changed" || r.status === "missing" || r.status === "extra") : [];
  const differences = result ? result.rows.filter((r) => r.message && r.status !== "same") : [];

  return (
    <div className="space-y-4">
      <form method="post" onSubmit={onSubmit} noValidate className="space-y-3">
        <input type="hidden" name="format" value={format} />
        <Field id={textId} label={`The ${formatLabel} on the target today`} error={errors.text ?? errors.format} help="Paste it or load it from a file. It is compared on the server and not stored; secrets in it are never shown back or logged — secret fields say only “same” or “differs”.">
          <textarea ref={textRef} id={textId} name="text" rows={8} spellCheck={false} autoComplete="off" className={cn(inputClass, "font-mono text-xs")} aria-invalid={errors.text ? true : undefined} aria-describedby={describedBy(textId, true, Boolean(errors.text ?? errors.format))} />
        </Field>
        <div className="flex flex-wrap items-center gap-2">
          <Button type="submit" pending={pending} disabled={pending} pendingLabel="Comparing…">
            Compare
          </Button>
          <label className="cursor-pointer rounded-md border border-slate-300 px-3 py-1.5 text-sm text-slate-700 focus-within:ring-2 focus-within:ring-indigo-500/50 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800">
            Load from file…
            <input type="file" className="sr-only" onChange={onFile} aria-label={`Load the ${formatLabel} from a file`} />
          </label>
          {loaded && <span className="text-xs text-slate-500">Loaded {loaded}</span>}
        </div>
      </form>
      <div aria-live="polite" aria-atomic="true">
        {state.status === "error" && !errors.text && (
          <Alert tone="danger" role="alert" title={state.message}>
            {state.hint}
          </Alert>
        )}
        {result && (
          <Alert tone={result.identical ? "success" : "warning"} role="status" title={state.status === "success" ? state.message : undefined}>
            <span data-testid="compare-summary">
              {result.counts.changed} different, {result.counts.missing} missing, {result.counts.extra} extra, {result.counts.same} the same
              {result.counts.ignored ? `, ${result.counts.ignored} not compared` : ""}.
            </span>
            {differences.length > 0 && (
              <ul className="mt-2 list-disc space-y-1 pl-5" data-testid="compare-differences">
                {differences.map((r, i) => (
                  <li key={i} className="[overflow-wrap:anywhere]">
                    {r.message}
                  </li>
                ))}
              </ul>
            )}
            <span className="mt-2 block text-xs">Ignored, as the target ignores them: {result.ignored.join("; ")}.</span>
          </Alert>
        )}
      </div>
      {result && (
        <div className="space-y-2">
          <label className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-300">
            <input type="checkbox" checked={onlyDifferences} onChange={(e) => setOnlyDifferences(e.target.checked)} className="h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500" />
            Show only differences
          </label>
          <div role="region" aria-label={`Differences between the export and the pasted ${formatLabel}`} tabIndex={0} className="max-h-[36rem] overflow-auto rounded-md border border-slate-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50 dark:border-slate-800" data-testid="compare-table">
            <table className="w-full border-collapse font-mono text-xs">
              <thead className="sticky top-0 bg-slate-100 text-left font-sans text-slate-700 dark:bg-slate-900 dark:text-slate-300">
                <tr>
                  <th scope="col" className="px-2 py-1.5 font-medium">Key / status</th>
                  <th scope="col" className="px-2 py-1.5 font-medium">Export ({result.filename})</th>
                  <th scope="col" className="px-2 py-1.5 font-medium">On the target (pasted)</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  <DiffRow key={i} row={r} />
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </div>
  );
}

function Side({ side }: { side: CompareRow["expected"] }) {
  if (!side.length) return <span className="font-sans text-slate-500">—</span>;
  return (
    <>
      {side.map((l) => (
        <span key={l.line} className="flex gap-2">
          <span aria-hidden="true" className="w-8 shrink-0 select-none text-right text-slate-500">
            {l.line}
          </span>
          <span className="min-w-0 whitespace-pre-wrap [overflow-wrap:anywhere]">{l.text || " "}</span>
        </span>
      ))}
    </>
  );
}

function DiffRow({ row }: { row: CompareRow }) {
  const s = STATUS[row.status];
  return (
    <tr className={cn("border-t border-slate-200 align-top dark:border-slate-800", s.row)} data-status={row.status} data-key={row.key}>
      <th scope="row" className="whitespace-nowrap px-2 py-1 text-left font-sans font-normal">
        {row.key && <span className={cn("block font-mono", row.status !== "same" && "font-semibold")}>{row.key}</span>}
        <span className={cn("text-xs", s.badge)}>
          {s.label}
          {row.secret ? " (secret)" : ""}
        </span>
      </th>
      <td className="min-w-[12rem] px-2 py-1">
        <Side side={row.expected} />
      </td>
      <td className="min-w-[12rem] px-2 py-1">
        <Side side={row.actual} />
      </td>
    </tr>
  );
}
