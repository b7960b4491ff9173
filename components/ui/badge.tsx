import type { ReactNode } from "react";
import { cn } from "./cn";

export type Tone = "neutral" | "info" | "success" | "warning" | "danger" | "accent";
const tones: Record<Tone, string> = {
  neutral: "bg-slate-100 text-slate-700 ring-slate-300/60 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-700",
  info: "bg-sky-50 text-sky-800 ring-sky-300/60 dark:bg-sky-950 dark:text-sky-300 dark:ring-sky-800",
  success: "bg-emerald-50 text-emerald-800 ring-emerald-300/60 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800",
  warning: "bg-amber-50 text-amber-900 ring-amber-300/60 dark:bg-amber-950 dark:text-amber-300 dark:ring-amber-800",
  danger: "bg-rose-50 text-rose-800 ring-rose-300/60 dark:bg-rose-950 dark:text-rose-300 dark:ring-rose-800",
  accent: "bg-indigo-50 text-indigo-800 ring-indigo-300/60 dark:bg-indigo-950 dark:text-indigo-300 dark:ring-indigo-800",
};

export function Badge({ tone = "neutral", children, className, title }: { tone?: Tone; children: ReactNode; className?: string; title?: string }) {
  return (
    <span title={title} className={cn("inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", tones[tone], className)}>
      {children}
    </span>
  );
}
