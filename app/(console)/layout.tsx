import type { ReactNode } from "react";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { Logo } from "@/components/layout/logo";
import { Nav } from "@/components/layout/nav";
import { SubmitButton } from "@/components/ui/submit-button";
import { signOutAction } from "./actions";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const admin = await requireAdmin();
  return (
    <div className="min-h-screen lg:grid lg:grid-cols-[15rem_1fr]">
      <aside className="border-b border-slate-200 bg-white px-3 py-4 dark:border-slate-800 dark:bg-slate-900 lg:sticky lg:top-0 lg:h-screen lg:border-b-0 lg:border-r">
        <Link href="/" className="mb-6 hidden items-center gap-2 px-3 lg:flex">
          <Logo />
          <span className="text-sm font-semibold leading-tight">OAuth Mail<br />Console</span>
        </Link>
        <Nav />
      </aside>
      <div className="min-w-0">
        <header className="flex items-center justify-end gap-4 border-b border-slate-200 bg-white/80 px-6 py-3 backdrop-blur dark:border-slate-800 dark:bg-slate-900/80">
          <span className="text-sm text-slate-600 dark:text-slate-400">
            Signed in as <strong className="font-medium text-slate-900 dark:text-slate-100" data-testid="current-admin">{admin.username}</strong>
          </span>
          <form action={signOutAction}>
            <SubmitButton variant="secondary" pendingLabel="Signing out…" className="px-3 py-1.5">
              Sign out
            </SubmitButton>
          </form>
        </header>
        <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
      </div>
    </div>
  );
}
