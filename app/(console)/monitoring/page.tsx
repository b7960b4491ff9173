import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { listChannels } from "@/lib/monitor/alerts";
import { listCheckResults } from "@/lib/monitor/service";
import { getMonitorScheduler } from "@/lib/monitor/scheduler";
import { listProfiles } from "@/lib/profiles/dal";
import { getConsoleSettings } from "@/lib/settings/dal";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { ActionButton } from "@/components/monitor/action-button";
import { CheckTable } from "@/components/monitor/check-table";
import { ChannelForm } from "@/components/monitor/channel-form";
import { ChannelList } from "@/components/monitor/channel-list";
import { addChannelAction, deleteChannelAction, runChecksAction, testChannelAction } from "./actions";

export const metadata: Metadata = { title: "Monitoring" };

export default async function MonitoringPage() {
  const admin = await requireAdmin();
  const [checks, channels, profiles, settings] = await Promise.all([listCheckResults(admin), listChannels(admin), listProfiles(admin, { pageSize: 500 }), getConsoleSettings()]);
  const scheduler = getMonitorScheduler();
  const senders = profiles.items.filter((p) => p.kind !== "log-only").map((p) => ({ id: p.id, name: p.name }));
  return (
    <>
      <PageHeader
        title="Monitoring"
        description={
          <>
            Scheduled checks run by this server {scheduler?.isRunning ? "(scheduler running)" : "(scheduler is off in this process: MONITOR_SCHEDULER=off, or not started)"}: token health every 6 hours by default
            (authorization-code profiles at least weekly, so their refresh tokens never lapse), expiry daily, canaries when enabled on a profile. A failing check alerts once, again every {settings.alertReminderHours} h while it
            fails, and once when it recovers; an undecided result (an outage at the identity provider) never alerts.
          </>
        }
        actions={
          <>
            <ButtonLink href="/monitoring/alerts">Alert history</ButtonLink>
            <ActionButton action={runChecksAction} fields={{}} label="Run all checks now" pendingLabel="Running all checks…" variant="primary" />
          </>
        }
      />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Checks" description="The last result of every check. Per-profile settings (token interval, canary) are on each profile's page." />
          <CardBody>{checks.length ? <CheckTable checks={checks} runAction={runChecksAction} /> : <EmptyState title="No checks yet">Checks are created for every profile. <Link href="/profiles/new" className="text-indigo-700 underline">Create a profile</Link>.</EmptyState>}</CardBody>
        </Card>
        <Card>
          <CardHeader title="Alert channels" description="Where alerts go. A channel that fails is retried with backoff (1, 5, 15, 60, 240 minutes) and shown on the dashboard." />
          <CardBody className="space-y-6">
            <ChannelList channels={channels} testAction={testChannelAction} deleteAction={deleteChannelAction} />
            <div className="border-t border-slate-200 pt-5 dark:border-slate-800">
              <h3 className="mb-3 text-sm font-semibold">Add a channel</h3>
              <ChannelForm action={addChannelAction} profiles={senders} />
            </div>
          </CardBody>
        </Card>
      </div>
    </>
  );
}
