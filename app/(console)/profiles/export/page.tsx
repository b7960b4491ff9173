import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { countSelectedProfiles } from "@/lib/profiles/dal";
import { KIND_LABELS, PROFILE_KINDS, type ProfileKind } from "@/lib/profiles/schema";
import { EXPORT_FORMATS } from "@/lib/export/formats";
import { Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { BulkExportForm } from "@/components/exports/bulk-export-form";
import { exportAllAction } from "./actions";

export const metadata: Metadata = { title: "Export all profiles" };

/** "Export all": the selection of the profile list (search, kind) in one format, as a ZIP. */
export default async function ExportAllPage({ searchParams }: { searchParams: Promise<{ q?: string; kind?: string }> }) {
  const admin = await requireAdmin();
  const sp = await searchParams;
  const kind = PROFILE_KINDS.includes(sp.kind as ProfileKind) ? (sp.kind as ProfileKind) : undefined;
  const q = sp.q?.trim().slice(0, 200) || undefined;
  const selection = { query: q, kinds: kind ? [kind] : undefined };
  const [selected, formats] = await Promise.all([
    countSelectedProfiles(admin, selection),
    Promise.all(
      EXPORT_FORMATS.map(async (f) => {
        const kinds = f.kinds.filter((k) => !kind || k === kind);
        const count = kinds.length ? await countSelectedProfiles(admin, { query: q, kinds }) : 0;
        return { id: f.id, label: f.label, description: f.description, count };
      }),
    ),
  ]);
  const what = [q && `matching “${q}”`, kind && `of kind ${KIND_LABELS[kind]}`].filter(Boolean).join(", ");
  const back = `/profiles${q || kind ? `?${new URLSearchParams({ ...(q ? { q } : {}), ...(kind ? { kind } : {}) })}` : ""}`;

  return (
    <>
      <PageHeader
        breadcrumb={<Link href={back} className="hover:underline">Profiles</Link>}
        title="Export all profiles"
        description={`${selected} profile${selected === 1 ? "" : "s"}${what ? ` ${what}` : ""}, in one ZIP with a folder per profile (the target systems expect fixed file names such as iMailOAuth.config). The CLI twin: npm run cli -- export --all --format F --out DIR.`}
      />
      <Card>
        <CardHeader title="Download" description="Placeholders stand in for secrets unless you include them. Each batch of 250 profiles is written to the activity log." />
        <CardBody>
          {selected === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              No profile is selected. <Link href="/profiles" className="text-indigo-600 hover:underline dark:text-indigo-400">Back to all profiles</Link>
            </p>
          ) : (
            <BulkExportForm action={exportAllAction} formats={formats} selection={{ q, kind }} selected={selected} />
          )}
        </CardBody>
      </Card>
    </>
  );
}
