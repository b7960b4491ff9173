"use client";
import Link from "next/link";
import { useEffect, useState, useTransition } from "react";
import { loginHref } from "./drafts";

/** The idle warning with a live count, then the "session ended" notice. */
export default function IdleNotice({ deadline, idleMinutes, path, keepAlive, onRenewed }: { deadline: number; idleMinutes: number; path: string; keepAlive: () => Promise<void>; onRenewed: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  const [pending, startTransition] = useTransition();
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = Math.max(0, Math.round((deadline - now) / 1000));
  const button = "rounded-md bg-amber-800 px-3 py-1.5 font-medium text-white hover:bg-amber-900 disabled:opacity-60";
  return (
    <div role="alert" data-testid="idle-warning" className="fixed inset-x-3 bottom-3 z-50 mx-auto flex max-w-xl flex-wrap items-center justify-between gap-3 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 shadow-lg dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
      {left > 0 ? (
        <>
          <p>
            <strong>Session ending.</strong> You will be signed out in <span className="tabular-nums">{Math.floor(left / 60)}:{String(left % 60).padStart(2, "0")}</span> because of inactivity ({idleMinutes} min).
          </p>
          <button type="button" disabled={pending} className={button} onClick={() => startTransition(async () => { await keepAlive(); onRenewed(); })}>
            Stay signed in
          </button>
        </>
      ) : (
        <>
          <p>
            <strong>Session ended</strong> after {idleMinutes} min without activity. Sign in again to continue; a form you submit now is kept (secrets excepted).
          </p>
          <Link href={loginHref(path)} className={button}>
            Sign in again
          </Link>
        </>
      )}
    </div>
  );
}
