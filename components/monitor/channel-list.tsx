import type { ActionResult } from "@/lib/action-result";
import { describeChannel, type ChannelDto } from "@/lib/monitor/alerts";
import { formatDateTime } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { ActionButton } from "./action-button";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

/** Alert channels with their delivery health, "Send a test alert" and Delete. URLs are never shown. */
export function ChannelList({ channels, testAction, deleteAction }: { channels: ChannelDto[]; testAction: Action; deleteAction: Action }) {
  if (channels.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">No alert channels yet: alerts are recorded in the history and the activity log only.</p>;
  return (
    <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="channel-list">
      {channels.map((c) => (
        <li key={c.id} className="flex flex-wrap items-start justify-between gap-3 py-3 text-sm">
          <div className="min-w-0 flex-1 basis-64">
            <p className="font-medium">
              {c.name}{" "}
              <Badge tone={c.status === "ok" ? "success" : c.status === "failing" ? "danger" : "neutral"}>{c.status === "untested" ? "not used yet" : c.status === "ok" ? "delivering" : "failing"}</Badge>
            </p>
            <p className="text-slate-600 dark:text-slate-400">{describeChannel(c)}</p>
            {c.status === "failing" && <p className="mt-1 break-words text-rose-700 dark:text-rose-400">{c.statusDetail}</p>}
            {c.lastDeliveredAt && <p className="text-xs text-slate-500">Last delivered {formatDateTime(c.lastDeliveredAt)}</p>}
          </div>
          <div className="flex gap-2">
            <ActionButton action={testAction} fields={{ channelId: c.id }} label="Send a test alert" pendingLabel="Sending…" />
            <ActionButton action={deleteAction} fields={{ channelId: c.id }} label="Delete" pendingLabel="Deleting…" variant="ghost" confirm={`Delete the alert channel "${c.name}"?`} />
          </div>
        </li>
      ))}
    </ul>
  );
}
