import { isAppError, type ImportIssueDetail, type ImportRemedyDetail } from "../errors";

/**
 * What stops an import, as data: the problem, where it is (line, key, field) and what fixes it.
 * The remedy is structured so each surface says it its own way — the CLI as `--set field=…`, the
 * console as "enter it below" — from the same facts. Pure; client components may import it.
 */

/** Defined beside AppError (an import error carries them as its typed `detail`). */
export type ImportRemedy = ImportRemedyDetail;
export type ImportIssue = ImportIssueDetail;

/** cli: `--set` wording; web: the Import page's inputs; log: the activity log (no remedy). */
export type ImportSurface = "cli" | "web" | "log";

export function describeImportRemedy(remedy: ImportRemedy, surface: Exclude<ImportSurface, "log">): string {
  switch (remedy.kind) {
    case "missing":
      return surface === "cli" ? `supply it with --set ${remedy.field}=…` : "enter it under “Values the file does not contain”";
    case "placeholder":
      return surface === "cli" ? `supply the real value with --set ${remedy.field}=…` : "enter the real value below or correct the file";
    case "rename":
      return surface === "cli" ? "choose another name with --name NAME" : "choose another name";
  }
}

/** One line for `surface`: the problem, then (except in the log) what to do about it. */
export function describeImportIssue(issue: ImportIssue, surface: ImportSurface): string {
  let text = issue.message;
  if (issue.remedy?.kind === "missing") {
    const field = issue.field ?? issue.remedy.field;
    const who = surface === "cli" ? field : surface === "web" ? (issue.label ?? field) : issue.label ? `${issue.label} (${field})` : field;
    text = `${who} is required: ${issue.message}`;
  }
  return issue.remedy && surface !== "log" ? `${text}; ${describeImportRemedy(issue.remedy, surface)}` : text;
}

/**
 * The issues an import error carries (its typed `detail`, kind "import"), or one issue made of the
 * error's own message and field. A name conflict gets the "rename" remedy. Non-AppErrors are rethrown.
 */
export function importIssuesOf(error: unknown): ImportIssue[] {
  if (!isAppError(error)) throw error;
  const raw: ImportIssue[] = error.detail?.kind === "import" ? error.detail.issues : [{ field: error.field, message: error.userMessage }];
  return raw.map((i) => {
    const field = i.field?.replace(/^settings\./, "");
    const remedy = i.remedy ?? (error.code === "conflict" && field === "name" ? ({ kind: "rename" } as const) : undefined);
    return { ...i, field, remedy };
  });
}
