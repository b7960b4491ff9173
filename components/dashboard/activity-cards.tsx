import Link from "next/link";
import type { Actor } from "@/lib/auth/actor";
import { listActivity } from "@/lib/activity/dal";
import { formatRelative } from "@/lib/format";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ActivityList } from "@/components/logs/activity-list";

/** Dashboard section: the latest failures from the log (any profile, any action). */
export async function RecentFailuresCard({ admin, limit = 5 }: { admin: Actor; limit?: number }) {
  const failures = await listActivity(admin, { outcome: "failure", pageSize: limit });
  return (
    <Card className="min-w-0">
      <CardHeader
        title="Recent failures"
        description={failures.total ? `${failures.total} in the log` : undefined}
        actions={<Link href="/logs?outcome=failure" className="text-sm text-indigo-700 hover:underline dark:text-indigo-400">All failures</Link>}
      />
      <CardBody>{failures.items.length ? <ActivityList items={failures.items} /> : <p className="text-sm text-slate-600 dark:text-slate-400">No failures recorded.</p>}</CardBody>
    </Card>
  );
}

/** Dashboard section: the latest log entries. */
export async function RecentActivityCard({ admin, limit = 8 }: { admin: Actor; limit?: number }) {
  const recent = await listActivity(admin, { pageSize: limit });
  return (
    <Card className="min-w-0">
      <CardHeader title="Recent activity" description={recent.items[0] ? `last ${formatRelative(recent.items[0].at)}` : undefined} actions={<Link href="/logs" className="text-sm text-indigo-700 hover:underline dark:text-indigo-400">Logs</Link>} />
      <CardBody>{recent.items.length ? <ActivityList items={recent.items} /> : <p className="text-sm text-slate-600 dark:text-slate-400">Nothing yet.</p>}</CardBody>
    </Card>
  );
}
