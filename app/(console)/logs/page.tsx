import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { listActivity, listActivityActions, listActivityActors, type ActivityOutcome } from "@/lib/activity/dal";
import { activityFilterOf, parseActivityQuery } from "@/lib/activity/query";
import { Alert } from "@/components/ui/alert";
import { listProfiles } from "@/lib/profiles/dal";
import { buttonClass } from "@/components/ui/button";
import { Card, CardBody, EmptyState, PageHeader } from "@/components/ui/card";
import { inputClass } from "@/components/ui/field";
import { Pagination } from "@/components/ui/pagination";
import { ActivityList } from "@/components/logs/activity-list";

export const metadata: Metadata = { title: "Logs" };
const PAGE_SIZE = 50;

export default async function LogsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const admin = await requireAdmin();
  const sp = await searchParams;
  // The same filter schema as `cli logs` (lib/activity/query.ts); the page's date inputs are since/until.
  const parsed = parseActivityQuery({ profile: sp.profile, action: sp.action, actor: sp.actor, outcome: sp.outcome, since: sp.from, until: sp.to, q: sp.q, page: sp.page });
  const query = parsed.success ? parsed.data : { page: 1 };
  const { page: _page, ...filter } = activityFilterOf(query, query.profile);
  const page = query.page;
  const outcome: ActivityOutcome | undefined = filter.outcome;
  const [log, actions, actors, profiles] = await Promise.all([listActivity(admin, { ...filter, page, pageSize: PAGE_SIZE }), listActivityActions(admin), listActivityActors(admin), listProfiles(admin, { pageSize: 500 })]);
  const filtered = Object.values(filter).some(Boolean);
  return (
    <>
      <PageHeader title="Logs" description="Every token request, send, IMAP test, export, import, change and sign-in. Secrets never appear here; transcripts are redacted." />
      <form className="mb-4 grid grid-cols-2 gap-3 md:grid-cols-7" action="/logs" aria-label="Filter logs">
        <div className="col-span-2">
          <label htmlFor="q" className="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-400">Text</label>
          <input id="q" name="q" type="search" defaultValue={sp.q} className={inputClass} placeholder="Search summaries" />
        </div>
        <div>
          <label htmlFor="profile" className="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-400">Profile</label>
          <select id="profile" name="profile" defaultValue={sp.profile ?? ""} className={inputClass}>
            <option value="">All</option>
            {profiles.items.map((p) => (<option key={p.id} value={p.id}>{p.name}</option>))}
          </select>
        </div>
        <div>
          <label htmlFor="action" className="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-400">Action</label>
          <select id="action" name="action" defaultValue={sp.action ?? ""} className={inputClass}>
            <option value="">All</option>
            {actions.map((a) => (<option key={a} value={a}>{a}</option>))}
          </select>
        </div>
        <div>
          <label htmlFor="actor" className="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-400">Actor</label>
          <select id="actor" name="actor" defaultValue={sp.actor ?? ""} className={inputClass}>
            <option value="">All</option>
            {actors.map((a) => (<option key={a} value={a}>{a}</option>))}
          </select>
        </div>
        <div>
          <label htmlFor="outcome" className="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-400">Outcome</label>
          <select id="outcome" name="outcome" defaultValue={outcome ?? ""} className={inputClass}>
            <option value="">All</option>
            <option value="success">Success</option>
            <option value="failure">Failure</option>
            <option value="info">Info</option>
          </select>
        </div>
        <div className="flex items-end gap-2">
          <button type="submit" className={buttonClass("secondary", "w-full")}>Filter</button>
        </div>
        <div>
          <label htmlFor="from" className="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-400">From (UTC)</label>
          <input id="from" name="from" type="date" defaultValue={sp.from} className={inputClass} />
        </div>
        <div>
          <label htmlFor="to" className="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-400">To (UTC)</label>
          <input id="to" name="to" type="date" defaultValue={sp.to} className={inputClass} />
        </div>
        {filtered && (
          <div className="flex items-end">
            <Link href="/logs" className="text-sm text-indigo-600 hover:underline dark:text-indigo-400">Clear filters</Link>
          </div>
        )}
      </form>
      {!parsed.success && (
        <Alert tone="danger" role="alert" title="Some filters were not understood and are ignored" className="mb-4">
          {parsed.error.issues.map((i) => i.message).join("; ")}
        </Alert>
      )}
      {log.items.length === 0 ? (
        <EmptyState title={filtered ? "No entries match" : "No activity yet"}>{filtered ? "Widen the filters." : "Sign-ins, profile changes, tokens and sends will appear here."}</EmptyState>
      ) : (
        <Card>
          <CardBody>
            <ActivityList items={log.items} />
          </CardBody>
        </Card>
      )}
      {log.total > PAGE_SIZE && <Pagination page={page} pageSize={PAGE_SIZE} total={log.total} basePath="/logs" params={{ q: sp.q, profile: sp.profile, action: sp.action, actor: sp.actor, outcome, from: sp.from, to: sp.to }} />}
    </>
  );
}
