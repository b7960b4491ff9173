"use client";
import { useState } from "react";
import { THEME_COOKIE, THEMES, type Theme } from "./theme";

const LABEL: Record<Theme, string> = { system: "System", light: "Light", dark: "Dark" };

/**
 * Cycles System → Light → Dark. The choice is a cookie (a year, not a secret) that the root
 * layout reads, so the server renders the right theme and nothing flashes; the page switches at
 * once without a round trip.
 */
export function ThemeToggle({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  const next = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
  return (
    <button
      type="button"
      className="rounded-md px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
      aria-label={`Theme: ${LABEL[theme]}. Switch to ${LABEL[next]}`}
      onClick={() => {
        document.cookie = `${THEME_COOKIE}=${next}; path=/; max-age=31536000; samesite=lax`;
        document.documentElement.dataset.theme = next;
        setTheme(next);
      }}
    >
      <span aria-hidden="true">◐</span> <span className="max-sm:sr-only">{LABEL[theme]}</span>
    </button>
  );
}
