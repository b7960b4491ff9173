import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { countSelectedByKind, listProfiles } from "@/lib/profiles/dal";
import { EXPORT_FORMATS } from "@/lib/export/formats";
import { KIND_LABELS, PROFILE_KINDS } from "@/lib/profiles/schema";
import { SORT_LABELS, STATUS_FILTERS, parseProfileListParams, statusesOf } from "@/lib/profiles/list-query";
import { formatRelative } from "@/lib/format";
import { ButtonLink, buttonClass } from "@/components/ui/button";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Alert } from "@/components/ui/alert";
import { inputClass } from "@/components/ui/field";
import { Pagination } from "@/components/ui/pagination";
import { KindBadge, StatusBadge } from "@/components/profiles/badges";
import { BulkSelection, SelectProfileCheckbox } from "@/components/profiles/bulk-selection";
import { exportAllAction } from "./export/actions";

export const metadata: Metadata = { title: "Profiles" };
const PAGE_SIZE = 50;

export default async function ProfilesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const admin = await requireAdmin();
  const sp = await searchParams;
  const { q, kind, status, sort, page } = parseProfileListParams(sp);
  const statuses = statusesOf(status);
  const [{ items, total }, kindCounts] = await Promise.all([
    listProfiles(admin, { query: q, kind, statuses, sort, page, pageSize: PAGE_SIZE }),
    countSelectedByKind(admin, { query: q, kinds: kind ? [kind] : undefined, statuses }),
  ]);
  const formats = EXPORT_FORMATS.map((f) => ({ id: f.id, label: f.label, description: f.description, kinds: f.kinds }));
  const filtered = Boolean(q || kind || status);

  return (
    <>
      <PageHeader
        title="Mail profiles"
        description="Each profile holds one way of sending (and reading) mail: its OAuth app, credentials, servers and IBM i settings. Secrets are encrypted and never shown again."
        actions={
          <>
            <ButtonLink href={`/profiles/export${filtered ? `?${new URLSearchParams({ ...(q ? { q } : {}), ...(kind ? { kind } : {}) })}` : ""}`}>{filtered ? "Export these" : "Export all"}</ButtonLink>
            <ButtonLink href="/profiles/new" variant="primary">New profile</ButtonLink>
          </>
        }
      />
      {sp.deleted && (
        <Alert tone="success" role="status" className="mb-4">
          Profile deleted, with its cached tokens.
        </Alert>
      )}
      <form role="search" className="mb-4 flex flex-wrap items-end gap-3" action="/profiles">
        <div className="min-w-60 flex-1">
          <label htmlFor="q" className="sr-only">Search profiles</label>
          <input id="q" name="q" type="search" defaultValue={q} placeholder="Search by name, mailbox or description" className={inputClass} />
        </div>
        <div>
          <label htmlFor="kind" className="sr-only">Kind</label>
          <select id="kind" name="kind" defaultValue={kind ?? ""} className={inputClass}>
            <option value="">All kinds</option>
            {PROFILE_KINDS.map((k) => (
              <option key={k} value={k}>{KIND_LABELS[k]}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="status" className="sr-only">Status</label>
          <select id="status" name="status" defaultValue={status ?? ""} className={inputClass}>
            <option value="">All statuses</option>
            {Object.entries(STATUS_FILTERS).map(([value, f]) => (
              <option key={value} value={value}>{f.label}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="sort" className="sr-only">Sort</label>
          <select id="sort" name="sort" defaultValue={sort} className={inputClass}>
            {Object.entries(SORT_LABELS).map(([value, label]) => (
              <option key={value} value={value}>Sort: {label}</option>
            ))}
          </select>
        </div>
        <button type="submit" className={buttonClass("secondary")}>Apply</button>
        {filtered && <Link href="/profiles" className="text-sm text-indigo-600 hover:underline dark:text-indigo-400">Clear</Link>}
      </form>

      <BulkSelection
        key={`${q ?? ""}|${kind ?? ""}|${status ?? ""}|${sort}|${page}`}
        items={items.map((p) => ({ id: p.id, name: p.name, kind: p.kind }))}
        total={total}
        filter={{ q, kind, status }}
        kindCounts={kindCounts}
        formats={formats}
        exportAction={exportAllAction}
      >
        {items.length === 0 ? (
          filtered ? (
            <EmptyState title="No profile matches">Try another search term, kind or status.</EmptyState>
          ) : (
            <EmptyState title="No mail profiles yet" action={<ButtonLink href="/profiles/new" variant="primary">Create your first profile</ButtonLink>}>
              Start with the kind your target system uses: iMail DELEGATE or APP, IBM i SMTP with a Microsoft app or a Google service account — or import an existing iMailOAuth.config from the Import page.
            </EmptyState>
          )
        ) : (
          <Card className="overflow-hidden">
            {/* A table from 768 px, a list of cards below (each cell a block). */}
            <div className="relative overflow-x-auto">
              <table className="min-w-full divide-y divide-slate-200 text-sm max-md:block dark:divide-slate-800" aria-label="Profiles">
                <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 max-md:hidden dark:bg-slate-900 dark:text-slate-400">
                  <tr>
                    <th scope="col" className="w-10 py-3 pl-4 pr-0"><span className="sr-only">Selected</span></th>
                    <th scope="col" className="px-4 py-3">Name</th>
                    <th scope="col" className="px-4 py-3">Kind</th>
                    <th scope="col" className="px-4 py-3">Account</th>
                    <th scope="col" className="px-4 py-3">Status</th>
                    <th scope="col" className="px-4 py-3">Updated</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100 max-md:block dark:divide-slate-800">
                  {items.map((p) => (
                    <tr key={p.id} className="hover:bg-slate-50 max-md:flex max-md:flex-wrap max-md:items-center max-md:gap-x-3 max-md:gap-y-1.5 max-md:px-4 max-md:py-3 dark:hover:bg-slate-800/50">
                      <td className="w-10 py-3 pl-4 pr-0 max-md:w-auto max-md:p-0">
                        <SelectProfileCheckbox id={p.id} name={p.name} />
                      </td>
                      <td className="px-4 py-3 max-md:min-w-0 max-md:flex-1 max-md:p-0">
                        <Link href={`/profiles/${p.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">{p.name}</Link>
                        {p.description && <p className="mt-0.5 max-w-xs truncate text-xs text-slate-600 dark:text-slate-400">{p.description}</p>}
                      </td>
                      <td className="px-4 py-3 max-md:order-2 max-md:p-0"><KindBadge kind={p.kind} /></td>
                      <td className="px-4 py-3 font-mono text-xs text-slate-700 [overflow-wrap:anywhere] max-md:order-1 max-md:w-full max-md:p-0 dark:text-slate-300">{p.account}</td>
                      <td className="px-4 py-3 max-md:order-3 max-md:p-0"><StatusBadge health={p.health} /></td>
                      <td className="px-4 py-3 text-slate-600 max-md:order-4 max-md:w-full max-md:p-0 max-md:text-xs dark:text-slate-400" title={p.updatedAt}>{formatRelative(p.updatedAt)} by {p.updatedBy}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        )}
      </BulkSelection>
      {total > PAGE_SIZE && <Pagination page={page} pageSize={PAGE_SIZE} total={total} basePath="/profiles" params={{ q, kind, status, sort: sort === "status" ? undefined : sort }} />}
    </>
  );
}
