import Link from "next/link";
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
  else if (target.transport === "graph") description = `Calls Graph sendMail for ${target.endpoint ?? "the From address you enter"} with an app token, exactly as the production sender would. The outcome is logged.`;
  else description = `Sends one message through ${target.endpoint} ${target.oauth ? "with XOAUTH2" : "with a user name and password"} as ${target.authUser || "the From address you enter"}, exactly as the production sender would. The outcome is logged.`;
  // An import from iMail or IBM i may leave the sender mailbox empty: the test asks for it.
  const missing = target.transport !== null ? target.missing : undefined;

  return (
    <Card>
      <CardHeader id="send-test" title="Send test" description={description} />
      <CardBody>
        {target.transport === null ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">{target.reason}</p>
        ) : (
          <>
            {missing && (
              <p role="note" className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200">
                {missing.label} is not set on this profile (it is incomplete): enter a From address below to send as, or{" "}
                <Link href={`/profiles/${profile.id}/edit`} className="underline">
                  set {missing.label} on the profile
                </Link>
                .
              </p>
            )}
            <SendTestForm profileId={profile.id} transport={target.transport} oauth={target.oauth} defaultFrom={target.defaultFrom} fromHelp={target.fromHelp} fromRequired={Boolean(missing)} />
          </>
        )}
      </CardBody>
    </Card>
  );
}
