import { Badge, type Tone } from "@/components/ui/badge";
import { KIND_LABELS, KIND_SHORT, type ProfileKind } from "@/lib/profiles/schema";

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

const STATUS: Record<string, { tone: Tone; label: string }> = {
  ok: { tone: "success", label: "Working" },
  failing: { tone: "danger", label: "Failing" },
  "needs-reauth": { tone: "warning", label: "Re-authorize" },
  untested: { tone: "neutral", label: "Untested" },
};

export function StatusBadge({ status, detail }: { status: string; detail?: string }) {
  const s = STATUS[status] ?? { tone: "neutral" as Tone, label: status };
  return (
    <Badge tone={s.tone} title={detail || undefined}>
      <span className="h-1.5 w-1.5 rounded-full bg-current" aria-hidden="true" />
      {s.label}
    </Badge>
  );
}
