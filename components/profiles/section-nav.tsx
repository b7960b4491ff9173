import Link from "next/link";

export type SectionLink = { id: string; label: string; href?: string };

/**
 * The profile page's sticky section nav: Overview · Test · Token · Doctor · Setup · Exports ·
 * Activity. Plain anchors (deep links: /profiles/<id>#doctor), no JavaScript; scrolls sideways
 * inside itself on narrow screens.
 */
export function SectionNav({ sections }: { sections: SectionLink[] }) {
  return (
    <nav aria-label="Profile sections" className="sticky top-0 z-20 -mx-4 mb-6 border-b border-slate-200 bg-slate-50/95 px-4 backdrop-blur sm:-mx-6 sm:px-6 dark:border-slate-800 dark:bg-slate-950/95">
      <ul className="flex gap-1 overflow-x-auto py-2 text-sm">
        {sections.map((s) => (
          <li key={s.id} className="shrink-0">
            <Link href={s.href ?? `#${s.id}`} className="block rounded-md px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-200/70 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white">
              {s.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
