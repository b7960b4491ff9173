import Link from "next/link";
import type { Actor } from "@/lib/auth/actor";
import { countProfiles } from "@/lib/profiles/dal";
import { profileListHref } from "@/lib/profiles/list-query";

function Tile({ label, value, tone, href }: { label: string; value: number; tone: string; href: string }) {
  return (
    <Link href={href} className="block min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm transition hover:border-indigo-300 dark:border-slate-800 dark:bg-slate-900">
      <span className="block text-sm text-slate-600 dark:text-slate-400">{label}</span>
      <span className={`mt-1 block text-3xl font-semibold tabular-nums ${tone}`}>{value}</span>
    </Link>
  );
}

/** Dashboard section: profile counts per status; each tile opens the profile list filtered to it. */
export async function StatTiles({ admin }: { admin: Actor }) {
  const counts = await countProfiles(admin);
  const by = (s: string) => counts.byStatus[s] ?? 0;
  return (
    <section aria-label="Profile counts" className="grid grid-cols-2 gap-4 md:grid-cols-4">
      <Tile label="Profiles" value={counts.total} tone="text-slate-900 dark:text-white" href="/profiles" />
      <Tile label="Working" value={by("ok")} tone="text-emerald-700 dark:text-emerald-400" href={profileListHref({ status: "ok" })} />
      <Tile label="Failing or need re-authorization" value={by("failing") + by("needs-reauth")} tone="text-rose-700 dark:text-rose-400" href={profileListHref({ status: "problems" })} />
      <Tile label="Untested" value={by("untested")} tone="text-slate-600 dark:text-slate-300" href={profileListHref({ status: "untested" })} />
    </section>
  );
}
