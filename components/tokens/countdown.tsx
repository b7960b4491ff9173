"use client";
import { useSyncExternalStore } from "react";
import { Badge, type Tone } from "@/components/ui/badge";

/**
 * A one-second clock shared by every countdown on the page: one interval while any countdown is
 * mounted, none otherwise. No network: the expiry comes from the server once, the ticking is local.
 */
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (!listeners.size && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** null while hydrating (the server's numbers are shown), then the browser's time, every second. */
function useNow(): number | null {
  return useSyncExternalStore(
    subscribe,
    () => now,
    () => null,
  );
}

/** Seconds left, from the browser clock once hydrated, from the server's count before. */
function useSecondsLeft(expiresAt: string, serverSecondsLeft: number): number {
  const current = useNow();
  return current === null ? serverSecondsLeft : Math.floor((Date.parse(expiresAt) - current) / 1000);
}

export function formatCountdown(seconds: number): string {
  const abs = Math.abs(seconds);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  const text = h ? `${h} h ${String(m).padStart(2, "0")} min ${String(s).padStart(2, "0")} s` : m ? `${m} min ${String(s).padStart(2, "0")} s` : `${s} s`;
  return seconds >= 0 ? `expires in ${text}` : `expired ${text} ago`;
}

/** "expires in 59 min 58 s", ticking each second; data-seconds carries the number for tests and tools. */
export function Countdown({ expiresAt, serverSecondsLeft, className }: { expiresAt: string; serverSecondsLeft: number; className?: string }) {
  const left = useSecondsLeft(expiresAt, serverSecondsLeft);
  return (
    <span role="timer" aria-live="off" data-testid="token-countdown" data-seconds={left} className={className} title={expiresAt}>
      {formatCountdown(left)}
    </span>
  );
}

export type TokenState = "valid" | "refresh-due" | "expired" | "refresh-only";

const STATES: Record<TokenState, { tone: Tone; label: string; title: string }> = {
  valid: { tone: "success", label: "Valid", title: "Served from the cache until the refresh margin is reached." },
  "refresh-due": { tone: "warning", label: "Refresh due", title: "Within the refresh margin: the next use gets a new token." },
  expired: { tone: "danger", label: "Expired", title: "The next use gets a new token." },
  "refresh-only": { tone: "info", label: "Refresh only", title: "No access token cached; a refresh token is kept and used on the next request." },
};

/** The entry's state, moving from valid to refresh due to expired as the countdown runs. */
export function TokenStateBadge({ state, expiresAt, serverSecondsLeft, refreshMarginSeconds }: { state: TokenState; expiresAt: string; serverSecondsLeft: number; refreshMarginSeconds: number }) {
  const left = useSecondsLeft(expiresAt, serverSecondsLeft);
  const live: TokenState = state === "refresh-only" ? state : left <= 0 ? "expired" : left <= refreshMarginSeconds ? "refresh-due" : "valid";
  const s = STATES[live];
  return (
    <Badge tone={s.tone} title={s.title}>
      <span className="h-1.5 w-1.5 rounded-full bg-current" aria-hidden="true" />
      <span data-testid="token-state">{s.label}</span>
    </Badge>
  );
}
