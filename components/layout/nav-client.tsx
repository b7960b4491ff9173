"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";

const LINK = "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors";
const ACTIVE = "bg-indigo-50 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300";
const IDLE = "text-slate-700 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-slate-100";

/** A section link, marked as the current page for its path and the paths below it (except those of a `deeper` section link). */
export function NavLink({ href, deeper = [], children }: { href: string; deeper?: string[]; children: ReactNode }) {
  const pathname = usePathname();
  const under = (h: string) => pathname === h || pathname.startsWith(`${h}/`);
  const active = href === "/" ? pathname === "/" : under(href) && !deeper.some(under);
  return (
    <Link href={href} aria-current={active ? "page" : undefined} className={`${LINK} ${active ? ACTIVE : IDLE}`}>
      {children}
    </Link>
  );
}

/** Below 1024 px the links hide behind a Menu button; following a link closes the menu. */
export function NavMenu({ brand, openIcon, closeIcon, children }: { brand: ReactNode; openIcon: ReactNode; closeIcon: ReactNode; children: ReactNode }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const [shownFor, setShownFor] = useState(pathname);
  if (shownFor !== pathname) {
    setShownFor(pathname);
    setOpen(false);
  }
  return (
    <>
      <div className="flex items-center justify-between gap-3 lg:mb-6">
        {brand}
        <button
          type="button"
          className="inline-flex items-center gap-2 rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 lg:hidden dark:border-slate-700 dark:hover:bg-slate-800"
          aria-expanded={open}
          aria-controls="main-nav"
          onClick={() => setOpen(!open)}
          onKeyDown={(e) => e.key === "Escape" && setOpen(false)}
        >
          {open ? closeIcon : openIcon}
          Menu
        </button>
      </div>
      <div id="main-nav" className={`${open ? "block" : "hidden"} mt-3 lg:mt-0 lg:block`}>
        {children}
      </div>
    </>
  );
}
