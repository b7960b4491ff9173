import Link from "next/link";
import type { Actor } from "@/lib/auth/actor";
import { listProfiles } from "@/lib/profiles/dal";
import { getProfileHealth } from "@/lib/activity/health";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { KindBadge, StatusBadge } from "@/components/profiles/badges";
import { HealthStrip } from "@/components/mail/health-strip";

/**
 * Dashboard section: the profiles that need attention first (failures first, then untested,
 * then working), each with its health strip. Long names and mailboxes wrap or truncate inside
 * their own line; they never run into each other.
 */
export async function ProfilesCard({ admin, limit = 12 }: { admin: Actor; limit?: number }) {
  const profiles = await listProfiles(admin, { pageSize: limit, sort: "status" });
  const health = await getProfileHealth(admin, profiles.items.map((p) => p.id));
  return (
    <Card className="min-w-0">
      <CardHeader
        title="Profiles"
        description={profiles.total > profiles.items.length ? `Failures first · ${profiles.items.length} of ${profiles.total}` : "Failures first"}
        actions={<Link href="/profiles" className="text-sm text-indigo-700 hover:underline dark:text-indigo-400">All profiles</Link>}
      />
      <CardBody>
        <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="dashboard-profiles">
          {profiles.items.map((p) => (
            <li key={p.id} className="py-2 text-sm">
              <div className="flex flex-wrap items-start justify-between gap-x-3 gap-y-1">
                <div className="min-w-0 flex-1 basis-48">
                  <Link href={`/profiles/${p.id}`} className="block break-words font-medium text-indigo-700 hover:underline dark:text-indigo-300" data-testid="dashboard-profile-name">{p.name}</Link>
                  <span className="block truncate font-mono text-xs text-slate-600 dark:text-slate-400" title={p.account} data-testid="dashboard-profile-account">{p.account}</span>
                </div>
                <span className="flex shrink-0 items-center gap-2">
                  <KindBadge kind={p.kind} />
                  <StatusBadge health={p.health} />
                </span>
              </div>
              <HealthStrip className="mt-1.5" health={health[p.id]} href={`/logs?profile=${p.id}`} />
            </li>
          ))}
        </ul>
      </CardBody>
    </Card>
  );
}
