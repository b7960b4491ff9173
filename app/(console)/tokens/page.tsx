import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { getConsoleSettings } from "@/lib/settings/dal";
import { listTokenCache } from "@/lib/tokens";
import { formatDateTime } from "@/lib/format";
import { PROFILE_KINDS, type ProfileKind } from "@/lib/profiles/schema";
import { ButtonLink } from "@/components/ui/button";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { KindBadge } from "@/components/profiles/badges";
import { ClaimsSummaryView, SOURCE_LABELS } from "@/components/tokens/claims";
import { Countdown, TokenStateBadge } from "@/components/tokens/countdown";
import { ClearTokenForm, GetTokenForm, TokenResultRegion } from "@/components/tokens/token-actions";
import { acquireTokenAction, clearTokenAction } from "./actions";

export const metadata: Metadata = { title: "Token cache" };

function isKind(kind: string): kind is ProfileKind {
  return (PROFILE_KINDS as readonly string[]).includes(kind);
}

export default async function TokensPage() {
  const admin = await requireAdmin();
  const [entries, settings] = await Promise.all([listTokenCache(admin), getConsoleSettings()]);
  const margin = settings.tokenRefreshMarginMinutes;

  return (
    <>
      <PageHeader
        title="Token cache"
        description={`Access tokens of every profile, stored encrypted and reused until ${margin} minutes before they expire (Settings). Claims are decoded for checking; token values are never shown here — reveal one from its profile page with your password.`}
      />
      {entries.length === 0 ? (
        <EmptyState title="No cached tokens" action={<ButtonLink href="/profiles" variant="primary">Open profiles</ButtonLink>}>
          Tokens appear here once a profile has requested one: open a profile and press <strong>Get token now</strong> (authorization-code profiles: <strong>Authorize</strong> first). Sending mail and IMAP tests fill the cache too.
        </EmptyState>
      ) : (
        <TokenResultRegion>
          <Card className="overflow-hidden">
            {/* A table from 768 px, a list of cards below (each cell a block). */}
            <div className="relative overflow-x-auto">
              <table className="min-w-full divide-y divide-slate-200 text-sm max-md:block dark:divide-slate-800" aria-label="Cached tokens">
                <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 max-md:hidden dark:bg-slate-900 dark:text-slate-400">
                  <tr>
                    <th scope="col" className="px-4 py-3">Profile</th>
                    <th scope="col" className="px-4 py-3">Claims</th>
                    <th scope="col" className="px-4 py-3">State / expiry</th>
                    <th scope="col" className="px-4 py-3"><span className="sr-only">Actions</span></th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100 align-top max-md:block dark:divide-slate-800">
                  {entries.map((e) => {
                    const hasAccess = e.state !== "refresh-only";
                    return (
                      <tr key={e.id} data-testid="token-row" data-profile={e.profileName} className="hover:bg-slate-50 max-md:block max-md:space-y-3 max-md:px-4 max-md:py-4 dark:hover:bg-slate-800/50">
                        <td className="px-4 py-3 max-md:block max-md:p-0">
                          <Link href={`/profiles/${e.profileId}#token-panel`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">{e.profileName}</Link>
                          <div className="mt-1 flex flex-wrap items-center gap-2">
                            {isKind(e.profileKind) ? <KindBadge kind={e.profileKind} /> : <span className="text-xs">{e.profileKind}</span>}
                          </div>
                          <p className="mt-1 break-all font-mono text-xs text-slate-600 md:w-48 dark:text-slate-400">{e.scope || "(no scope)"}</p>
                        </td>
                        <td className="px-4 py-3 max-md:block max-md:p-0 md:min-w-64">{hasAccess ? <ClaimsSummaryView claims={e.claims} compact /> : <span className="text-xs text-slate-500">No access token cached</span>}</td>
                        <td className="px-4 py-3 text-xs max-md:block max-md:p-0 md:whitespace-nowrap">
                          <TokenStateBadge state={e.state} expiresAt={e.expiresAt} serverSecondsLeft={e.expiresInSeconds} refreshMarginSeconds={margin * 60} />
                          {hasAccess ? (
                            <>
                              <Countdown expiresAt={e.expiresAt} serverSecondsLeft={e.expiresInSeconds} className="mt-1.5 block text-sm font-medium tabular-nums text-slate-900 dark:text-slate-100" />
                              <div className="mt-1 text-slate-500">Issued {formatDateTime(e.acquiredAt)}</div>
                              <div className="text-slate-500">Expires {formatDateTime(e.expiresAt)}</div>
                            </>
                          ) : (
                            <div className="mt-1.5 text-slate-500">The next use redeems the refresh token.</div>
                          )}
                          <div className="mt-1 text-slate-500">
                            from {SOURCE_LABELS[e.source] ?? e.source}
                            {e.hasRefreshToken && <>; refresh token kept</>}
                          </div>
                        </td>
                        <td className="px-4 py-3 max-md:block max-md:p-0">
                          <div className="flex flex-col items-start gap-2 md:w-56">
                            <GetTokenForm profileId={e.profileId} action={acquireTokenAction} compact />
                            <ClearTokenForm profileId={e.profileId} action={clearTokenAction} withRefreshToken={e.hasRefreshToken} compact />
                          </div>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </Card>
        </TokenResultRegion>
      )}
    </>
  );
}
