"use client";
import { useId, useState } from "react";
import { cn } from "@/components/ui/cn";

const COMMENT = /^\s*(#|\/\*|\/\/|!|REM\b)/;

/**
 * A monospace preview with line numbers (not selectable, hidden from screen readers, pinned while
 * scrolling sideways). Lines keep their layout by default — IMCFG1 sheets and CL source are
 * column-aligned — and "Wrap long lines" folds them under their number instead. Scrolls inside
 * its own focusable region.
 */
export function CodePreview({ content, label, className, testId }: { content: string; label: string; className?: string; testId?: string }) {
  const [wrap, setWrap] = useState(false);
  const wrapId = useId();
  const lines = content.replace(/\n$/, "").split("\n");
  const width = `${String(lines.length).length + 2.5}ch`;
  return (
    <div className={cn("space-y-1.5", className)}>
      <div className="flex items-center justify-between gap-3 text-xs text-slate-500 dark:text-slate-400">
        <span>
          {lines.length} {lines.length === 1 ? "line" : "lines"}
        </span>
        <label htmlFor={wrapId} className="flex cursor-pointer items-center gap-1.5">
          <input id={wrapId} type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} className="h-3.5 w-3.5 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500" />
          Wrap long lines
        </label>
      </div>
      <div
        role="region"
        aria-label={label}
        tabIndex={0}
        data-testid={testId}
        className="max-h-[40rem] overflow-auto rounded-md border border-slate-200 bg-slate-50 py-3 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50 dark:border-slate-800 dark:bg-slate-950"
      >
        <pre className="font-mono text-[0.8rem] leading-5 text-slate-900 dark:text-slate-100">
          <code className={cn("block", !wrap && "w-max min-w-full")}>
            {lines.map((line, i) => (
              <span key={i} className="group flex">
                <span
                  aria-hidden="true"
                  className="sticky left-0 shrink-0 select-none border-r border-slate-200 bg-slate-50 pl-3 pr-3 text-right text-slate-500 group-hover:bg-slate-100 dark:border-slate-800 dark:bg-slate-950 dark:text-slate-400 dark:group-hover:bg-slate-900"
                  style={{ width, minWidth: width }}
                >
                  {i + 1}
                </span>
                <span
                  className={cn(
                    "min-w-0 flex-1 pl-3 pr-4 group-hover:bg-slate-100 dark:group-hover:bg-slate-900",
                    wrap ? "whitespace-pre-wrap [overflow-wrap:anywhere]" : "whitespace-pre",
                    COMMENT.test(line) && "text-slate-500 dark:text-slate-400",
                  )}
                >
                  {line || " "}
                </span>
              </span>
            ))}
          </code>
        </pre>
      </div>
    </div>
  );
}
