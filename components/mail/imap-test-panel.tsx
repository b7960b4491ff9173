import type { ProfileDto } from "@/lib/profiles/dal";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ImapTestRunnerLazy as ImapTestRunner } from "./lazy-panels";
import { imapTargetOf } from "@/lib/mail/targets";

/**
 * "Test IMAP" on the profile page, for the kinds with IMAP settings (delegated, app SMTP/IMAP,
 * authorization code with IMAP on, Google service account, generic with an IMAP host). Renders
 * nothing for the others.
 */
export function ImapTestPanel({ profile }: { profile: ProfileDto }) {
  const target = imapTargetOf(profile.settings);
  if (!target) return null;
  return (
    <Card>
      <CardHeader id="imap-test" title="IMAP test" description={`XOAUTH2 sign-in to ${target.host}:${target.port} (${target.security === "tls" ? "TLS" : "STARTTLS"}) as ${target.user}.`} />
      <CardBody>
        <ImapTestRunner profileId={profile.id} />
      </CardBody>
    </Card>
  );
}
