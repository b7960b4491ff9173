import type { ActionResult } from "@/lib/action-result";
import type { Actor } from "@/lib/auth/actor";
import { imapTargetOf } from "@/lib/mail/targets";
import { getProfileMonitoring } from "@/lib/monitor/service";
import { iterateProfiles, type ProfileDto } from "@/lib/profiles/dal";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CheckTable } from "./check-table";
import { MonitorConfigFormLazy as MonitorConfigForm } from "./monitor-config-form-lazy";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

/** Profile page section: this profile's scheduled checks and its monitoring settings. */
export async function ProfileMonitorSection({ admin, profile, actions }: { admin: Actor; profile: ProfileDto; actions: { configure: Action; run: Action } }) {
  const monitoring = await getProfileMonitoring(admin, profile.id);
  const imapProfiles: { id: string; name: string; account: string }[] = [];
  for await (const batch of iterateProfiles(admin, {}, { withSecrets: false })) {
    for (const { profile: p } of batch) if (imapTargetOf(p.settings)) imapProfiles.push({ id: p.id, name: p.name, account: p.account });
  }
  return (
    <Card>
      <CardHeader title="Monitoring" description="Scheduled checks of this profile; alerts go to the channels on the Monitoring page." />
      <CardBody className="space-y-5">
        {monitoring.checks.length > 0 && <CheckTable checks={monitoring.checks} runAction={actions.run} showProfile={false} />}
        <MonitorConfigForm action={actions.configure} values={monitoring} imapProfiles={imapProfiles} canSend={profile.kind !== "log-only"} />
      </CardBody>
    </Card>
  );
}
