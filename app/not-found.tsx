import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-3 px-6 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">That page or profile does not exist (it may have been deleted).</p>
      <Link href="/" className="text-sm text-indigo-600 hover:underline dark:text-indigo-400">Back to the dashboard</Link>
    </main>
  );
}
