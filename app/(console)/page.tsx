import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/session";
import { countSelectedProfiles } from "@/lib/profiles/dal";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { StatTiles } from "@/components/dashboard/stat-tiles";
import { ProfilesCard } from "@/components/dashboard/profiles-card";
import { RecentActivityCard, RecentFailuresCard } from "@/components/dashboard/activity-cards";
import { MonitorLightsCard } from "@/components/monitor/dashboard/monitor-lights-card";
import { ExpiryCalendarCard } from "@/components/monitor/dashboard/expiry-calendar-card";
import { CanaryLatencyCard } from "@/components/monitor/dashboard/canary-latency-card";
import { ExchangeTimelineCard } from "@/components/monitor/dashboard/exchange-timeline-card";

export const metadata: Metadata = { title: "Dashboard" };

/**
 * The dashboard is a column of sections, one component each (components/dashboard/), each
 * fetching its own data. Add a section by adding one line here; two-up rows use DashboardRow,
 * whose columns never shrink below their content's minimum (min-w-0 cards, wrapping text).
 */
function DashboardRow({ children }: { children: React.ReactNode }) {
  return <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">{children}</div>;
}

export default async function DashboardPage() {
  const admin = await requireAdmin();
  const total = await countSelectedProfiles(admin, {});
  return (
    <>
      <PageHeader title="Dashboard" description="Health of every mail profile, and what happened lately." actions={<ButtonLink href="/profiles/new" variant="primary">New profile</ButtonLink>} />
      {total === 0 ? (
        <EmptyState title="Welcome — no profiles yet" action={<ButtonLink href="/profiles/new" variant="primary">Create a profile</ButtonLink>}>
          A profile holds one sender: its Azure or Google credentials (encrypted), its servers and IBM i settings. Create one, get a token, send a test mail, then export what your IBM i needs.
        </EmptyState>
      ) : (
        <div className="space-y-6">
          <StatTiles admin={admin} />
          <DashboardRow>
            <ProfilesCard admin={admin} />
            <RecentFailuresCard admin={admin} />
          </DashboardRow>
          <DashboardRow>
            <MonitorLightsCard admin={admin} />
            <ExpiryCalendarCard admin={admin} />
          </DashboardRow>
          <DashboardRow>
            <CanaryLatencyCard admin={admin} />
            <ExchangeTimelineCard admin={admin} />
          </DashboardRow>
          <RecentActivityCard admin={admin} />
        </div>
      )}
    </>
  );
}
