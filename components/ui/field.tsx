import type { ReactNode } from "react";
import { cn } from "./cn";

export const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 disabled:bg-slate-100 aria-[invalid=true]:border-rose-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-500";

/** Label, control, help text and error, wired together for screen readers. */
export function Field({ id, label, help, error, required, children, className, aside }: { id: string; label: ReactNode; help?: ReactNode; error?: string[] | string; required?: boolean; children: ReactNode; className?: string; aside?: ReactNode }) {
  const errors = typeof error === "string" ? [error] : error;
  return (
    <div className={cn("space-y-1.5", className)}>
      <div className="flex items-baseline justify-between gap-2">
        <span className="flex items-baseline gap-0.5">
          <label htmlFor={id} className="block text-sm font-medium text-slate-800 dark:text-slate-200">
            {label}
          </label>
          {/* Outside the label, so the field's name stays exactly its label text. */}
          {required && <span className="text-sm text-rose-600" aria-hidden="true" title="required">*</span>}
        </span>
        {aside}
      </div>
      {children}
      {errors?.length ? (
        <p id={`${id}-error`} className="text-sm text-rose-600 dark:text-rose-400">
          {errors.join(" ")}
        </p>
      ) : null}
      {help ? (
        <p id={`${id}-help`} className="text-xs leading-relaxed text-slate-500 dark:text-slate-400">
          {help}
        </p>
      ) : null}
    </div>
  );
}

export function describedBy(id: string, hasHelp: boolean, hasError: boolean): string | undefined {
  const ids = [hasError && `${id}-error`, hasHelp && `${id}-help`].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}
