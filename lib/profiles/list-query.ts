import { PROFILE_KINDS, type ProfileKind } from "./kinds";

/**
 * The profile list's URL parameters (search, kind, status filter, sort), parsed in one place so
 * the list, the dashboard tiles and the bulk actions select the same profiles. No zod, no
 * server-only: pages and client components both use it.
 */

/** Status filter choices: one status, or "problems" (failing or needs re-authorization). */
export const STATUS_FILTERS: Record<string, { label: string; statuses: string[] }> = {
  problems: { label: "Failing or re-authorize", statuses: ["failing", "needs-reauth"] },
  failing: { label: "Failing", statuses: ["failing"] },
  "needs-reauth": { label: "Re-authorize", statuses: ["needs-reauth"] },
  incomplete: { label: "Incomplete", statuses: ["incomplete"] },
  untested: { label: "Untested", statuses: ["untested"] },
  ok: { label: "Working", statuses: ["ok"] },
};

export const SORT_LABELS = { status: "Failures first", name: "Name", updated: "Last changed" } as const;
export type ListSort = keyof typeof SORT_LABELS;

export type ProfileListParams = { q?: string; kind?: ProfileKind; status?: string; sort: ListSort; page: number };

type Raw = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function parseProfileListParams(sp: Raw): ProfileListParams {
  const kind = one(sp.kind);
  const status = one(sp.status);
  const sort = one(sp.sort);
  return {
    q: one(sp.q)?.slice(0, 200) || undefined,
    kind: PROFILE_KINDS.includes(kind as ProfileKind) ? (kind as ProfileKind) : undefined,
    status: status && status in STATUS_FILTERS ? status : undefined,
    sort: sort && sort in SORT_LABELS ? (sort as ListSort) : "status",
    page: Math.max(1, Number.parseInt(one(sp.page) ?? "1", 10) || 1),
  };
}

/** The statuses a status filter selects (undefined: all). */
export function statusesOf(status: string | undefined): string[] | undefined {
  return status ? STATUS_FILTERS[status]?.statuses : undefined;
}

/** The query string of a list view (defaults left out), without the page. */
export function profileListSearch(p: Partial<Omit<ProfileListParams, "page">>): string {
  const out = new URLSearchParams();
  if (p.q) out.set("q", p.q);
  if (p.kind) out.set("kind", p.kind);
  if (p.status) out.set("status", p.status);
  if (p.sort && p.sort !== "status") out.set("sort", p.sort);
  const s = out.toString();
  return s ? `?${s}` : "";
}

export function profileListHref(p: Partial<Omit<ProfileListParams, "page">>): string {
  return `/profiles${profileListSearch(p)}`;
}
