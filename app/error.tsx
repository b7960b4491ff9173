"use client";

// Unexpected failures land here. The message shown is generic on purpose: raw error text can
// carry remote replies or paths; the digest lets an admin find the entry in the server log.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-3 px-6 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="max-w-md text-sm text-slate-600 dark:text-slate-400">
        The console hit an unexpected error. Nothing was half-saved. Try again; if it persists, check the server log{error.digest ? ` for reference ${error.digest}` : ""}.
      </p>
      <button onClick={reset} className="rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-indigo-500">Try again</button>
    </main>
  );
}
