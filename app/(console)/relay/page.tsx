import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { listDevices } from "@/lib/relay/devices";
import { hourlyStats, listQueue } from "@/lib/relay/queue";
import { RELAY_STATES, queueFilterSchema } from "@/lib/relay/schema";
import { getRelayStatus } from "@/lib/relay/status";
import { listProfiles } from "@/lib/profiles/dal";
import { formatBytes } from "@/lib/mail/message-limits";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { StateBadge } from "@/components/relay/state-badge";
import { ButtonLink, buttonClass } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { Pagination } from "@/components/ui/pagination";
import { ActionButton } from "@/components/monitor/action-button";
import { DeviceForm } from "@/components/relay/device-form";
import { HourlyChart } from "@/components/relay/hourly-chart";
import { RelaySettingsForm } from "@/components/relay/settings-form";
import { TlsForm } from "@/components/relay/tls-form";
import { createDeviceAction, deleteDeviceAction, retryMessageAction, setDeviceEnabledAction, updateRelaySettingsAction, uploadRelayTlsAction } from "./actions";

export const metadata: Metadata = { title: "Relay" };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function RelayPage({ searchParams }: { searchParams: Promise<Search> }) {
  const admin = await requireAdmin();
  const sp = await searchParams;
  const raw = { state: one(sp.state), device: one(sp.device), sender: one(sp.sender), recipient: one(sp.recipient), since: one(sp.since), until: one(sp.until), page: one(sp.page) };
  const filter = queueFilterSchema.safeParse(raw);
  const [status, devices, queue, day, week, profiles] = await Promise.all([
    getRelayStatus(admin),
    listDevices(admin),
    listQueue(admin, filter.success ? filter.data : {}),
    hourlyStats(24),
    hourlyStats(24 * 7),
    listProfiles(admin, { pageSize: 500 }),
  ]);
  const { listen, tls, health } = status;
  const uptime = status.uptimeSeconds === null ? null : Math.round(status.uptimeSeconds / 60);
  return (
    <>
      <PageHeader
        title="Relay"
        description="SMTP relay for devices and programs that cannot do OAuth: each device signs in with its own password, the relay queues the message durably and delivers it through the device's profile (SMTP XOAUTH2, Graph, basic or log-only)."
        actions={health.failed ? <ActionButton action={retryMessageAction} fields={{ failed: "true" }} label={`Retry ${health.failed} failed`} pendingLabel="Queueing…" /> : undefined}
      />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Listener" description="Where devices connect. The environment (RELAY_PORT, RELAY_HOST, RELAY_TLS_PORT) wins over these settings." />
          <CardBody className="space-y-4">
            <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]" data-testid="relay-listener">
              <dt className="text-slate-500 dark:text-slate-400">State</dt>
              <dd>
                {!listen.enabled ? (
                  <Badge tone="neutral">Off</Badge>
                ) : status.answering ? (
                  <>
                    <Badge tone="success">Running</Badge> <span className="text-slate-600 dark:text-slate-400">{uptime !== null ? `for ${uptime >= 120 ? `${Math.round(uptime / 60)} h` : `${uptime} min`}` : ""} — {status.greeting}</span>
                  </>
                ) : (
                  <Badge tone="danger">Enabled, not answering</Badge>
                )}
              </dd>
              <dt className="text-slate-500 dark:text-slate-400">Address</dt>
              <dd className="font-mono">
                {listen.host}:{listen.port} (STARTTLS){listen.tlsPort ? `, ${listen.host}:${listen.tlsPort} (implicit TLS)` : ""} <span className="font-sans text-slate-500 dark:text-slate-400">from {listen.source === "env" ? "RELAY_PORT" : "the settings below"}</span>
              </dd>
              <dt className="text-slate-500 dark:text-slate-400">Certificate</dt>
              <dd>{tls ? <><span>{tls.source === "self-signed" ? "Self-signed" : "Uploaded"}, {tls.subject}, valid until {tls.notAfter.slice(0, 10)}</span><br /><span className="break-all font-mono text-xs" data-testid="relay-fingerprint">SHA-256 {tls.sha256}</span></> : "None yet: a self-signed certificate is made when the relay first starts."}</dd>
              <dt className="text-slate-500 dark:text-slate-400">Queue</dt>
              <dd>
                {health.queued} queued, {health.sending} sending, {health.deferred} deferred, {health.failed} failed; last 24 h {health.deliveredLast24h} delivered
                {health.oldestDeferredAgeSeconds !== null && <> — oldest deferred waiting {Math.round(health.oldestDeferredAgeSeconds / 60)} min</>}
              </dd>
            </dl>
            <details className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
              <summary className="cursor-pointer text-sm font-medium">Settings and certificate</summary>
              <div className="mt-4 space-y-6">
                <RelaySettingsForm action={updateRelaySettingsAction} settings={status.settings} envControlled={listen.source === "env"} />
                <TlsForm action={uploadRelayTlsAction} />
              </div>
            </details>
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="Traffic" description="Messages per hour (UTC)." />
          <CardBody className="space-y-6">
            <HourlyChart buckets={day} title="Last 24 hours" />
            <HourlyChart buckets={week} title="Last 7 days" />
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="Devices" description="Each device (or program) has its own username and password, the profile it sends through, and what it may do." />
          <CardBody className="space-y-6">
            {devices.length ? (
              <div className="overflow-x-auto">
                <table className="w-full text-left text-sm" aria-label="Relay devices">
                  <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
                    <tr>
                      <th className="py-2 pr-3">Device</th>
                      <th className="py-2 pr-3">Profile</th>
                      <th className="py-2 pr-3">Rights</th>
                      <th className="py-2 pr-3">Last seen</th>
                      <th className="py-2 pr-3">Messages</th>
                      <th className="py-2">Actions</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                    {devices.map((d) => (
                      <tr key={d.id}>
                        <td className="py-2 pr-3">
                          <Link href={`/relay/devices/${encodeURIComponent(d.name)}`} className="font-medium text-indigo-700 underline dark:text-indigo-300">{d.name}</Link> {!d.enabled && <Badge tone="neutral">disabled</Badge>}
                          {(d.allowPlainAuth || d.allowNoAuth) && <Badge tone="warning" title="Plaintext AUTH or submission without AUTH is allowed from the listed IPs">risk</Badge>}
                        </td>
                        <td className="py-2 pr-3">{d.profileName ?? <Badge tone="danger">missing</Badge>}</td>
                        <td className="py-2 pr-3 text-xs text-slate-600 dark:text-slate-400">
                          from {d.allowedSenders.join(", ") || "any sender"}; IPs {d.allowedIps.join(", ") || "any"}
                          {d.rateLimit ? `; ${d.rateLimit}/min` : ""}
                          {d.dailyQuota ? `; ${d.dailyQuota}/day` : ""}
                        </td>
                        <td className="py-2 pr-3 text-xs">{d.lastSeenAt ? `${d.lastSeenAt.replace("T", " ").slice(0, 19)} from ${d.lastSeenIp}` : "never"}</td>
                        <td className="py-2 pr-3">{d.acceptedCount}{d.rejectedCount ? <span className="text-xs text-rose-600"> ({d.rejectedCount} refused logins)</span> : null}</td>
                        <td className="flex flex-wrap gap-2 py-2">
                          <ActionButton action={setDeviceEnabledAction} fields={{ name: d.name, enabled: String(!d.enabled) }} label={d.enabled ? "Disable" : "Enable"} pendingLabel="Saving…" />
                          <ActionButton action={deleteDeviceAction} fields={{ name: d.name }} label="Delete" pendingLabel="Deleting…" variant="danger" confirm={`Delete device "${d.name}"? Its queued messages are still delivered.`} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <EmptyState title="No devices yet">Add the first device below; it gets a username and a generated password.</EmptyState>
            )}
            <div className="border-t border-slate-200 pt-5 dark:border-slate-800">
              <h3 className="mb-3 text-sm font-semibold">Add a device</h3>
              <DeviceForm action={createDeviceAction} profiles={profiles.items.map((p) => ({ id: p.id, name: p.name }))} />
            </div>
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="Queue" description="Every accepted message until it is delivered or fails; newest first." />
          <CardBody className="space-y-4">
            <form method="get" className="grid gap-3 sm:grid-cols-6" aria-label="Filter the queue">
              <select name="state" defaultValue={raw.state ?? ""} className={inputClass} aria-label="State">
                <option value="">Any state</option>
                {RELAY_STATES.map((s) => (
                  <option key={s} value={s}>{s}</option>
                ))}
              </select>
              <select name="device" defaultValue={raw.device ?? ""} className={inputClass} aria-label="Device">
                <option value="">Any device</option>
                {devices.map((d) => (
                  <option key={d.id} value={d.name}>{d.name}</option>
                ))}
              </select>
              <input name="sender" defaultValue={raw.sender} placeholder="Sender" aria-label="Sender" className={inputClass} />
              <input name="recipient" defaultValue={raw.recipient} placeholder="Recipient" aria-label="Recipient" className={inputClass} />
              <input name="since" type="datetime-local" defaultValue={raw.since} aria-label="Received since" className={inputClass} />
              <button type="submit" className={buttonClass("secondary")}>Filter</button>
            </form>
            {!filter.success && <p role="alert" className="text-sm text-rose-600">{filter.error.issues[0]?.message}</p>}
            {queue.items.length ? (
              <div className="overflow-x-auto">
                <table className="w-full text-left text-sm" aria-label="Relay queue">
                  <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
                    <tr>
                      <th className="py-2 pr-3">Received</th>
                      <th className="py-2 pr-3">State</th>
                      <th className="py-2 pr-3">Device</th>
                      <th className="py-2 pr-3">From → to</th>
                      <th className="py-2 pr-3">Subject</th>
                      <th className="py-2 pr-3">Size</th>
                      <th className="py-2">Tries</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                    {queue.items.map((m) => (
                      <tr key={m.id}>
                        <td className="py-2 pr-3 text-xs">
                          <Link href={`/relay/messages/${m.id}`} className="text-indigo-700 underline dark:text-indigo-300">{m.receivedAt.replace("T", " ").slice(0, 19)}</Link>
                        </td>
                        <td className="py-2 pr-3"><StateBadge state={m.state} /></td>
                        <td className="py-2 pr-3">{m.deviceName}</td>
                        <td className="py-2 pr-3 text-xs">{m.mailFrom} → {m.rcptTo.slice(0, 2).join(", ")}{m.rcptCount > 2 ? ` +${m.rcptCount - 2}` : ""}</td>
                        <td className="max-w-xs truncate py-2 pr-3">{m.subject}</td>
                        <td className="py-2 pr-3 text-xs">{formatBytes(m.size)}</td>
                        <td className="py-2 text-xs">{m.attempts}{m.lastError && m.state !== "delivered" ? <span className="block max-w-xs truncate text-rose-600" title={m.lastError}>{m.lastError}</span> : null}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <EmptyState title="Nothing here">No message matches{raw.state || raw.device || raw.sender || raw.recipient ? " the filter" : " yet"}.</EmptyState>
            )}
            <Pagination page={queue.page} pageSize={queue.pageSize} total={queue.total} basePath="/relay" params={{ state: raw.state, device: raw.device, sender: raw.sender, recipient: raw.recipient, since: raw.since }} />
            {!devices.length && <ButtonLink href="#device-name">Add a device</ButtonLink>}
          </CardBody>
        </Card>
      </div>
    </>
  );
}
