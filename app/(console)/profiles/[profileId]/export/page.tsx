import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireAdmin } from "@/lib/auth/session";
import { TOKEN_CACHE_FORMATS } from "@/lib/export/cached-token";
import { EXPORT_FORMATS, listExportFormats, type ExportFormat } from "@/lib/export/formats";
import { exportProfile } from "@/lib/export/service";
import { findProfile } from "@/lib/profiles/dal";
import { KIND_LABELS } from "@/lib/profiles/schema";
import { Alert } from "@/components/ui/alert";
import { ButtonLink, buttonClass } from "@/components/ui/button";
import { Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { CopyButton } from "@/components/ui/copy-button";
import { KindBadge } from "@/components/profiles/badges";
import { CodePreview } from "@/components/exports/code-preview";
import { SecretExportForm } from "@/components/exports/secret-export-form";
import { AllFormatsFormLazy, CompareFormLazy } from "@/components/exports/export-panels-lazy";
import { SettingsCards } from "@/components/exports/settings-cards";
import { COMPARE_FORMATS } from "@/lib/export/compare";
import { buildSettingsCards } from "@/lib/export/settings-cards";
import { resolveTimeZone } from "@/lib/export/time-zone";
import { getOAuthRedirectUri } from "@/lib/tokens/authorization";
import { compareWithExportAction, exportAllFormatsAction, exportWithSecretsAction } from "./actions";

export const metadata: Metadata = { title: "Export" };

/** Headings of the format groups, in the order of EXPORT_FORMATS. */
const GROUP_LABELS: Record<string, string> = {
  imail: "iMail",
  "system-properties": "iMail Java system properties",
  ibmi: "IBM i SMTP",
  "ibmi-cl": "IBM i commands",
  exchange: "Exchange Online",
  backup: "Backup",
};

function groupFormats(formats: ExportFormat[]): { group: string; label: string; formats: ExportFormat[] }[] {
  const out: { group: string; label: string; formats: ExportFormat[] }[] = [];
  for (const f of formats) {
    let g = out.find((x) => x.group === f.group);
    if (!g) out.push((g = { group: f.group, label: GROUP_LABELS[f.group] ?? f.group, formats: [] }));
    g.formats.push(f);
  }
  return out;
}


export default async function ExportPage({ params, searchParams }: { params: Promise<{ profileId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const admin = await requireAdmin();
  const { profileId } = await params;
  const sp = await searchParams;
  const profile = await findProfile(admin, profileId);
  if (!profile) notFound();

  const available = listExportFormats(profile.kind);
  const unavailable = EXPORT_FORMATS.filter((f) => !available.includes(f));
  const requested = typeof sp.format === "string" ? sp.format : undefined;
  const selected = available.find((f) => f.id === requested) ?? available[0];
  const requestedMissing = requested !== undefined && selected.id !== requested;
  // The preview never holds a secret: placeholders, and no activity entry (only downloads are logged).
  const preview = await exportProfile(admin, profile.id, selected.id, { includeSecrets: false });
  const downloadHref = `/profiles/${profile.id}/export/${selected.id}`;
  const comparable = (COMPARE_FORMATS as readonly string[]).includes(selected.id);
  const cards = buildSettingsCards(profile.settings, { consoleRedirectUri: getOAuthRedirectUri() });
  // The file names the ZIP will hold: the same renderers, placeholders only (nothing is logged).
  const zipFiles = await Promise.all(available.map(async (f) => (f.id === selected.id ? preview : await exportProfile(admin, profile.id, f.id, { includeSecrets: false }))));
  const timeZone = resolveTimeZone(profile.settings.ibmiTimeZone || "UTC");

  return (
    <>
      <PageHeader
        breadcrumb={
          <span className="flex flex-wrap items-center gap-1.5">
            <Link href="/profiles" className="hover:underline">Profiles</Link>
            <span aria-hidden="true">/</span>
            <Link href={`/profiles/${profile.id}`} className="hover:underline">{profile.name}</Link>
          </span>
        }
        title="Export"
        description={
          <span className="flex flex-wrap items-center gap-2">
            <KindBadge kind={profile.kind} />
            <span>The files and commands the target system needs, from this profile&apos;s values. Secrets are placeholders unless you include them below.</span>
          </span>
        }
        actions={
          <>
            <ButtonLink href="#all-formats">Download all formats</ButtonLink>
            <ButtonLink href={`/profiles/${profile.id}`}>Back to profile</ButtonLink>
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[17rem_minmax(0,1fr)]">
        <nav aria-label="Export formats" className="space-y-5">
          {groupFormats(available).map((g) => (
            <div key={g.group}>
              <h2 className="mb-1.5 px-3 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{g.label}</h2>
              <ul className="space-y-1">
                {g.formats.map((f) => {
                  const active = f.id === selected.id;
                  return (
                    <li key={f.id}>
                      <Link
                        href={`/profiles/${profile.id}/export?format=${f.id}`}
                        aria-current={active ? "page" : undefined}
                        scroll={false}
                        className={cn(
                          "block rounded-md px-3 py-2 text-sm transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50",
                          active ? "bg-indigo-50 text-indigo-800 ring-1 ring-indigo-200 dark:bg-indigo-950 dark:text-indigo-200 dark:ring-indigo-900" : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800",
                        )}
                      >
                        <span className="block font-medium">{f.label}</span>
                        <span className="mt-0.5 block font-mono text-xs text-slate-600 dark:text-slate-400">{f.id}</span>
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </div>
          ))}
          {unavailable.length > 0 && (
            <p className="px-3 text-xs leading-relaxed text-slate-500 dark:text-slate-400">
              Not for {KIND_LABELS[profile.kind]} profiles: {unavailable.map((f) => f.label).join(", ")}.
            </p>
          )}
        </nav>

        <div className="min-w-0 space-y-6">
          {requestedMissing && (
            <Alert tone="warning" role="status">
              &ldquo;{requested}&rdquo; is not an export of {KIND_LABELS[profile.kind]} profiles; showing {selected.label} instead.
            </Alert>
          )}
          <Card>
            <CardHeader
              id="preview-heading"
              title={selected.label}
              description={selected.description}
              actions={
                <>
                  <CopyButton text={preview.content} ariaLabel={`Copy ${selected.label}`} />
                  <a href={downloadHref} download={preview.filename} className={buttonClass("primary", "px-2.5 py-1 text-xs")}>
                    Download
                  </a>
                </>
              }
            />
            <CardBody className="space-y-4">
              <p className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-500 dark:text-slate-400">
                <span>
                  File: <span className="font-mono text-slate-800 dark:text-slate-200" data-testid="export-filename">{preview.filename}</span>
                </span>
                <span>Secrets: placeholders</span>
                <span>Downloads are logged and never cached.</span>
              </p>
              {preview.warnings.length > 0 && (
                <Alert tone="warning" title={preview.warnings.length === 1 ? "1 thing to check before use" : `${preview.warnings.length} things to check before use`}>
                  <ul className="list-disc space-y-1 pl-5" data-testid="export-warnings">
                    {preview.warnings.map((w, i) => (
                      <li key={i}>{w.message}</li>
                    ))}
                  </ul>
                </Alert>
              )}
              <CodePreview content={preview.content} label={`Preview of ${selected.label}`} testId="export-preview" />
            </CardBody>
          </Card>

          <Card>
            <CardHeader
              id="include-secrets"
              title="Include secrets"
              description={
                TOKEN_CACHE_FORMATS.has(selected.id)
                  ? `The same export with the real client secret or password, plus the cached access token and its expiry when one is cached — written in the IBM i's time zone: ${timeZone.ok ? timeZone.description : profile.settings.ibmiTimeZone} (Edit the profile to change it).`
                  : "The same export with the real secret values instead of placeholders."
              }
            />
            <CardBody>
              <SecretExportForm key={selected.id} action={exportWithSecretsAction.bind(null, profile.id)} format={selected.id} formatLabel={selected.label} tokenCapable={TOKEN_CACHE_FORMATS.has(selected.id)} />
            </CardBody>
          </Card>

          {comparable && (
            <Card>
              <CardHeader id="compare" title="Compare with the file on the target" description={`Paste the ${selected.label} that is on the IBM i / in iMail today to see what differs from this export — the way the target reads it: line endings, trailing blanks, key order and comments do not count.`} />
              <CardBody>
                <CompareFormLazy key={selected.id} action={compareWithExportAction.bind(null, profile.id)} format={selected.id} formatLabel={selected.label} />
              </CardBody>
            </Card>
          )}

          <SettingsCards cards={cards} />

          <Card>
            <CardHeader id="all-formats" title="Download all formats" description={`Every export of this ${KIND_LABELS[profile.kind]} profile in one ZIP, each file exactly as its own download.`} />
            <CardBody>
              <AllFormatsFormLazy action={exportAllFormatsAction.bind(null, profile.id)} files={zipFiles.map((z) => z.filename)} />
            </CardBody>
          </Card>
        </div>
      </div>
    </>
  );
}
