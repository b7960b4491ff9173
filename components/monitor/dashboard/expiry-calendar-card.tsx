import Link from "next/link";
import type { Actor } from "@/lib/auth/actor";
import { getExpiryCalendar } from "@/lib/monitor/service";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";

const KIND: Record<string, string> = { certificate: "certificate", "client-secret": "client secret", "service-account-key": "key rotation" };

/** Dashboard section: what expires (or is due for rotation) in the next 90 days, by month. */
export async function ExpiryCalendarCard({ admin }: { admin: Actor }) {
  const entries = await getExpiryCalendar(admin);
  const byMonth = new Map<string, typeof entries>();
  for (const e of entries) {
    const key = e.daysLeft <= 0 ? "Expired" : new Date(e.expiresAt).toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
    byMonth.set(key, [...(byMonth.get(key) ?? []), e]);
  }
  return (
    <Card className="min-w-0">
      <CardHeader title="Expiry calendar" description="Certificates, client secrets and service-account keys in the next 90 days. Warnings go out 30, 14, 7 and 1 days before." />
      <CardBody>
        {entries.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">Nothing expires in the next 90 days. Set the client secret&apos;s expiry date on each profile so it is watched.</p>
        ) : (
          <div className="space-y-4" data-testid="expiry-calendar">
            {[...byMonth].map(([month, items]) => (
              <section key={month}>
                <h3 className="text-xs font-semibold uppercase text-slate-500">{month}</h3>
                <ul className="mt-1 divide-y divide-slate-100 dark:divide-slate-800">
                  {items.map((e) => (
                    <li key={`${e.profileId}-${e.key}`} className="flex flex-wrap items-baseline justify-between gap-2 py-1.5 text-sm">
                      <span className="min-w-0">
                        <time dateTime={e.expiresAt} className="mr-2 font-mono text-xs">{e.expiresAt.slice(0, 10)}</time>
                        <Link href={`/profiles/${e.profileId}`} className="text-indigo-700 underline underline-offset-2 dark:text-indigo-300">{e.profileName}</Link> · {KIND[e.kind] ?? e.kind}
                      </span>
                      <Badge tone={e.daysLeft <= 0 ? "danger" : e.daysLeft <= 7 ? "danger" : e.daysLeft <= 30 ? "warning" : "neutral"}>
                        {e.daysLeft <= 0 ? (e.hard ? "expired" : "rotation overdue") : `${e.daysLeft} day${e.daysLeft === 1 ? "" : "s"}`}
                      </Badge>
                    </li>
                  ))}
                </ul>
              </section>
            ))}
          </div>
        )}
      </CardBody>
    </Card>
  );
}
