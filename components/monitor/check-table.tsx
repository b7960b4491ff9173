import Link from "next/link";
import type { ActionResult } from "@/lib/action-result";
import type { CheckDto } from "@/lib/monitor/dal";
import { CHECK_LABELS } from "@/lib/monitor/types";
import { formatDateTime } from "@/lib/format";
import { ActionButton } from "./action-button";
import { CheckStatusBadge } from "./status";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

function every(minutes: number): string {
  return minutes % 1440 === 0 ? `every ${minutes / 1440} d` : minutes % 60 === 0 ? `every ${minutes / 60} h` : `every ${minutes} min`;
}

/** Every scheduled check with its last verdict, schedule and a Run now button (twin of `check list` / `check run NAME:type`). */
export function CheckTable({ checks, runAction, showProfile = true }: { checks: CheckDto[]; runAction: Action; showProfile?: boolean }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="check-table">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            {showProfile && <th scope="col" className="py-2 pr-3">Profile</th>}
            <th scope="col" className="py-2 pr-3">Check</th>
            <th scope="col" className="py-2 pr-3">Status</th>
            <th scope="col" className="py-2 pr-3">Result</th>
            <th scope="col" className="py-2 pr-3">Last run</th>
            <th scope="col" className="py-2 pr-3">Next run</th>
            <th scope="col" className="py-2" />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {checks.map((c) => (
            <tr key={c.id} className="align-top">
              {showProfile && (
                <td className="py-2 pr-3">
                  {c.profileId ? <Link href={`/profiles/${c.profileId}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">{c.profileName}</Link> : c.type === "relay" ? "Relay" : "—"}
                </td>
              )}
              <td className="py-2 pr-3 whitespace-nowrap">{CHECK_LABELS[c.type]}</td>
              <td className="py-2 pr-3">
                <CheckStatusBadge status={c.running ? "pending" : c.status} title={c.running ? "running now" : undefined} />
              </td>
              <td className="max-w-xl py-2 pr-3">
                <span className="break-words">{c.message || "—"}</span>
                {c.hint && c.status !== "ok" && <span className="mt-0.5 block text-xs text-slate-500">{c.hint}</span>}
              </td>
              <td className="py-2 pr-3 whitespace-nowrap text-slate-600 dark:text-slate-400">{c.lastRunAt ? formatDateTime(c.lastRunAt) : "never"}</td>
              <td className="py-2 pr-3 whitespace-nowrap text-slate-600 dark:text-slate-400">{c.enabled ? `${formatDateTime(c.nextRunAt)} (${every(c.intervalMinutes)})` : "off"}</td>
              <td className="py-2">
                <ActionButton action={runAction} fields={{ selector: c.profileName ? `${c.profileName}:${c.type}` : c.id }} label="Run now" pendingLabel="Running…" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
