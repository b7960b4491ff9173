import { PROFILE_FORM } from "@/lib/profiles/fields";
import { SECRET_LABELS, type SecretName } from "@/lib/profiles/kinds";
import type { ProfileDto } from "@/lib/profiles/dal";
import { Badge } from "@/components/ui/badge";
import { resolveTimeZone } from "@/lib/export/time-zone";

/** The stored settings grouped as the form groups them; secrets only as set / not set. */
export function SettingsView({ profile }: { profile: ProfileDto }) {
  const settings = profile.settings as Record<string, unknown>;
  return (
    <div className="space-y-6">
      {PROFILE_FORM[profile.kind].map((section) => {
        const rows = section.fields
          .filter((f) => !f.showWhen || f.showWhen.in.includes(String(settings[f.showWhen.field] ?? "")))
          .filter((f) => f.type !== "pem")
          .map((f) => {
            if (f.secret) {
              const set = Boolean(profile.secretsSet[f.secret as SecretName]);
              return { key: f.name, label: f.label, value: <Badge tone={set ? "success" : "neutral"}>{set ? "set" : "not set"}</Badge>, testid: `secret-${f.secret}` };
            }
            const v = settings[f.name];
            if (v === undefined || v === "") return null;
            const tz = f.type === "timezone" ? resolveTimeZone(String(v)) : null;
            // A time zone shows both names: QN0600CST = UTC−06:00 (America/Chicago, …).
            const text = tz?.ok ? tz.description : typeof v === "boolean" ? (v ? "Yes" : "No") : f.options?.find((o) => o.value === v)?.label ?? String(v);
            return { key: f.name, label: f.label, value: <span className={f.mono ? "break-all font-mono text-xs" : "break-words"}>{text}</span>, testid: `setting-${f.name}` };
          })
          .filter((r): r is NonNullable<typeof r> => r !== null);
        if (rows.length === 0) return null;
        return (
          <div key={section.id}>
            <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{section.title}</h3>
            <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[14rem_1fr]">
              {rows.map((r) => (
                <div key={r.key} className="contents" data-testid={r.testid}>
                  <dt className="text-slate-500 dark:text-slate-400">{r.label}</dt>
                  <dd className="text-slate-900 dark:text-slate-100">{r.value}</dd>
                </div>
              ))}
            </dl>
          </div>
        );
      })}
      {Object.keys(profile.secretsSet).length === 0 && profile.kind !== "log-only" && <p className="text-sm text-slate-500">No secrets stored.</p>}
      <p className="sr-only">Secrets: {Object.entries(profile.secretsSet).map(([k]) => SECRET_LABELS[k as SecretName]).join(", ")}</p>
    </div>
  );
}
