"use client";
import { lazy, Suspense, type ComponentProps } from "react";

/**
 * The send and IMAP test forms in chunks of their own (React.lazy, still server-rendered and
 * hydrated as soon as their chunk arrives): the profile page's first-load JavaScript stays small,
 * and the rest of the page (token panel, edit, export) becomes interactive without waiting for
 * them. React.lazy rather than next/dynamic, whose loader adds about 2.5 kB of its own.
 */
const SendTestForm = lazy(() => import("./send-test-form").then((m) => ({ default: m.SendTestForm })));
const ImapTestRunner = lazy(() => import("./imap-test-runner").then((m) => ({ default: m.ImapTestRunner })));

function Loading() {
  return <p className="text-sm text-slate-500 dark:text-slate-400">Loading…</p>;
}

export function SendTestFormLazy(props: ComponentProps<typeof SendTestForm>) {
  return (
    <Suspense fallback={<Loading />}>
      <SendTestForm {...props} />
    </Suspense>
  );
}

export function ImapTestRunnerLazy(props: ComponentProps<typeof ImapTestRunner>) {
  return (
    <Suspense fallback={<Loading />}>
      <ImapTestRunner {...props} />
    </Suspense>
  );
}
