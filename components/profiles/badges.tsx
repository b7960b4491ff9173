import { Badge, type Tone } from "@/components/ui/badge";
import { KIND_LABELS, KIND_SHORT, type ProfileKind } from "@/lib/profiles/kinds";
import { healthBadge, type ProfileHealthStatus } from "@/lib/profiles/health-status";

const KIND_TONE: Record<ProfileKind, Tone> = {
  "m365-delegated": "info",
  "m365-app-graph": "accent",
  "m365-app-smtp": "accent",
  "m365-auth-code": "info",
  "google-service-account": "success",
  "oauth2-generic": "neutral",
  "smtp-basic": "warning",
  "log-only": "neutral",
};

export function KindBadge({ kind }: { kind: ProfileKind }) {
  return (
    <Badge tone={KIND_TONE[kind]} title={KIND_LABELS[kind]}>
      {KIND_SHORT[kind]}
    </Badge>
  );
}

const STATUS_TONE: Record<ProfileHealthStatus["state"], Tone> = { ok: "success", failing: "danger", "needs-reauth": "warning", untested: "neutral", incomplete: "warning" };

/** The profile's health: its state and, when a token or authorization check set it, which one (lib/profiles/health-status.ts). */
export function StatusBadge({ health }: { health: ProfileHealthStatus }) {
  const { label, title } = healthBadge(health);
  return (
    <Badge tone={STATUS_TONE[health.state]} title={title}>
      <span className="h-1.5 w-1.5 rounded-full bg-current" aria-hidden="true" />
      {label}
    </Badge>
  );
}
