import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/session";
import { listAdmins } from "@/lib/auth/admins";
import { getConsoleSettings } from "@/lib/settings/dal";
import { initMasterKey } from "@/lib/crypto/keyring";
import { getEnv } from "@/lib/env";
import { formatDateTime } from "@/lib/format";
import { Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { ChangePasswordForm, SettingsForm } from "@/components/settings/forms";
import { BackupForm } from "@/components/settings/admin-forms";
import { changePasswordAction, updateSettingsAction } from "./actions";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const admin = await requireAdmin();
  const [settings, admins, key] = await Promise.all([getConsoleSettings(), listAdmins(admin), initMasterKey()]);
  const env = getEnv();
  return (
    <>
      <PageHeader title="Settings" description="Token refresh, timeouts, log retention, administrators and where the data lives." />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Tokens, timeouts and logs" />
          <CardBody>
            <SettingsForm action={updateSettingsAction} values={settings} />
          </CardBody>
        </Card>
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
          <Card>
            <CardHeader title="Your password" description={`Signed in as ${admin.username}.`} />
            <CardBody>
              <ChangePasswordForm action={changePasswordAction} />
            </CardBody>
          </Card>
          <Card>
            <CardHeader title="Administrators" description="Disable, delete, reset passwords, unlock sign-ins, end sessions." actions={<ButtonLink href="/settings/admins">Manage admins</ButtonLink>} />
            <CardBody>
              <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
                {admins.map((a) => (
                  <li key={a.id} className="flex flex-wrap justify-between gap-x-3 py-2">
                    <span className="font-medium">
                      {a.username}
                      {a.disabled && <span className="ml-2 text-xs text-slate-500">disabled</span>}
                      {a.lockedUntil && <span className="ml-2 text-xs text-red-700 dark:text-red-400">locked until {formatDateTime(a.lockedUntil)}</span>}
                    </span>
                    <span className="text-slate-500">{a.lastSignInAt ? `last sign-in ${formatDateTime(a.lastSignInAt)}` : `since ${formatDateTime(a.createdAt)}`}</span>
                  </li>
                ))}
              </ul>
            </CardBody>
          </Card>
        </div>
        <Card>
          <CardHeader title="Data and master key" description="Back up the database and the key together: one without the other cannot be decrypted." />
          <CardBody>
            <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]">
              <dt className="text-slate-500">Database</dt>
              <dd className="break-all font-mono text-xs">{env.databaseFile}</dd>
              <dt className="text-slate-500">Master key</dt>
              <dd className="break-all font-mono text-xs">{key.source === "env" ? "CONSOLE_MASTER_KEY (environment)" : key.file}</dd>
              <dt className="text-slate-500">Key fingerprint</dt>
              <dd className="font-mono text-xs">{key.fingerprint}</dd>
              <dt className="text-slate-500">Encryption</dt>
              <dd>AES-256-GCM, record id as associated data, format v1</dd>
              <dt className="text-slate-500">Callback URL</dt>
              <dd className="break-all font-mono text-xs">{env.publicUrl}/api/oauth/callback</dd>
            </dl>
            <div className="mt-6 border-t border-slate-100 pt-5 dark:border-slate-800">
              <h3 className="text-sm font-semibold">Backup</h3>
              <p className="mb-3 mt-1 text-sm text-slate-600 dark:text-slate-400">
                A consistent snapshot of the database taken while the console serves (SQLite online backup, like <code className="font-mono text-xs">npm run cli -- backup</code>). Secrets stay encrypted as stored; the master key is not in the file — keep it separately.
              </p>
              <BackupForm endpoint="/settings/backup" />
            </div>
          </CardBody>
        </Card>
      </div>
    </>
  );
}
