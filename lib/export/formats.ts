import { AppError } from "../errors";
import { PROFILE_KINDS, type ProfileKind } from "../profiles/schema";
import { renderExchangePowerShell } from "./exchange-powershell";
import { renderIbmiCl, renderIbmiClle } from "./ibmi-cl";
import { renderIbmiJson } from "./ibmi-json";
import { renderImailConfig } from "./imail-config";
import { renderImcfg1 } from "./imcfg1";
import { renderProfileJson } from "./profile-json";
import { renderJavaPropertiesList, renderSystemProperties } from "./system-properties";
import { EXPORT_FORMAT_IDS, type ExportFormatId, type ExportInput, type ExportResult } from "./types";

export type ExportFormat = {
  id: ExportFormatId;
  label: string;
  description: string;
  /** Kinds this format can be rendered for. */
  kinds: readonly ProfileKind[];
  /** File extension of the download, without the dot. */
  extension: string;
  contentType: string;
  /** Formats shown together in the UI (e.g. the two flavours of the IBM i CL). */
  group: string;
  /** Whether the Import page can read this format back. */
  importable: boolean;
  render: (input: ExportInput) => ExportResult;
};

const IMAIL_KINDS = ["m365-delegated", "m365-app-graph"] as const;
const IBMI_SMTP_KINDS = ["m365-app-smtp", "google-service-account"] as const;
const TEXT = "text/plain; charset=utf-8";
const JSON_TYPE = "application/json; charset=utf-8";

/** Every export, in the order the export page lists them. */
export const EXPORT_FORMATS: readonly ExportFormat[] = [
  {
    id: "imail-config",
    label: "iMailOAuth.config",
    description: "iMail's OAuth settings file (DELEGATE or APP), for the Outlook 365 OAuth Config Folder on the IBM i.",
    kinds: IMAIL_KINDS,
    extension: "config",
    contentType: TEXT,
    group: "imail",
    importable: true,
    render: renderImailConfig,
  },
  {
    id: "imcfg1",
    label: "IMCFG1 screen values",
    description: "What to key into iMail's IMCFG1 screen: field, value and note.",
    kinds: IMAIL_KINDS,
    extension: "txt",
    contentType: TEXT,
    group: "imail",
    importable: false,
    render: renderImcfg1,
  },
  {
    id: "system-properties",
    label: "System properties (.properties)",
    description: "imail.oauth.*, imail.smtp.* and icemail.* Java system properties for iMail's sendMail() facade.",
    kinds: IMAIL_KINDS,
    extension: "properties",
    contentType: TEXT,
    group: "system-properties",
    importable: true,
    render: renderSystemProperties,
  },
  {
    id: "java-properties-list",
    label: "QIBM_RPG_JAVA_PROPERTIES (-D list)",
    description: "The same properties as one -Dkey=value; list for the QIBM_RPG_JAVA_PROPERTIES environment variable.",
    kinds: IMAIL_KINDS,
    extension: "txt",
    contentType: TEXT,
    group: "system-properties",
    importable: true,
    render: renderJavaPropertiesList,
  },
  {
    id: "ibmi-json",
    label: "IBM i JSON credential file",
    description: "The IFS file CHGSMTPA OAUTH(...) points at: microsoft_app or the Google service_account key, with the required domain.",
    kinds: IBMI_SMTP_KINDS,
    extension: "json",
    contentType: JSON_TYPE,
    group: "ibmi",
    importable: true,
    render: renderIbmiJson,
  },
  {
    id: "ibmi-cl",
    label: "IBM i commands (to key in)",
    description: "ENDTCPSVR, CHGSMTPA, ADDUSRSMTP, ADDENVVAR, STRTCPSVR, CHGSMTPA OAUTH and a SNDSMTPEMM test, in order.",
    kinds: IBMI_SMTP_KINDS,
    extension: "txt",
    contentType: TEXT,
    group: "ibmi-cl",
    importable: false,
    render: renderIbmiCl,
  },
  {
    id: "ibmi-clle",
    label: "IBM i CLLE source member",
    description: "The same setup as a CLLE program (PGM … ENDPGM) that can be run again safely; 80-column source.",
    kinds: IBMI_SMTP_KINDS,
    extension: "clle",
    contentType: TEXT,
    group: "ibmi-cl",
    importable: false,
    render: renderIbmiClle,
  },
  {
    id: "exchange-powershell",
    label: "Exchange Online PowerShell",
    description: "SMTP AUTH for the mailbox, service principal, RBAC or mailbox permission, application access policy, and verification.",
    kinds: ["m365-delegated", "m365-app-graph", "m365-app-smtp", "m365-auth-code"],
    extension: "ps1",
    contentType: TEXT,
    group: "exchange",
    importable: false,
    render: renderExchangePowerShell,
  },
  {
    id: "profile-json",
    label: "Profile JSON (backup)",
    description: "The whole profile for backup or another console; secrets only when included.",
    kinds: PROFILE_KINDS,
    extension: "json",
    contentType: JSON_TYPE,
    group: "backup",
    importable: true,
    render: renderProfileJson,
  },
];

/** The registry entry of `id`. Throws AppError(invalid_input) naming the valid ids. */
export function getExportFormat(id: string): ExportFormat {
  const f = EXPORT_FORMATS.find((x) => x.id === id);
  if (!f) throw new AppError("invalid_input", `Unknown export format "${id}". Formats: ${EXPORT_FORMAT_IDS.join(", ")}`, { field: "format" });
  return f;
}

/** The formats a profile of this kind can be exported to. */
export function listExportFormats(kind: ProfileKind): ExportFormat[] {
  return EXPORT_FORMATS.filter((f) => f.kinds.includes(kind));
}

/**
 * Renders `format` for the profile in `input`. Throws AppError(invalid_input) for an unknown
 * format and AppError(unsupported) when the profile's kind has no such export.
 */
export function renderExport(format: string, input: ExportInput): ExportResult {
  const f = getExportFormat(format);
  if (!f.kinds.includes(input.settings.kind)) {
    throw new AppError("unsupported", `${f.label} is not available for ${input.settings.kind} profiles (available for: ${f.kinds.join(", ")}).`, { field: "format" });
  }
  return f.render(input);
}
