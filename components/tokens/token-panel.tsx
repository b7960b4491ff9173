import { requireAdmin } from "@/lib/auth/session";
import type { ProfileDto } from "@/lib/profiles/dal";
import { getConsoleSettings } from "@/lib/settings/dal";
import { getOAuthRedirectUri, getTokenCacheForProfile, type TokenCacheEntryDto } from "@/lib/tokens";
import { formatDateTime } from "@/lib/format";
import { Alert } from "@/components/ui/alert";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { ClaimsSummaryView, SOURCE_LABELS } from "./claims";
import { Countdown, TokenStateBadge } from "./countdown";
import { AuthorizeForm, ClearTokenForm, GetTokenForm, RevealTokenButton, type TokenActions } from "./token-actions";

/** Kinds without OAuth tokens get no panel. */
const NO_TOKEN_KINDS = new Set(["smtp-basic", "log-only"]);

type SearchParams = Record<string, string | string[] | undefined>;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** One cached entry: state, times with a live countdown, source and claims. Never a token value. */
export function TokenEntry({ entry, refreshMarginSeconds }: { entry: TokenCacheEntryDto; refreshMarginSeconds: number }) {
  const hasAccess = entry.state !== "refresh-only";
  return (
    <div className="rounded-md border border-slate-200 p-4 dark:border-slate-800" data-testid="token-entry">
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <TokenStateBadge state={entry.state} expiresAt={entry.expiresAt} serverSecondsLeft={entry.expiresInSeconds} refreshMarginSeconds={refreshMarginSeconds} />
        <code className="break-all font-mono text-xs text-slate-600 dark:text-slate-400">{entry.scope || "(no scope)"}</code>
      </div>
      <dl className="mb-4 grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[11rem_1fr]">
        {hasAccess ? (
          <>
            <dt className="text-slate-500 dark:text-slate-400">Issued</dt>
            <dd>{formatDateTime(entry.acquiredAt)}</dd>
            <dt className="text-slate-500 dark:text-slate-400">Expires</dt>
            <dd className="flex flex-wrap items-baseline gap-x-2">
              <span>{formatDateTime(entry.expiresAt)}</span>
              <Countdown expiresAt={entry.expiresAt} serverSecondsLeft={entry.expiresInSeconds} className="font-medium tabular-nums text-slate-900 dark:text-slate-100" />
            </dd>
          </>
        ) : (
          <>
            <dt className="text-slate-500 dark:text-slate-400">Access token</dt>
            <dd>None cached: the next use redeems the refresh token.</dd>
          </>
        )}
        <dt className="text-slate-500 dark:text-slate-400">Obtained by</dt>
        <dd>{SOURCE_LABELS[entry.source] ?? entry.source}</dd>
        <dt className="text-slate-500 dark:text-slate-400">Refresh token</dt>
        <dd>{entry.hasRefreshToken ? "kept (encrypted)" : "none"}</dd>
      </dl>
      {hasAccess && <ClaimsSummaryView claims={entry.claims} />}
    </div>
  );
}

/**
 * The token panel of a profile page: cached tokens with claims and a live countdown, "Get token
 * now", "Clear", "Reveal token" (password again), and for authorization-code profiles the
 * Authorize button, the callback URL to register and the outcome of the last authorization
 * (`?authorized=1` / `?authError=…` from the callback route). Nothing for smtp-basic / log-only.
 */
/** The profile page's token panel; the page passes the token actions (components never import app/). */
export async function TokenPanel({ profile, actions: ACTIONS, searchParams = {} }: { profile: ProfileDto; actions: TokenActions; searchParams?: SearchParams }) {
  if (NO_TOKEN_KINDS.has(profile.kind)) return null;
  const admin = await requireAdmin();
  const [entries, settings] = await Promise.all([getTokenCacheForProfile(admin, profile.id), getConsoleSettings()]);
  const marginMinutes = settings.tokenRefreshMarginMinutes;
  const authCode = profile.kind === "m365-auth-code";
  const authorized = authCode && first(searchParams.authorized) === "1";
  const authError = authCode ? first(searchParams.authError)?.slice(0, 600) : undefined;
  const hasRefreshToken = entries.some((e) => e.hasRefreshToken);
  const needsReauth = authCode && profile.status === "needs-reauth";
  const neverAuthorized = authCode && !hasRefreshToken && !needsReauth;
  const redirectUri = authCode ? getOAuthRedirectUri() : "";

  return (
    <Card>
      <CardHeader
        id="token-panel"
        title="Access token"
        description={`Cached encrypted and reused until ${marginMinutes} min before expiry. The token itself is shown only after you re-enter your password.`}
        actions={<RevealTokenButton profileId={profile.id} profileName={profile.name} action={ACTIONS.reveal} />}
      />
      <CardBody className="space-y-5">
        {authorized && !authError && (
          <Alert tone="success" role="status" title="Authorized">
            The mailbox signed in; the refresh token is stored encrypted and access tokens are renewed with it.
          </Alert>
        )}
        {authError && (
          <Alert tone="danger" role="alert" title="Authorization failed">
            {authError}
          </Alert>
        )}
        {needsReauth && !authorized && (
          <Alert tone="warning" role="status" title="Re-authorization needed">
            {profile.statusDetail && <span className="block">{profile.statusDetail}</span>}
            <span className="block">
              Click Authorize again and sign in as {("mailbox" in profile.settings && profile.settings.mailbox) || "the mailbox"}.
            </span>
          </Alert>
        )}
        {authCode && (
          <div className="space-y-3 rounded-md bg-slate-50 p-4 dark:bg-slate-800/50">
            <div className="flex flex-wrap items-start justify-between gap-3">
              <p className="max-w-xl text-sm text-slate-700 dark:text-slate-300">
                {neverAuthorized
                  ? "Not authorized yet: sign in once as the mailbox; the console then keeps the refresh token and renews access tokens itself."
                  : "Sign in again to replace the stored refresh token (for another account, or after it was revoked)."}
              </p>
              <AuthorizeForm profileId={profile.id} action={ACTIONS.authorize} again={!neverAuthorized} />
            </div>
            <div>
              <p className="mb-1 text-xs font-medium text-slate-600 dark:text-slate-400">Redirect URI to register in Azure (App registration → Authentication → Web)</p>
              <div className="flex flex-wrap items-center gap-2">
                <code data-testid="redirect-uri" className="break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-700">{redirectUri}</code>
                <CopyButton text={redirectUri} label="Copy URL" />
              </div>
            </div>
          </div>
        )}
        <div className="flex flex-wrap items-start justify-between gap-3">
          <GetTokenForm profileId={profile.id} action={ACTIONS.acquire} />
          <ClearTokenForm profileId={profile.id} action={ACTIONS.clear} withRefreshToken={hasRefreshToken} />
        </div>
        {entries.length ? (
          <div className="space-y-4">
            {entries.map((e) => (
              <TokenEntry key={e.id} entry={e} refreshMarginSeconds={marginMinutes * 60} />
            ))}
          </div>
        ) : (
          <p className="text-sm text-slate-500 dark:text-slate-400" data-testid="token-none">
            No token cached. {authCode && !hasRefreshToken ? "Authorize first, then press Get token now." : "Press Get token now to request one and check the claims."}
          </p>
        )}
      </CardBody>
    </Card>
  );
}
