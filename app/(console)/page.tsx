import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { countProfiles, listProfiles } from "@/lib/profiles/dal";
import { listActivity } from "@/lib/activity/dal";
import { formatRelative } from "@/lib/format";
import { ButtonLink } from "@/components/ui/button";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { KindBadge, StatusBadge } from "@/components/profiles/badges";
import { ActivityList } from "@/components/logs/activity-list";
import { getProfileHealth } from "@/lib/activity/health";
import { HealthStrip } from "@/components/mail/health-strip";

export const metadata: Metadata = { title: "Dashboard" };

function Stat({ label, value, tone, href }: { label: string; value: number; tone: string; href: string }) {
  return (
    <Link href={href} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm transition hover:border-indigo-300 dark:border-slate-800 dark:bg-slate-900">
      <p className="text-sm text-slate-500 dark:text-slate-400">{label}</p>
      <p className={`mt-1 text-3xl font-semibold tabular-nums ${tone}`}>{value}</p>
    </Link>
  );
}

export default async function DashboardPage() {
  const admin = await requireAdmin();
  const [counts, profiles, recent, failures] = await Promise.all([
    countProfiles(admin),
    listProfiles(admin, { pageSize: 12 }),
    listActivity(admin, { pageSize: 8 }),
    listActivity(admin, { outcome: "failure", pageSize: 5 }),
  ]);
  const health = await getProfileHealth(admin, profiles.items.map((p) => p.id));
  const by = (s: string) => counts.byStatus[s] ?? 0;
  return (
    <>
      <PageHeader title="Dashboard" description="Health of every mail profile, and what happened lately." actions={<ButtonLink href="/profiles/new" variant="primary">New profile</ButtonLink>} />
      {counts.total === 0 ? (
        <EmptyState title="Welcome — no profiles yet" action={<ButtonLink href="/profiles/new" variant="primary">Create a profile</ButtonLink>}>
          A profile holds one sender: its Azure or Google credentials (encrypted), its servers and IBM i settings. Create one, get a token, send a test mail, then export what your IBM i needs.
        </EmptyState>
      ) : (
        <div className="space-y-6">
          <div className="grid grid-cols-2 gap-4 md:grid-cols-4">
            <Stat label="Profiles" value={counts.total} tone="text-slate-900 dark:text-white" href="/profiles" />
            <Stat label="Working" value={by("ok")} tone="text-emerald-600" href="/profiles" />
            <Stat label="Failing or need re-authorization" value={by("failing") + by("needs-reauth")} tone="text-rose-600" href="/profiles" />
            <Stat label="Untested" value={by("untested")} tone="text-slate-500" href="/profiles" />
          </div>
          <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
            <Card>
              <CardHeader title="Profiles" actions={<Link href="/profiles" className="text-sm text-indigo-600 hover:underline dark:text-indigo-400">All profiles</Link>} />
              <CardBody>
                <ul className="divide-y divide-slate-100 dark:divide-slate-800">
                  {profiles.items.map((p) => (
                    <li key={p.id} className="py-2 text-sm">
                      <div className="flex items-center justify-between gap-3">
                        <span className="min-w-0">
                          <Link href={`/profiles/${p.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">{p.name}</Link>
                          <span className="ml-2 font-mono text-xs text-slate-500">{p.account}</span>
                        </span>
                        <span className="flex shrink-0 items-center gap-2">
                          <KindBadge kind={p.kind} />
                          <StatusBadge status={p.status} detail={p.statusDetail} />
                        </span>
                      </div>
                      <HealthStrip className="mt-1.5" health={health[p.id]} href={`/logs?profile=${p.id}`} />
                    </li>
                  ))}
                </ul>
              </CardBody>
            </Card>
            <Card>
              <CardHeader title="Recent failures" description={failures.total ? `${failures.total} in the log` : undefined} actions={<Link href="/logs?outcome=failure" className="text-sm text-indigo-600 hover:underline dark:text-indigo-400">All failures</Link>} />
              <CardBody>{failures.items.length ? <ActivityList items={failures.items} /> : <p className="text-sm text-slate-500">No failures recorded.</p>}</CardBody>
            </Card>
          </div>
          <Card>
            <CardHeader title="Recent activity" description={recent.items[0] ? `last ${formatRelative(recent.items[0].at)}` : undefined} actions={<Link href="/logs" className="text-sm text-indigo-600 hover:underline dark:text-indigo-400">Logs</Link>} />
            <CardBody>{recent.items.length ? <ActivityList items={recent.items} /> : <p className="text-sm text-slate-500">Nothing yet.</p>}</CardBody>
          </Card>
        </div>
      )}
    </>
  );
}
