import { THEMES, type Theme } from "./theme";

const LABEL: Record<Theme, string> = { system: "System", light: "Light", dark: "Dark" };

/**
 * Cycles System → Light → Dark. A form posting to a server action that sets the theme cookie
 * (a year, not a secret); the root layout reads it, so the server renders the chosen theme and
 * nothing flashes. No JavaScript of its own.
 */
export function ThemeToggle({ current, action }: { current: Theme; action: (form: FormData) => Promise<void> }) {
  const next = THEMES[(THEMES.indexOf(current) + 1) % THEMES.length];
  return (
    <form action={action}>
      <input type="hidden" name="theme" value={next} />
      <button type="submit" className="rounded-md px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800" aria-label={`Theme: ${LABEL[current]}. Switch to ${LABEL[next]}`}>
        <span aria-hidden="true">◐</span> <span className="max-sm:sr-only">{LABEL[current]}</span>
      </button>
    </form>
  );
}
