"use client";
import { usePathname } from "next/navigation";
import { Suspense, lazy, useEffect, useRef, useState } from "react";
import { DRAFT_PREFIX } from "./session-keys";

// Loaded only when needed, so every page's first load stays small.
const IdleNotice = lazy(() => import("./idle-notice"));

/**
 * The console's side of the idle timeout and of the session end:
 *  - a warning before the server's idle limit (counted from this tab's last request: page load,
 *    navigation, form submission), with "Stay signed in", then "Sign in again" back to this page;
 *  - drafts: a form marked data-draft keeps its non-secret fields in sessionStorage when it is
 *    submitted; if the submission met an ended session (the admin was sent to /login and signed
 *    in again), the fields are restored on return (components/layout/drafts.ts).
 */
export function SessionKeeper({ idleMinutes, keepAlive }: { idleMinutes: number; keepAlive: () => Promise<void> }) {
  const pathname = usePathname();
  const [contact, setContact] = useState(0);
  const [warning, setWarning] = useState<{ key: string; deadline: number } | null>(null);
  const [restored, setRestored] = useState<{ path: string; secrets: string[] } | null>(null);
  const previousPath = useRef(pathname);
  const key = `${pathname}#${contact}`;

  // A navigation is a request that renews the session; the draft of a page left normally is stale.
  useEffect(() => {
    if (previousPath.current !== pathname) {
      sessionStorage.removeItem(DRAFT_PREFIX + previousPath.current);
      previousPath.current = pathname;
    }
    if (!sessionStorage.getItem(DRAFT_PREFIX + pathname)) return;
    let live = true;
    void import("./drafts").then(async (m) => {
      const secrets = await m.restoreFromStorage(pathname);
      if (live && secrets) setRestored({ path: pathname, secrets });
    });
    return () => {
      live = false;
    };
  }, [pathname]);

  useEffect(() => {
    const onSubmit = (e: SubmitEvent) => {
      setContact((c) => c + 1);
      const form = e.target;
      if (form instanceof HTMLFormElement && form.dataset.draft) void import("./drafts").then((m) => m.saveDraft(pathname, form));
    };
    document.addEventListener("submit", onSubmit, true);
    return () => document.removeEventListener("submit", onSubmit, true);
  }, [pathname]);

  // Restarted by every navigation and submission. The server renews its "last seen" at most
  // once a minute: count a minute short to be safe.
  useEffect(() => {
    const deadline = Date.now() + (idleMinutes - 1) * 60_000;
    const warnMs = Math.min(300, Math.max(60, idleMinutes * 15)) * 1000;
    const t = setTimeout(() => setWarning({ key, deadline }), Math.max(0, deadline - warnMs - Date.now()));
    return () => clearTimeout(t);
  }, [key, idleMinutes]);

  return (
    <>
      {restored?.path === pathname && (
        <div role="status" className="mb-4 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900 dark:border-sky-900 dark:bg-sky-950/60 dark:text-sky-200">
          <p className="font-semibold">Your session had ended; what you typed is back.</p>
          <p className="mt-1">
            Check it and submit again.{restored.secrets.length > 0 && ` Secrets are never kept in the browser: type ${restored.secrets.join(", ")} again.`}
          </p>
        </div>
      )}
      {warning?.key === key && (
        <Suspense>
          <IdleNotice deadline={warning.deadline} idleMinutes={idleMinutes} path={pathname} keepAlive={keepAlive} onRenewed={() => setContact((c) => c + 1)} />
        </Suspense>
      )}
    </>
  );
}
