import { Badge, type Tone } from "@/components/ui/badge";

const TONE: Record<string, Tone> = { queued: "info", sending: "accent", deferred: "warning", delivered: "success", failed: "danger" };

/** A queue state as a coloured badge. */
export function StateBadge({ state }: { state: string }) {
  return <Badge tone={TONE[state] ?? "neutral"}>{state}</Badge>;
}
