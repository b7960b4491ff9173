import type { Actor } from "@/lib/auth/actor";
import { listCanaryLatencies } from "@/lib/monitor/dal";
import { DAY } from "@/lib/monitor/clock";
import { Card, CardBody, CardHeader } from "@/components/ui/card";

const COLORS = ["#4f46e5", "#059669", "#d97706", "#db2777", "#0891b2", "#7c3aed"];
const W = 640;
const H = 180;
const PAD = { left: 40, right: 8, top: 8, bottom: 22 };

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
}

/**
 * Dashboard section: canary delivery latency over the last 7 days, one line per canary (server-
 * rendered SVG, no chart library), failed runs as red marks on the axis; a table of median and
 * p95 per canary for screen readers and exact numbers.
 */
export async function CanaryLatencyCard({ admin, now = new Date() }: { admin: Actor; now?: Date }) {
  const from = new Date(now.getTime() - 7 * DAY);
  const runs = await listCanaryLatencies(admin, from);
  const series = new Map<string, typeof runs>();
  for (const r of runs) series.set(r.profileName, [...(series.get(r.profileName) ?? []), r]);
  const maxMs = Math.max(1000, ...runs.map((r) => r.latencyMs ?? 0));
  const x = (at: string) => PAD.left + ((new Date(at).getTime() - from.getTime()) / (7 * DAY)) * (W - PAD.left - PAD.right);
  const y = (ms: number) => PAD.top + (1 - ms / maxMs) * (H - PAD.top - PAD.bottom);
  const names = [...series.keys()];
  return (
    <Card className="min-w-0">
      <CardHeader title="Canary delivery latency" description="Sent → found in the mailbox, last 7 days. Enable a canary on a profile's page." />
      <CardBody>
        {runs.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No canary runs in the last 7 days.</p>
        ) : (
          <>
            <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={`Canary latency over 7 days for ${names.join(", ")}`} data-testid="canary-chart">
              <line x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} stroke="currentColor" strokeOpacity="0.3" />
              <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={H - PAD.bottom} stroke="currentColor" strokeOpacity="0.3" />
              <text x={PAD.left - 4} y={PAD.top + 8} textAnchor="end" fontSize="10" fill="currentColor">{(maxMs / 1000).toFixed(1)} s</text>
              <text x={PAD.left - 4} y={H - PAD.bottom} textAnchor="end" fontSize="10" fill="currentColor">0</text>
              {Array.from({ length: 8 }, (_, i) => (
                <text key={i} x={PAD.left + (i / 7) * (W - PAD.left - PAD.right)} y={H - 6} textAnchor="middle" fontSize="10" fill="currentColor" fillOpacity="0.7">
                  {new Date(from.getTime() + i * DAY).toISOString().slice(5, 10)}
                </text>
              ))}
              {names.map((name, i) => {
                const points = series.get(name)!.filter((r) => r.latencyMs !== null);
                return <polyline key={name} fill="none" stroke={COLORS[i % COLORS.length]} strokeWidth="1.5" points={points.map((r) => `${x(r.at).toFixed(1)},${y(r.latencyMs!).toFixed(1)}`).join(" ")} />;
              })}
              {runs.filter((r) => r.status === "failing").map((r, i) => (
                <line key={i} x1={x(r.at)} x2={x(r.at)} y1={H - PAD.bottom - 6} y2={H - PAD.bottom} stroke="#e11d48" strokeWidth="2" />
              ))}
            </svg>
            <table className="mt-3 w-full text-left text-sm">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th scope="col">Canary</th>
                  <th scope="col">Runs</th>
                  <th scope="col">Median</th>
                  <th scope="col">p95</th>
                  <th scope="col">Failed</th>
                </tr>
              </thead>
              <tbody>
                {names.map((name, i) => {
                  const rs = series.get(name)!;
                  const ms = rs.map((r) => r.latencyMs).filter((v): v is number => v !== null).sort((a, b) => a - b);
                  return (
                    <tr key={name}>
                      <td>
                        <span className="mr-2 inline-block h-2 w-2 rounded-full" style={{ background: COLORS[i % COLORS.length] }} aria-hidden="true" />
                        {name}
                      </td>
                      <td>{rs.length}</td>
                      <td>{ms.length ? `${(quantile(ms, 0.5) / 1000).toFixed(1)} s` : "—"}</td>
                      <td>{ms.length ? `${(quantile(ms, 0.95) / 1000).toFixed(1)} s` : "—"}</td>
                      <td>{rs.filter((r) => r.status === "failing").length}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        )}
      </CardBody>
    </Card>
  );
}
