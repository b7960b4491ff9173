import Link from "next/link";
import type { Actor } from "@/lib/auth/actor";
import { EXCHANGE_BASIC_AUTH, describeExchangeBasicAuth } from "@/lib/mail/exchange-basic-auth";
import { getBasicAuthInventory } from "@/lib/monitor/service";
import { listDevices } from "@/lib/relay/devices";
import { Card, CardBody, CardHeader } from "@/components/ui/card";

/**
 * Dashboard section: Exchange Online's Basic SMTP AUTH timeline (facts from
 * lib/mail/exchange-basic-auth.ts) with the profiles still on Basic authentication and what to
 * move them to.
 */
export async function ExchangeTimelineCard({ admin, now = new Date() }: { admin: Actor; now?: Date }) {
  const [inv, devices] = await Promise.all([getBasicAuthInventory(admin), listDevices(admin)]);
  const relayed = devices.filter((d) => d.enabled).length;
  const state = describeExchangeBasicAuth(now);
  const steps = [
    { when: `Until ${EXCHANGE_BASIC_AUTH.unchangedUntil}`, what: "Basic SMTP AUTH unchanged", done: true },
    { when: `End of December 2026`, what: "Off by default for existing tenants (admins can re-enable); unavailable for new tenants", done: state.phase === "off-by-default" },
    { when: "Second half of 2027", what: "Final removal date announced", done: false },
  ];
  return (
    <Card className="min-w-0">
      <CardHeader title="Exchange Online: Basic SMTP AUTH retirement" description={state.headline} />
      <CardBody className="space-y-4">
        <ol className="grid grid-cols-1 gap-3 sm:grid-cols-3" data-testid="exchange-timeline">
          {steps.map((s) => (
            <li key={s.when} className={`rounded-md border px-3 py-2 text-sm ${s.done ? "border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950/40" : "border-slate-200 dark:border-slate-800"}`}>
              <p className="font-semibold">{s.when}</p>
              <p className="text-slate-600 dark:text-slate-400">{s.what}</p>
            </li>
          ))}
        </ol>
        <p className="text-sm" data-testid="basic-auth-count">
          <strong>{inv.total}</strong> profile{inv.total === 1 ? "" : "s"} still on Basic authentication{inv.total ? `, ${inv.exchangeOnline} of them against Exchange Online` : ""}.
          {relayed > 0 && (
            <>
              {" "}
              <strong>{relayed}</strong> device{relayed === 1 ? "" : "s"} use a password only to reach this console&apos;s relay, which sends on with OAuth: not affected.
            </>
          )}
        </p>
        {inv.total > 0 && (
          <>
            <ul className="flex flex-wrap gap-2 text-sm">
              {inv.profiles.slice(0, 20).map((p) => (
                <li key={p.id}>
                  <Link href={`/profiles/${p.id}`} className="text-indigo-700 underline underline-offset-2 dark:text-indigo-300">{p.name}</Link>
                  <span className="text-xs text-slate-500"> ({p.host})</span>
                </li>
              ))}
            </ul>
            <p className="text-sm text-slate-600 dark:text-slate-400">
              Move them to OAuth: <strong>Microsoft 365 · app (SMTP XOAUTH2)</strong> for IBM i SMTP, devices and anything that speaks SMTP (client credentials, no user password);{" "}
              <strong>Microsoft 365 · app (Graph sendMail)</strong> for iMail APP and HTTPS-only networks. Devices that only know a user name and password can send through the console&apos;s relay instead (npm run cli -- relay device add), which delivers with an OAuth profile.
            </p>
          </>
        )}
      </CardBody>
    </Card>
  );
}
