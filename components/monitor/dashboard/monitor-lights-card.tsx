import Link from "next/link";
import type { Actor } from "@/lib/auth/actor";
import { listFailingChannels } from "@/lib/monitor/alerts";
import { getRelayDeviceLights, getTrafficLights } from "@/lib/monitor/service";
import { CHECK_LABELS } from "@/lib/monitor/types";
import { Alert } from "@/components/ui/alert";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { TrafficLightDot } from "../status";

const RANK = { red: 0, amber: 1, grey: 2, green: 3 } as const;

/**
 * Dashboard section: one traffic light per profile from its scheduled checks (red failing,
 * amber warning or undecided, green passing, grey not checked yet), worst first; and any alert
 * channel whose last delivery failed — an alert that cannot be delivered is itself a problem.
 */
export async function MonitorLightsCard({ admin }: { admin: Actor }) {
  const [lights, failingChannels, devices] = await Promise.all([getTrafficLights(admin), listFailingChannels(admin), getRelayDeviceLights(admin)]);
  const sorted = [...lights].sort((a, b) => RANK[a.light] - RANK[b.light] || a.profileName.localeCompare(b.profileName));
  const count = (l: keyof typeof RANK) => lights.filter((x) => x.light === l).length;
  return (
    <Card className="min-w-0">
      <CardHeader
        title="Scheduled checks"
        description={`${count("red")} failing · ${count("amber")} warning or undecided · ${count("green")} passing · ${count("grey")} not checked yet`}
        actions={<Link href="/monitoring" className="text-sm text-indigo-700 hover:underline dark:text-indigo-400">Monitoring</Link>}
      />
      <CardBody className="space-y-3">
        {failingChannels.map((c) => (
          <Alert key={c.id} tone="danger" role="alert" title={`Alert channel "${c.name}" is failing`}>
            {c.statusDetail} <Link href="/monitoring" className="underline">Check the channel</Link>.
          </Alert>
        ))}
        <ul className="grid grid-cols-1 gap-x-4 gap-y-1 sm:grid-cols-2" data-testid="traffic-lights">
          {sorted.slice(0, 40).map((p) => (
            <li key={p.profileId} className="flex min-w-0 items-center gap-2 text-sm" title={p.checks.map((c) => `${CHECK_LABELS[c.type]}: ${c.status}${c.message ? ` — ${c.message}` : ""}`).join("\n")}>
              <TrafficLightDot light={p.light} />
              <Link href={`/profiles/${p.profileId}`} className="truncate text-indigo-700 hover:underline dark:text-indigo-300">{p.profileName}</Link>
            </li>
          ))}
        </ul>
        {sorted.length > 40 && <p className="text-xs text-slate-500">… and {sorted.length - 40} more on the <Link href="/monitoring" className="underline">Monitoring</Link> page.</p>}
        {devices.length > 0 && (
          <div>
            <h3 className="mb-1 text-xs font-semibold uppercase text-slate-500">Relay devices</h3>
            <ul className="grid grid-cols-1 gap-x-4 gap-y-1 sm:grid-cols-2" data-testid="device-lights">
              {[...devices].sort((a, b) => RANK[a.light] - RANK[b.light] || a.name.localeCompare(b.name)).slice(0, 40).map((d) => (
                <li key={d.name} className="flex min-w-0 items-center gap-2 text-sm" title={d.detail}>
                  <TrafficLightDot light={d.light} />
                  <span className="truncate">{d.name}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </CardBody>
    </Card>
  );
}
