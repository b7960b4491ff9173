import type { ReactNode } from "react";
import Link from "next/link";
import { cookies } from "next/headers";
import { requireAdmin } from "@/lib/auth/session";
import { getEnv } from "@/lib/env";
import { Logo } from "@/components/layout/logo";
import { Nav } from "@/components/layout/nav";
import { SessionKeeper } from "@/components/layout/session-keeper";
import { ThemeToggle } from "@/components/layout/theme-toggle";
import { THEME_COOKIE, parseTheme } from "@/components/layout/theme";
import { buttonClass } from "@/components/ui/button";
import { keepAliveAction, setThemeAction, signOutAction } from "./actions";

/**
 * The console's shell: sidebar navigation (a Menu button below 1024 px), the signed-in admin,
 * theme and sign-out, and the session keeper (idle warning, drafts across a session end).
 * Sections are listed once, in components/layout/nav.tsx.
 */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const admin = await requireAdmin();
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <div className="min-h-screen lg:grid lg:grid-cols-[15rem_minmax(0,1fr)]">
      <a href="#main" className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-indigo-700 focus:not-sr-only focus:fixed focus:left-3 focus:top-3 dark:bg-slate-900 dark:text-indigo-300">
        Skip to content
      </a>
      <aside className="border-b border-slate-200 bg-white px-3 py-3 dark:border-slate-800 dark:bg-slate-900 lg:sticky lg:top-0 lg:h-screen lg:overflow-y-auto lg:border-b-0 lg:border-r lg:py-4">
        <Nav
          brand={
            <Link href="/" className="flex items-center gap-2 px-3">
              <Logo />
              <span className="text-sm font-semibold leading-tight">OAuth Mail<br className="hidden lg:inline" /> Console</span>
            </Link>
          }
        />
      </aside>
      <div className="min-w-0">
        <header className="flex flex-wrap items-center justify-end gap-x-4 gap-y-2 border-b border-slate-200 bg-white/80 px-4 py-2.5 backdrop-blur sm:px-6 dark:border-slate-800 dark:bg-slate-900/80">
          <span className="min-w-0 truncate text-sm text-slate-600 dark:text-slate-400">
            Signed in as <strong className="font-medium text-slate-900 dark:text-slate-100" data-testid="current-admin">{admin.username}</strong>
          </span>
          <ThemeToggle current={theme} action={setThemeAction} />
          <form action={signOutAction}>
            {/* A plain button: signing out needs no JavaScript. */}
            <button type="submit" className={buttonClass("secondary", "px-3 py-1.5")}>
              Sign out
            </button>
          </form>
        </header>
        <main id="main" tabIndex={-1} className="mx-auto max-w-6xl px-4 py-6 outline-none sm:px-6 sm:py-8">
          <SessionKeeper idleMinutes={getEnv().SESSION_IDLE_MINUTES} keepAlive={keepAliveAction} />
          {children}
        </main>
      </div>
    </div>
  );
}
