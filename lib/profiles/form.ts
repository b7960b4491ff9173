import { SECRET_NAMES, type ProfileKind, type SecretName } from "./kinds";
import type { ProfileInput } from "./schema";
export { initialValue } from "./initial-value";
import { PROFILE_FORM } from "./fields";

/**
 * Turns the profile form's FormData into the shape the zod schema validates: settings by field
 * name (empty → absent, so defaults apply), secrets from `secret.<name>` (blank = keep),
 * `clear.<name>` checkboxes into clearSecrets. Checkboxes post a hidden "false" before the box,
 * so the last value wins.
 */
export function profileInputFromForm(form: FormData, kind: ProfileKind): ProfileInput & { version?: string } {
  const last = (name: string): string | undefined => {
    const all = form.getAll(name);
    const v = all[all.length - 1];
    return typeof v === "string" ? v : undefined;
  };
  const settings: Record<string, unknown> = { kind };
  for (const section of PROFILE_FORM[kind]) {
    for (const field of section.fields) {
      if (field.secret) continue;
      const v = last(field.name);
      if (v === undefined) continue;
      if (field.type === "checkbox") settings[field.name] = v;
      else if (v.trim() !== "") settings[field.name] = v;
    }
  }
  const secrets: Partial<Record<SecretName, string>> = {};
  const clearSecrets: SecretName[] = [];
  for (const name of SECRET_NAMES) {
    const v = last(`secret.${name}`);
    if (v !== undefined && v !== "") secrets[name] = v;
    if (last(`clear.${name}`) === "on") clearSecrets.push(name);
  }
  return { settings: settings as ProfileInput["settings"], secrets, clearSecrets, version: last("version") };
}

/** Values a field shows when the form opens: stored settings, else the field's default. */
