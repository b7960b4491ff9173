"use client";
import dynamic from "next/dynamic";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { ProfileKind } from "@/lib/profiles/kinds";
import type { BulkPanelProps, BulkPanelOperation, BulkExportFormat } from "./bulk-panel";
import { Button } from "@/components/ui/button";

/**
 * Selection in the profile list and the bulk toolbar: tick profiles one by one, all on this page,
 * or all matching the list's filter, then test tokens, refresh tokens, export or delete them. The
 * toolbar is small; the panel with the progress, the dialogs and the export form is loaded only
 * when an action is chosen (the list's first-load JavaScript stays small).
 */

const BulkPanel = dynamic<BulkPanelProps>(() => import("./bulk-panel").then((m) => m.BulkPanel), {
  ssr: false,
  loading: () => <p className="px-4 py-3 text-sm text-slate-600 dark:text-slate-400" role="status">Loading…</p>,
});

export type BulkListItem = { id: string; name: string; kind: ProfileKind };

type Ctx = { selected: ReadonlySet<string>; toggle: (id: string, on: boolean) => void };
const SelectionContext = createContext<Ctx>({ selected: new Set(), toggle: () => undefined });

type Props = {
  items: BulkListItem[];
  /** Profiles matching the list's filter (every page). */
  total: number;
  filter: { q?: string; kind?: ProfileKind; status?: string };
  /** Profiles matching the filter per kind (the export's per-format counts for "all matching"). */
  kindCounts: Partial<Record<ProfileKind, number>>;
  formats: BulkExportFormat[];
  exportAction: BulkPanelProps["exportAction"];
  children: ReactNode;
};

export function BulkSelection({ items, total, filter, kindCounts, formats, exportAction, children }: Props) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [operation, setOperation] = useState<BulkPanelOperation | null>(null);
  const pageBox = useRef<HTMLInputElement>(null);
  const opener = useRef<HTMLButtonElement | null>(null);

  const toggle = useCallback((id: string, on: boolean) => {
    setAllMatching(false);
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);
  const ctx = useMemo(() => ({ selected, toggle }), [selected, toggle]);

  const onPage = items.filter((i) => selected.has(i.id)).length;
  const allOnPage = items.length > 0 && onPage === items.length;
  useEffect(() => {
    if (pageBox.current) pageBox.current.indeterminate = onPage > 0 && !allOnPage;
  }, [onPage, allOnPage]);

  const count = allMatching ? total : selected.size;
  const chosen = items.filter((i) => selected.has(i.id));
  const selection: BulkPanelProps["selection"] = allMatching ? { filter } : { ids: chosen.map((i) => i.id) };
  const kinds: Partial<Record<ProfileKind, number>> = allMatching ? kindCounts : chosen.reduce<Partial<Record<ProfileKind, number>>>((acc, i) => ({ ...acc, [i.kind]: (acc[i.kind] ?? 0) + 1 }), {});

  function open(op: BulkPanelOperation, button: HTMLButtonElement) {
    opener.current = button;
    setOperation(op);
  }
  function close() {
    setOperation(null);
  }
  // Back to the button that opened the panel, once it is enabled again.
  const wasOpen = useRef(false);
  useEffect(() => {
    if (operation === null && wasOpen.current) opener.current?.focus();
    wasOpen.current = operation !== null;
  }, [operation]);
  function clear() {
    setSelected(new Set());
    setAllMatching(false);
  }

  const action = (op: BulkPanelOperation, label: string, variant: "secondary" | "danger" = "secondary") => (
    <Button type="button" variant={variant} disabled={count === 0 || operation !== null} onClick={(e) => open(op, e.currentTarget)} className="px-3 py-1.5">
      {label}
    </Button>
  );

  return (
    <SelectionContext.Provider value={ctx}>
      {(items.length > 0 || operation) && (
        <div className="mb-3 overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
          {items.length > 0 && (
            <div role="region" aria-label="Bulk actions" className="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 text-sm">
              <label className="flex items-center gap-2 text-slate-800 dark:text-slate-200">
                <input
                  ref={pageBox}
                  type="checkbox"
                  checked={allOnPage}
                  onChange={(e) => {
                    setAllMatching(false);
                    setSelected(e.target.checked ? new Set(items.map((i) => i.id)) : new Set());
                  }}
                  className="h-4 w-4 rounded border-slate-400 text-indigo-600 dark:border-slate-500 dark:bg-slate-900"
                />
                Select all {items.length} on this page
              </label>
              {allOnPage && total > items.length && !allMatching && (
                <button type="button" onClick={() => setAllMatching(true)} className="font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
                  Select all {total} matching the filter
                </button>
              )}
              <span role="status" className="tabular-nums text-slate-700 dark:text-slate-300" data-testid="bulk-count">
                {count === 0 ? "None selected" : allMatching ? `All ${total} matching selected` : `${count} selected`}
              </span>
              {count > 0 && (
                <button type="button" onClick={clear} className="text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
                  Clear selection
                </button>
              )}
              <div className="flex flex-wrap gap-2 md:ml-auto">
                {action("test", "Test tokens")}
                {action("refresh", "Refresh tokens")}
                {action("export", "Export…")}
                {action("delete", "Delete…", "danger")}
              </div>
            </div>
          )}
          {operation && (
            <BulkPanel
              key={operation}
              operation={operation}
              selection={selection}
              count={count}
              names={allMatching ? [] : chosen.map((i) => i.name)}
              kindCounts={kinds}
              formats={formats}
              exportAction={exportAction}
              onClose={close}
              onDeleted={clear}
            />
          )}
        </div>
      )}
      {children}
    </SelectionContext.Provider>
  );
}

/** A row's checkbox, labelled with the profile's name. */
export function SelectProfileCheckbox({ id, name }: { id: string; name: string }) {
  const { selected, toggle } = useContext(SelectionContext);
  return (
    <input
      type="checkbox"
      aria-label={`Select ${name}`}
      checked={selected.has(id)}
      onChange={(e) => toggle(id, e.target.checked)}
      className="h-4 w-4 rounded border-slate-400 text-indigo-600 dark:border-slate-500 dark:bg-slate-900"
    />
  );
}
