import type { ClaimsSummary } from "@/lib/oauth/types";
import { cn } from "@/components/ui/cn";

/** The grant that produced a cache entry, as admins know it. */
export const SOURCE_LABELS: Record<string, string> = {
  password: "password (ROPC)",
  client_credentials: "client credentials",
  authorization_code: "authorization code",
  refresh_token: "refresh token",
  "jwt-bearer": "JWT bearer (service account)",
};

/** The claims worth checking against the Azure/Google configuration, in the order admins look at them. */
function rowsOf(claims: ClaimsSummary): [string, string, string][] {
  const rows: [string, string, string][] = [];
  const add = (key: string, label: string, value: string | undefined) => {
    if (value) rows.push([key, label, value]);
  };
  add("aud", "Audience (aud)", claims.aud);
  add("tid", "Tenant (tid)", claims.tid);
  add("appid", claims.appid ? "App (appid)" : "App (azp)", claims.appid ?? claims.azp);
  add("roles", "Roles (application)", claims.roles?.join(" "));
  add("scp", "Scopes (scp)", claims.scp);
  const who = claims.upn ? ["upn", "User (upn)", claims.upn] : claims.email ? ["email", "User (email)", claims.email] : claims.sub ? ["sub", "Subject (sub)", claims.sub] : undefined;
  if (who) add(who[0], who[1], who[2]);
  return rows;
}

/** A definition list of the token's non-secret claims; `compact` for table cells. */
export function ClaimsSummaryView({ claims, compact = false }: { claims: ClaimsSummary; compact?: boolean }) {
  const rows = rowsOf(claims);
  if (!claims.decoded && rows.length === 0) return <p className="text-xs text-slate-500">Opaque token (not a JWT): no claims to show.</p>;
  return (
    <dl data-testid="token-claims" className={cn("grid text-sm", compact ? "grid-cols-[auto_1fr] gap-x-2 gap-y-0.5 text-xs" : "grid-cols-1 gap-x-6 gap-y-2 sm:grid-cols-[11rem_1fr]")}>
      {rows.map(([key, label, value]) => (
        <div key={key} className="contents">
          <dt className="text-slate-500 dark:text-slate-400">{compact ? key : label}</dt>
          <dd className="break-all font-mono text-xs text-slate-800 dark:text-slate-200" data-claim={key}>{value}</dd>
        </div>
      ))}
      {!claims.decoded && (
        <>
          <dt className="text-slate-500 dark:text-slate-400">{compact ? "note" : "Note"}</dt>
          <dd className="text-xs text-slate-500">Opaque token: values come from the token response.</dd>
        </>
      )}
    </dl>
  );
}
