/**
 * Form drafts across a session end, in sessionStorage (this tab only, gone when it closes).
 * Only forms with data-draft take part; only non-secret fields are stored.
 */
import { DRAFT_PREFIX as PREFIX, SIGNIN_AT_KEY } from "./session-keys";

/** A draft is offered back only if the sign-in came soon after it (not days later). */
const MAX_AGE_MS = 6 * 60 * 60_000;

type Draft = { savedAt: number; form: string; values: [string, string | boolean][]; secrets: string[] };

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

function isSecret(el: Field): boolean {
  return (el instanceof HTMLInputElement && (el.type === "password" || el.type === "file" || el.type === "hidden")) || el.name.startsWith("secret.") || el.dataset.secret !== undefined;
}

function labelOf(el: Field): string {
  const label = el.labels?.[0]?.textContent?.trim();
  return label || el.name;
}

function fieldsOf(form: HTMLFormElement): Field[] {
  return Array.from(form.elements).filter((e): e is Field => (e instanceof HTMLInputElement || e instanceof HTMLTextAreaElement || e instanceof HTMLSelectElement) && Boolean(e.name));
}

export function saveDraft(path: string, form: HTMLFormElement): void {
  const name = form.dataset.draft;
  if (!name) return;
  const values: Draft["values"] = [];
  const secrets: string[] = [];
  for (const el of fieldsOf(form)) {
    if (isSecret(el)) {
      if (el instanceof HTMLInputElement && el.type !== "hidden" && el.value) secrets.push(labelOf(el));
      else if (!(el instanceof HTMLInputElement) && el.value) secrets.push(labelOf(el));
      continue;
    }
    values.push([el.name, el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value]);
  }
  try {
    sessionStorage.setItem(PREFIX + path, JSON.stringify({ savedAt: Date.now(), form: name, values, secrets } satisfies Draft));
  } catch {
    // storage full or disabled: nothing to keep
  }
}

/** The draft of `path` if a sign-in happened after it was saved; removes it either way (a draft is offered once). */
export function takeDraft(path: string, signedInAt: number): Draft | null {
  const raw = sessionStorage.getItem(PREFIX + path);
  sessionStorage.removeItem(PREFIX + path);
  if (!raw) return null;
  try {
    const draft = JSON.parse(raw) as Draft;
    return signedInAt > draft.savedAt && signedInAt - draft.savedAt < MAX_AGE_MS ? draft : null;
  } catch {
    return null;
  }
}

/** Puts the values back into the draft's form (React sees them as typed); returns the secrets to retype. */
export function restoreDraft(draft: Draft): string[] {
  const form = document.querySelector<HTMLFormElement>(`form[data-draft="${CSS.escape(draft.form)}"]`);
  if (!form) return [];
  const byName = new Map(fieldsOf(form).map((el) => [el.name, el] as const));
  for (const [name, value] of draft.values) {
    const el = byName.get(name);
    if (!el || isSecret(el)) continue;
    if (el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio")) {
      if (el.checked !== value) el.click();
      continue;
    }
    const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, "value")?.set?.call(el, String(value));
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }
  return draft.secrets;
}

/** /login with "session expired" and the way back to `path`. */
export function loginHref(path: string): string {
  return `/login?reason=expired&next=${encodeURIComponent(path)}`;
}

/**
 * Restores the draft of `path` into its form once the page has it (after a sign-in that came
 * after the draft), in two passes: a restored select can reveal fields the second pass fills.
 * Returns the secrets to type again, or null when there was nothing to restore.
 */
export async function restoreFromStorage(path: string): Promise<string[] | null> {
  const draft = takeDraft(path, Number(sessionStorage.getItem(SIGNIN_AT_KEY) ?? 0));
  if (!draft) return null;
  restoreDraft(draft);
  await new Promise((r) => setTimeout(r, 100));
  return restoreDraft(draft);
}
