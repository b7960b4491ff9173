import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin, readSessionToken } from "@/lib/auth/session";
import { listAddressLocks, listAdmins, listSessions, sessionRefOf } from "@/lib/auth/admins";
import { formatDateTime } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { InlineActionForm } from "@/components/ui/inline-action-form";
import { AddAdminForm, UnlockSignInForm } from "@/components/settings/forms";
import { DeleteAdminForm, ResetAdminPasswordForm } from "@/components/settings/admin-forms";
import { addAdminAction, unlockSignInAction } from "../actions";
import { deleteAdminAction, disableAdminAction, enableAdminAction, endSessionAction, resetAdminPasswordAction, signOutEverywhereAction } from "./actions";

export const metadata: Metadata = { title: "Admins" };

const DISCLOSURE = "rounded-md text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-300 cursor-pointer px-1 py-0.5";

/**
 * Settings → Admins: every admin with created, last sign-in, lock and disabled state, their open
 * sessions, the client addresses with failed sign-ins, and the actions on them (lib/auth/admins;
 * CLI twins `admin …`). Cards, not a table: nothing scrolls sideways on a phone.
 */
export default async function AdminsPage() {
  const me = await requireAdmin();
  const [admins, sessions, addressLocks, token] = await Promise.all([listAdmins(me), listSessions(me), listAddressLocks(me), readSessionToken()]);
  const myRef = sessionRefOf(token);
  // Your own sessions first, then each admin's, newest activity first within each.
  const byAdmin = new Map<string, typeof sessions>();
  for (const s of sessions) byAdmin.set(s.username, [...(byAdmin.get(s.username) ?? []), s]);
  const groups = [...byAdmin.entries()].sort(([a], [b]) => Number(b === me.username) - Number(a === me.username) || a.localeCompare(b));
  return (
    <>
      <PageHeader
        title="Admins"
        description="Who can sign in, when they last did, locks after failed sign-ins, and open sessions. Every change here is in the activity log under your name."
        breadcrumb={<Link href="/settings" className="hover:underline">Settings</Link>}
      />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Administrators" description="Delete and reset password ask for your password again. Nobody can disable, delete or reset their own account here, and the last active admin cannot be disabled or deleted." />
          <CardBody className="space-y-5">
            <ul className="space-y-3" aria-label="Administrators">
              {admins.map((a) => {
                const self = a.id === me.id;
                const locked = Boolean(a.lockedUntil);
                return (
                  <li key={a.id} className="rounded-lg border border-slate-200 p-4 dark:border-slate-800" data-testid={`admin-${a.username}`} aria-label={`Admin ${a.username}`}>
                    <div className="flex flex-wrap items-center gap-2">
                      <h3 className="text-base font-semibold [overflow-wrap:anywhere]">{a.username}</h3>
                      {self && <Badge tone="accent">you</Badge>}
                      {a.disabled ? <Badge tone="neutral">disabled</Badge> : <Badge tone="success">active</Badge>}
                      {locked && <Badge tone="danger">locked until {formatDateTime(a.lockedUntil)}</Badge>}
                      {!locked && a.recentFailures > 0 && <Badge tone="warning">{a.recentFailures} failed sign-in{a.recentFailures === 1 ? "" : "s"}</Badge>}
                    </div>
                    <dl className="mt-2 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[9rem_minmax(0,1fr)]">
                      <dt className="text-slate-500 dark:text-slate-400">Created</dt>
                      <dd>{formatDateTime(a.createdAt)}</dd>
                      <dt className="text-slate-500 dark:text-slate-400">Last sign-in</dt>
                      <dd data-testid="last-sign-in">{a.lastSignInAt ? `${formatDateTime(a.lastSignInAt)}${a.lastSignInIp ? ` from ${a.lastSignInIp}` : ""}` : "never"}</dd>
                      <dt className="text-slate-500 dark:text-slate-400">Sign-in lock</dt>
                      <dd data-testid="lock-state">{locked ? `locked until ${formatDateTime(a.lockedUntil)} (${a.recentFailures} failures)` : `not locked (${a.recentFailures} recent failure${a.recentFailures === 1 ? "" : "s"})`}</dd>
                      <dt className="text-slate-500 dark:text-slate-400">Open sessions</dt>
                      <dd>{a.activeSessions}</dd>
                      {a.disabledAt && (<><dt className="text-slate-500 dark:text-slate-400">Disabled</dt><dd>{formatDateTime(a.disabledAt)}</dd></>)}
                    </dl>
                    <div className="mt-3 flex flex-wrap items-center gap-2">
                      {!self && (a.disabled
                        ? <InlineActionForm action={enableAdminAction} fields={{ username: a.username }} label="Enable" pendingLabel="Enabling…" />
                        : <InlineActionForm action={disableAdminAction} fields={{ username: a.username }} label="Disable" pendingLabel="Disabling…" />)}
                      {(locked || a.recentFailures > 0) && <InlineActionForm action={unlockSignInAction} fields={{ username: a.username }} label="Unlock" pendingLabel="Unlocking…" />}
                      {a.activeSessions > 0 && <InlineActionForm action={signOutEverywhereAction} fields={{ username: a.username }} label={self ? "Sign me out everywhere" : "Sign out everywhere"} pendingLabel="Signing out…" />}
                    </div>
                    {self ? (
                      <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">
                        This is you: change your password under <Link href="/settings" className="underline">Settings → Your password</Link>; another admin can disable, delete or reset this account.
                      </p>
                    ) : (
                      <div className="mt-3 grid grid-cols-1 gap-3 md:grid-cols-2">
                        <details className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
                          <summary className={DISCLOSURE}>Reset password…</summary>
                          <div className="mt-3">
                            <ResetAdminPasswordForm action={resetAdminPasswordAction} username={a.username} />
                          </div>
                        </details>
                        <details className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
                          <summary className={DISCLOSURE}>Delete…</summary>
                          <div className="mt-3">
                            <DeleteAdminForm action={deleteAdminAction} username={a.username} />
                          </div>
                        </details>
                      </div>
                    )}
                  </li>
                );
              })}
            </ul>
            <AddAdminForm action={addAdminAction} />
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="Open sessions" description="Every signed-in browser, yours first, then per admin, newest activity first. Ending a session signs that browser out at its next request." />
          <CardBody>
            {sessions.length === 0 ? (
              <EmptyState title="No open sessions" />
            ) : (
              <div className="space-y-6">
                {groups.map(([username, list]) => (
                  <section key={username} aria-label={`Sessions of ${username}`}>
                    <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 pb-2 dark:border-slate-800">
                      <h3 className="text-sm font-semibold [overflow-wrap:anywhere]">
                        {username === me.username ? `Your sessions (${username})` : username} · {list.length} open
                      </h3>
                      <InlineActionForm action={signOutEverywhereAction} fields={{ username }} label={username === me.username ? "Sign me out everywhere" : "Sign out everywhere"} pendingLabel="Signing out…" />
                    </div>
                    <ul className="divide-y divide-slate-100 dark:divide-slate-800">
                      {list.map((s) => (
                        <li key={s.ref} className="flex flex-wrap items-start justify-between gap-3 py-3" data-testid={`session-${s.ref}`} aria-label={`Session ${s.ref} of ${s.username}`}>
                          <div className="min-w-0 flex-1 text-sm">
                            <p className="flex flex-wrap items-center gap-2 font-medium">
                              <span className="font-mono text-xs">{s.ref}</span>
                              {s.ref === myRef && <Badge tone="accent">this session</Badge>}
                            </p>
                            <p className="text-xs text-slate-600 dark:text-slate-400">
                              since {formatDateTime(s.createdAt)} · last seen {formatDateTime(s.lastSeenAt)} · from {s.ip ?? "unknown"}
                            </p>
                            {s.userAgent && <p className="text-xs text-slate-500 [overflow-wrap:anywhere] dark:text-slate-400">{s.userAgent}</p>}
                          </div>
                          <InlineActionForm action={endSessionAction} fields={{ ref: s.ref }} label={s.ref === myRef ? "End (sign out)" : "End session"} pendingLabel="Ending…" />
                        </li>
                      ))}
                    </ul>
                  </section>
                ))}
              </div>
            )}
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="Client address locks" description="Failed sign-ins per client address, all users together. An address is locked after many failures (LOGIN_MAX_FAILURES_PER_IP); a user after a few (LOGIN_MAX_FAILURES)." />
          <CardBody className="space-y-5">
            {addressLocks.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">No client address has failed sign-ins in the current window.</p>
            ) : (
              <ul className="divide-y divide-slate-100 dark:divide-slate-800" aria-label="Client address locks">
                {addressLocks.map((l) => (
                  <li key={l.ip} className="flex flex-wrap items-center justify-between gap-3 py-2 text-sm" aria-label={`Address ${l.ip}`}>
                    <span className="flex flex-wrap items-center gap-2">
                      <span className="font-mono [overflow-wrap:anywhere]">{l.ip}</span>
                      {l.lockedUntil ? <Badge tone="danger">locked until {formatDateTime(l.lockedUntil)}</Badge> : <Badge tone="warning">not locked</Badge>}
                      <span className="text-xs text-slate-600 dark:text-slate-400">{l.failures} failure{l.failures === 1 ? "" : "s"} since {formatDateTime(l.windowStart)}</span>
                    </span>
                    <InlineActionForm action={unlockSignInAction} fields={{ ip: l.ip }} label="Unlock address" pendingLabel="Unlocking…" />
                  </li>
                ))}
              </ul>
            )}
            <UnlockSignInForm action={unlockSignInAction} />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
