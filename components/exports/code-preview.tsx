import { cn } from "@/components/ui/cn";

const COMMENT = /^\s*(#|\/\*|\/\/|!|REM\b)/;

/**
 * A monospace preview with line numbers (not selectable, hidden from screen readers) and long
 * lines wrapped under their number. Scrolls inside its own focusable region. Pure markup.
 */
export function CodePreview({ content, label, className, testId }: { content: string; label: string; className?: string; testId?: string }) {
  const lines = content.replace(/\n$/, "").split("\n");
  const width = String(lines.length).length;
  return (
    <div
      role="region"
      aria-label={label}
      tabIndex={0}
      data-testid={testId}
      className={cn(
        "max-h-[40rem] overflow-auto rounded-md border border-slate-200 bg-slate-50 py-3 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50 dark:border-slate-800 dark:bg-slate-950",
        className,
      )}
    >
      <pre className="font-mono text-[0.8rem] leading-5 text-slate-900 dark:text-slate-100">
        <code className="block">
          {lines.map((line, i) => (
            <span key={i} className="flex hover:bg-slate-100 dark:hover:bg-slate-900">
              <span aria-hidden="true" className="shrink-0 select-none border-r border-slate-200 pl-3 pr-3 text-right text-slate-400 dark:border-slate-800 dark:text-slate-600" style={{ width: `${width + 2.5}ch` }}>
                {i + 1}
              </span>
              <span className={cn("min-w-0 flex-1 whitespace-pre-wrap pl-3 pr-4 [overflow-wrap:anywhere]", COMMENT.test(line) && "text-slate-500 dark:text-slate-400")}>{line || " "}</span>
            </span>
          ))}
        </code>
      </pre>
    </div>
  );
}
