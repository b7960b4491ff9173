import type { ProfileDto } from "@/lib/profiles/dal";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { SendTestFormLazy as SendTestForm } from "./lazy-panels";
import { sendTargetOf } from "@/lib/mail/targets";

/**
 * "Send test" on the profile page: what the test will do (server, identity), the form, live
 * progress and the result. Renders on the server; the form is a client component that streams
 * from POST /api/profiles/:id/send-test.
 */
export function SendTestPanel({ profile }: { profile: ProfileDto }) {
  const target = sendTargetOf(profile.settings);
  let description: string;
  if (target.transport === null) description = "This profile cannot send.";
  else if (target.transport === "log-only") description = "Log-only profile: nothing leaves this machine; the whole message is written to the activity log.";
  else if (target.transport === "graph") description = `Calls Graph sendMail for ${target.endpoint} with an app token, exactly as the production sender would. The outcome is logged.`;
  else description = `Sends one message through ${target.endpoint} ${target.oauth ? "with XOAUTH2" : "with a user name and password"} as ${target.authUser}, exactly as the production sender would. The outcome is logged.`;

  return (
    <Card>
      <CardHeader id="send-test" title="Send test" description={description} />
      <CardBody>
        {target.transport === null ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">{target.reason}</p>
        ) : (
          <SendTestForm profileId={profile.id} transport={target.transport} oauth={target.oauth} defaultFrom={target.defaultFrom} fromHelp={target.fromHelp} />
        )}
      </CardBody>
    </Card>
  );
}
