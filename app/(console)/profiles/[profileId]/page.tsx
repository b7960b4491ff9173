import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireAdmin } from "@/lib/auth/session";
import { findProfile } from "@/lib/profiles/dal";
import { listActivity } from "@/lib/activity/dal";
import { KIND_LABELS } from "@/lib/profiles/schema";
import { formatDateTime } from "@/lib/format";
import { describeExchangeBasicAuth } from "@/lib/mail/exchange-basic-auth";
import { ButtonLink } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { SectionNav } from "@/components/profiles/section-nav";
import { getProfileDiagnosis } from "@/lib/setup-guide/service";
import { Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { Alert } from "@/components/ui/alert";
import { KindBadge, StatusBadge } from "@/components/profiles/badges";
import { SettingsView } from "@/components/profiles/settings-view";
import { CertificateCard } from "@/components/profiles/certificate-card";
import { DeleteProfileButton, DuplicateButton } from "@/components/profiles/profile-actions";
import { ActivityList } from "@/components/logs/activity-list";
import { TokenPanel } from "@/components/tokens/token-panel";
import { DoctorPanel } from "@/components/doctor/doctor-panel";
import { getProfileHealth } from "@/lib/activity/health";
import { HealthStrip } from "@/components/mail/health-strip";
import { SendTestPanel } from "@/components/mail/send-test-panel";
import { ImapTestPanel } from "@/components/mail/imap-test-panel";
import { SetupGuide } from "@/components/setup-guide/setup-guide";
import { ProfileMonitorSection } from "@/components/monitor/profile-monitor-section";
import { configureMonitoringAction, runChecksAction } from "@/app/(console)/monitoring/actions";
import { deleteProfileAction, duplicateProfileAction } from "../actions";
import { acknowledgeFindingAction, checkSetupStepAction, unacknowledgeFindingAction } from "./actions";
import { acquireTokenAction, authorizeAction, clearTokenAction, revealTokenAction } from "@/app/(console)/tokens/actions";

const TOKEN_ACTIONS = { acquire: acquireTokenAction, clear: clearTokenAction, reveal: revealTokenAction, authorize: authorizeAction };

export const metadata: Metadata = { title: "Profile" };


export default async function ProfilePage({ params, searchParams }: { params: Promise<{ profileId: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const admin = await requireAdmin();
  const { profileId } = await params;
  const sp = await searchParams;
  const profile = await findProfile(admin, profileId);
  if (!profile) notFound();
  const [activity, health, diagnosis] = await Promise.all([listActivity(admin, { profileId, pageSize: 10 }), getProfileHealth(admin, [profileId]), getProfileDiagnosis(admin, profileId)]);
  const now = new Date();
  const open = diagnosis.findings.filter((f) => !f.acknowledged);
  const doctorErrors = open.filter((f) => f.severity === "error").length;
  const doctorWarnings = open.filter((f) => f.severity === "warning").length;
  const hasTokens = profile.kind !== "smtp-basic" && profile.kind !== "log-only";

  return (
    <>
      <PageHeader
        breadcrumb={<Link href="/profiles" className="hover:underline">Profiles</Link>}
        title={profile.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <KindBadge kind={profile.kind} />
            <StatusBadge health={profile.health} />
            <Link href="#doctor" className="rounded-full focus-visible:outline-2" data-testid="doctor-verdict">
              {doctorErrors ? <Badge tone="danger">Doctor: {doctorErrors} to fix</Badge> : doctorWarnings ? <Badge tone="warning">Doctor: {doctorWarnings} to review</Badge> : <Badge tone="success">Doctor: healthy</Badge>}
            </Link>
            <HealthStrip health={health[profile.id]} href={`/logs?profile=${profile.id}`} />
            <span>{KIND_LABELS[profile.kind]}</span>
            <span className="text-slate-400">·</span>
            <span>version {profile.version}, updated {formatDateTime(profile.updatedAt)} by {profile.updatedBy}</span>
          </span>
        }
        actions={
          <>
            <ButtonLink href="#send-test" variant="primary">Send test</ButtonLink>
            <ButtonLink href={`/profiles/${profile.id}/edit`}>Edit</ButtonLink>
            <ButtonLink href={`/profiles/${profile.id}/export`}>Export</ButtonLink>
            <DuplicateButton action={duplicateProfileAction.bind(null, profile.id)} />
            <DeleteProfileButton name={profile.name} action={deleteProfileAction.bind(null, profile.id)} />
          </>
        }
      />
      <SectionNav
        sections={[
          { id: "overview", label: "Overview" },
          { id: "send-test", label: "Test" },
          ...(hasTokens ? [{ id: "token-panel", label: "Token" }] : []),
          { id: "doctor", label: "Doctor" },
          { id: "setup-guide", label: "Setup" },
          { id: "exports", label: "Exports", href: `/profiles/${profile.id}/export` },
          { id: "activity", label: "Activity" },
        ]}
      />
      <div className="space-y-6">
        {sp.created && <Alert tone="success" role="status">Profile created. Secrets are stored encrypted and will not be shown again.</Alert>}
        {sp.saved && <Alert tone="success" role="status">Changes saved.</Alert>}
        {profile.kind === "smtp-basic" && (
          <Alert tone={describeExchangeBasicAuth(now).phase === "off-by-default" ? "danger" : "warning"} title={describeExchangeBasicAuth(now).headline}>
            {describeExchangeBasicAuth(now).detail} Keep this profile for other servers.
          </Alert>
        )}
        <TokenPanel profile={profile} actions={TOKEN_ACTIONS} searchParams={sp} />
        <Card>
          <CardHeader id="overview" title="Configuration" description="Secrets are write-only: set or not set." />
          <CardBody>
            <SettingsView profile={profile} />
          </CardBody>
        </Card>
        {profile.certificate && <CertificateCard cert={profile.certificate} now={now} />}
        <SendTestPanel profile={profile} />
        <ImapTestPanel profile={profile} />
        <DoctorPanel profileId={profile.id} actions={{ acknowledge: acknowledgeFindingAction.bind(null, profile.id), unacknowledge: unacknowledgeFindingAction.bind(null, profile.id) }} />
        <ProfileMonitorSection admin={admin} profile={profile} actions={{ configure: configureMonitoringAction.bind(null, profile.id), run: runChecksAction }} />
        <SetupGuide profileId={profile.id} checkAction={checkSetupStepAction.bind(null, profile.id)} />
        <Card>
          <CardHeader id="activity" title="Recent activity" actions={<Link href={`/logs?profile=${profile.id}`} className="text-sm text-indigo-600 hover:underline dark:text-indigo-400">All activity</Link>} />
          <CardBody>{activity.items.length ? <ActivityList items={activity.items} showProfile={false} /> : <p className="text-sm text-slate-500 dark:text-slate-400">Nothing yet.</p>}</CardBody>
        </Card>
      </div>
    </>
  );
}
