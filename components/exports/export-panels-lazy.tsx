"use client";
import { lazy, Suspense, type ComponentProps } from "react";

/**
 * "Compare with the file on the target" and "Download all formats" in chunks of their own
 * (React.lazy: still server-rendered, hydrated when the chunk arrives), like the send test form,
 * so the Export page's first-load JavaScript stays within 150 kB gzip.
 */
const CompareForm = lazy(() => import("./compare-form").then((m) => ({ default: m.CompareForm })));
const AllFormatsForm = lazy(() => import("./all-formats-form").then((m) => ({ default: m.AllFormatsForm })));

const loading = <p className="text-sm text-slate-600 dark:text-slate-400">Loading…</p>;

export function CompareFormLazy(props: ComponentProps<typeof CompareForm>) {
  return (
    <Suspense fallback={loading}>
      <CompareForm {...props} />
    </Suspense>
  );
}

export function AllFormatsFormLazy(props: ComponentProps<typeof AllFormatsForm>) {
  return (
    <Suspense fallback={loading}>
      <AllFormatsForm {...props} />
    </Suspense>
  );
}
