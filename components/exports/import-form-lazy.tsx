"use client";
import { lazy, Suspense, type ComponentProps } from "react";

/**
 * The import form in a chunk of its own (React.lazy, still server-rendered and hydrated when
 * its chunk arrives), like the send test form: the Import page's first-load JavaScript stays
 * within 150 kB gzip.
 */
const ImportForm = lazy(() => import("./import-form").then((m) => ({ default: m.ImportForm })));

export function ImportFormLazy(props: ComponentProps<typeof ImportForm>) {
  return (
    <Suspense fallback={<p className="text-sm text-slate-600 dark:text-slate-400">Loading…</p>}>
      <ImportForm {...props} />
    </Suspense>
  );
}
