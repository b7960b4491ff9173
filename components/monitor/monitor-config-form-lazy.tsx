"use client";
import { lazy, Suspense, type ComponentProps } from "react";

/**
 * The monitoring form in a chunk of its own (React.lazy, still server-rendered), like the send
 * and IMAP forms (components/mail/lazy-panels.tsx): the profile page's first-load JavaScript
 * stays within 150 kB gzip.
 */
const MonitorConfigForm = lazy(() => import("./monitor-config-form").then((m) => ({ default: m.MonitorConfigForm })));

export function MonitorConfigFormLazy(props: ComponentProps<typeof MonitorConfigForm>) {
  return (
    <Suspense fallback={<p className="text-sm text-slate-600 dark:text-slate-400">Loading…</p>}>
      <MonitorConfigForm {...props} />
    </Suspense>
  );
}
