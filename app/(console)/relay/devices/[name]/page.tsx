import type { Metadata } from "next";
import os from "node:os";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireAdmin } from "@/lib/auth/session";
import { getEnv } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { getDevice } from "@/lib/relay/devices";
import { deviceGuide } from "@/lib/relay/guide";
import { getRelaySettings, getRelayTlsInfo, listenConfigOf } from "@/lib/relay/settings";
import { Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Badge } from "@/components/ui/badge";
import { RotateButton } from "@/components/relay/rotate-button";
import { rotateDevicePasswordAction } from "../../actions";

export const metadata: Metadata = { title: "Relay device" };

/** The device card: what to type into the device, and the IBM i CL (twin of `relay device show`). */
export default async function RelayDevicePage({ params }: { params: Promise<{ name: string }> }) {
  const admin = await requireAdmin();
  const { name } = await params;
  const d = await getDevice(admin, decodeURIComponent(name)).catch((error: unknown) => {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  });
  const listen = listenConfigOf(await getRelaySettings());
  const publicHost = (() => {
    try {
      return new URL(getEnv().publicUrl).hostname;
    } catch {
      return os.hostname();
    }
  })();
  const guide = deviceGuide(d, listen, await getRelayTlsInfo(), publicHost === "localhost" ? os.hostname() : publicHost);
  return (
    <>
      <PageHeader breadcrumb={<Link href="/relay" className="underline">Relay</Link>} title={<>{d.name} {!d.enabled && <Badge tone="neutral">disabled</Badge>}</>} description={`Sends through profile ${d.profileName ?? "(missing)"}.`} actions={<RotateButton action={rotateDevicePasswordAction} name={d.name} />} />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Set up the device" description="Type these into the device's or program's mail settings." />
          <CardBody className="space-y-3">
            <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]" data-testid="device-guide">
              {guide.rows.map((r) => (
                <div key={r.label} className="contents">
                  <dt className="text-slate-500 dark:text-slate-400">{r.label}</dt>
                  <dd className="break-all font-mono">{r.value}</dd>
                </div>
              ))}
            </dl>
            {guide.notes.map((n) => (
              <p key={n} className="text-sm text-amber-700 dark:text-amber-400">{n}</p>
            ))}
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="IBM i" description="Point the IBM i SMTP server's mail hub at the relay (commands from IBM's SMTP documentation)." actions={<CopyButton text={guide.ibmiCl} ariaLabel="Copy the CL commands" />} />
          <CardBody>
            <pre className="overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-3 font-mono text-xs dark:bg-slate-950" data-testid="device-ibmi-cl">{guide.ibmiCl}</pre>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Rights" />
          <CardBody>
            <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]">
              <dt className="text-slate-500 dark:text-slate-400">Allowed senders</dt>
              <dd>{d.allowedSenders.join(", ") || "any"}</dd>
              <dt className="text-slate-500 dark:text-slate-400">Allowed IPs</dt>
              <dd>{d.allowedIps.join(", ") || "any"}</dd>
              <dt className="text-slate-500 dark:text-slate-400">Rate limit / quota</dt>
              <dd>{d.rateLimit ? `${d.rateLimit} per minute` : "no rate limit"}; {d.dailyQuota ? `${d.dailyQuota} per day` : "no daily quota"}</dd>
              <dt className="text-slate-500 dark:text-slate-400">Risky options</dt>
              <dd>{d.allowPlainAuth || d.allowNoAuth ? [d.allowPlainAuth && "plaintext AUTH without TLS", d.allowNoAuth && "submission without AUTH"].filter(Boolean).join(" and ") + " from the allowed IPs" : "none"}</dd>
              <dt className="text-slate-500 dark:text-slate-400">Last seen</dt>
              <dd>{d.lastSeenAt ? `${d.lastSeenAt} from ${d.lastSeenIp}` : "never"}; {d.acceptedCount} messages accepted, {d.rejectedCount} refused logins</dd>
            </dl>
          </CardBody>
        </Card>
      </div>
    </>
  );
}
