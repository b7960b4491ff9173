/**
 * Small statistics and reporting helpers for the benchmark (no dependencies).
 * Percentiles use the nearest-rank method on the sorted samples.
 */

export type Summary = { n: number; min: number; median: number; mean: number; p95: number; p99: number; max: number };

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    min: round(sorted[0] ?? Number.NaN),
    median: round(percentile(sorted, 50)),
    mean: round(sorted.length ? sum / sorted.length : Number.NaN),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export type Verdict = "pass" | "MISS" | "report";

export type Row = { scenario: string; metric: string; value: string; target: string; verdict: Verdict };

export function verdict(ok: boolean | undefined): Verdict {
  return ok === undefined ? "report" : ok ? "pass" : "MISS";
}

/** A fixed-width text table (stdout). */
export function renderTable(rows: readonly Row[]): string {
  const header: Row = { scenario: "scenario", metric: "metric", value: "value", target: "target", verdict: "report" };
  const cols: (keyof Row)[] = ["scenario", "metric", "value", "target", "verdict"];
  const all = [header, ...rows];
  const width = (k: keyof Row) => Math.max(...all.map((r) => String(r[k]).length));
  const widths = cols.map(width);
  const line = (r: Row, isHeader = false) => cols.map((k, i) => (isHeader && k === "verdict" ? "result" : String(r[k])).padEnd(widths[i])).join(" | ");
  const sep = widths.map((w) => "-".repeat(w)).join("-+-");
  return [line(header, true), sep, ...rows.map((r) => line(r))].join("\n");
}

export function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v < 10 ? `${v.toFixed(3)} ms` : v < 1000 ? `${v.toFixed(1)} ms` : `${(v / 1000).toFixed(2)} s`;
}

export function fmtDist(s: Summary): string {
  return `median ${fmtMs(s.median)}, p95 ${fmtMs(s.p95)}, p99 ${fmtMs(s.p99)} (n=${s.n})`;
}

export function fmtBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} kB`;
}
