import Link from "next/link";
import { cn } from "./cn";

/** Previous/next links that keep the other query parameters. */
export function Pagination({ page, pageSize, total, basePath, params }: { page: number; pageSize: number; total: number; basePath: string; params: Record<string, string | undefined> }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const href = (p: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    if (p > 1) q.set("page", String(p));
    const s = q.toString();
    return s ? `${basePath}?${s}` : basePath;
  };
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  const link = "rounded-md border border-slate-300 px-3 py-1.5 text-sm dark:border-slate-700";
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between gap-4 pt-4 text-sm text-slate-600 dark:text-slate-400">
      <span>
        {from}–{to} of {total}
      </span>
      <div className="flex gap-2">
        {page > 1 ? <Link className={cn(link, "hover:bg-slate-100 dark:hover:bg-slate-800")} href={href(page - 1)}>Previous</Link> : <span className={cn(link, "opacity-40")} aria-disabled="true">Previous</span>}
        <span className="px-2 py-1.5">
          Page {page} of {pages}
        </span>
        {page < pages ? <Link className={cn(link, "hover:bg-slate-100 dark:hover:bg-slate-800")} href={href(page + 1)}>Next</Link> : <span className={cn(link, "opacity-40")} aria-disabled="true">Next</span>}
      </div>
    </nav>
  );
}
