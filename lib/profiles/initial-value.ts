/** A field's value for the form: the stored setting, else the field's default (tiny: the browser imports it). */
export function initialValue(settings: Record<string, unknown> | undefined, name: string, fallback: string | number | boolean | undefined): string | boolean {
  const v = settings?.[name];
  if (typeof v === "boolean") return v;
  if (v !== undefined && v !== null) return String(v);
  if (typeof fallback === "boolean") return fallback;
  return fallback === undefined ? "" : String(fallback);
}
