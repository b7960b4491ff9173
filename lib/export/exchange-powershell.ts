import { MAILBOX_PLACEHOLDER } from "../profiles/completeness";
import { AppError } from "../errors";
import { DEFAULTS, type ProfileSettings } from "../profiles/schema";
import { slugify } from "./text";
import type { ExportInput, ExportResult, ExportWarning } from "./types";

/**
 * The Exchange Online side of a Microsoft 365 profile as a PowerShell script (Exchange Online
 * Management module): SMTP AUTH for the mailbox, the service principal, mailbox permission or
 * RBAC for Applications, an application access policy for Graph, and a verification command.
 * Every step checks before it creates, so the script can be run again.
 */

/** A PowerShell single-quoted literal (quotes, including typographic ones, doubled). */
export function psString(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}

/**
 * How Exchange authorises an app-only SMTP token: "rbac" (RBAC for Applications, role
 * "Application SMTP.SendAsApp"; the token must NOT carry the SMTP.SendAsApp claim — the IBM i
 * recipe) or "mailbox-permission" (SMTP.SendAsApp API permission + Add-MailboxPermission).
 * The profile schema has no field for it yet; a profile with IBM i settings follows IBM's
 * recipe, any other the classic mailbox permission. A future `exchangeAuthorization` field wins.
 */
export type ExchangeAuthorization = "rbac" | "mailbox-permission";
export function exchangeAuthorizationOf(s: ProfileSettings): ExchangeAuthorization {
  const explicit = (s as { exchangeAuthorization?: unknown }).exchangeAuthorization;
  if (explicit === "rbac" || explicit === "mailbox-permission") return explicit;
  return s.ibmiJsonPath || s.ibmiAliasDomain || s.ibmiUserProfile ? "rbac" : "mailbox-permission";
}

const SP_OBJECT_ID = "<ENTERPRISE_APP_OBJECT_ID>";

function header(s: ProfileSettings, now: Date, what: string): string[] {
  return [
    `# Exchange Online setup for profile "${s.name}" (${what})`,
    `# Written by OAuth Mail Console, ${now.toISOString()}`,
    "# Run in PowerShell 7 as an Exchange administrator:",
    "#   Install-Module ExchangeOnlineManagement -Scope CurrentUser   (once)",
    "Connect-ExchangeOnline",
    "",
  ];
}

function smtpAuthBlock(mailbox: string): string[] {
  return [
    "# --- 1. Authenticated SMTP for the sender mailbox ---",
    "# Without it Exchange answers 535 5.7.139 (SmtpClientAuthentication is disabled).",
    `$Mailbox = ${psString(mailbox)}`,
    "Set-CASMailbox -Identity $Mailbox -SmtpClientAuthenticationDisabled $false",
    "# The tenant-wide switch must not be on either (expected: False):",
    "Get-TransportConfig | Format-List SmtpClientAuthenticationDisabled",
    "",
  ];
}

function servicePrincipalBlock(s: { clientId: string; name: string }): string[] {
  return [
    "# --- 2. Service principal: Exchange's reference to the app ---",
    "# -ObjectId is the Object ID of the ENTERPRISE APPLICATION (Entra ID > Enterprise applications >",
    "# this app > Overview), NOT the Object ID shown on the App registration page. Using the App",
    "# registration's Object ID creates a principal no token will ever match. To read it:",
    `#   Connect-MgGraph -Scopes Application.Read.All; (Get-MgServicePrincipal -Filter "appId eq '${s.clientId}'").Id`,
    `$AppId = ${psString(s.clientId)}`,
    `$ObjectId = ${psString(SP_OBJECT_ID)}   # replace with the Enterprise Application's Object ID`,
    "if (-not (Get-ServicePrincipal -Identity $ObjectId -ErrorAction SilentlyContinue)) {",
    `  New-ServicePrincipal -AppId $AppId -ObjectId $ObjectId -DisplayName ${psString(s.name)}`,
    "}",
    "",
  ];
}

function rbacBlock(prefix: string, commented: boolean): string[] {
  const c = commented ? "# " : "";
  return [
    `${c}$GroupName = ${psString(`${prefix}-Senders`)}`,
    `${c}$ScopeName = ${psString(`${prefix} RBAC Scope`)}`,
    `${c}if (-not (Get-DistributionGroup -Identity $GroupName -ErrorAction SilentlyContinue)) {`,
    `${c}  New-DistributionGroup -Name $GroupName -Type Security`,
    `${c}}`,
    `${c}Add-DistributionGroupMember -Identity $GroupName -Member $Mailbox -ErrorAction SilentlyContinue`,
    `${c}# The scope filter needs the group's full distinguished name:`,
    `${c}$GroupDN = (Get-DistributionGroup -Identity $GroupName).DistinguishedName`,
    `${c}if (-not (Get-ManagementScope -Identity $ScopeName -ErrorAction SilentlyContinue)) {`,
    `${c}  New-ManagementScope -Name $ScopeName -RecipientRestrictionFilter "MemberOfGroup -eq '$GroupDN'"`,
    `${c}}`,
    `${c}if (-not (Get-ManagementRoleAssignment -Identity ${psString(`${prefix}-RBAC`)} -ErrorAction SilentlyContinue)) {`,
    `${c}  New-ManagementRoleAssignment -Name ${psString(`${prefix}-RBAC`)} -Role "Application SMTP.SendAsApp" -App $AppId -CustomResourceScope $ScopeName`,
    `${c}}`,
    `${c}# Verify (expected: InScope True for Application SMTP.SendAsApp):`,
    `${c}Test-ServicePrincipalAuthorization -Identity $ObjectId -Resource $Mailbox | Format-Table`,
    `${c}# IBM's guide also checks (expected: AccessCheckResult Granted):`,
    `${c}Test-ApplicationAccessPolicy -Identity $Mailbox -AppId $AppId`,
  ];
}

/**
 * Renders the Exchange Online PowerShell for m365-delegated, m365-auth-code, m365-app-smtp and
 * m365-app-graph profiles. Throws AppError("unsupported") for other kinds.
 */
export function renderExchangePowerShell(input: ExportInput): ExportResult {
  const s = input.settings;
  const warnings: ExportWarning[] = [];
  const out: string[] = [];
  switch (s.kind) {
    case "m365-delegated": {
      out.push(...header(s, input.now, "delegated SMTP, iMail DELEGATE"), ...smtpAuthBlock(s.loginUser));
      if (s.fromAddress && s.fromAddress.toLowerCase() !== s.loginUser.toLowerCase()) {
        out.push(
          "# --- 2. Send As: the login user sends as another address ---",
          `# iMail first authenticates as ${s.fromAddress}; when that fails it retries as the login user`,
          "# and rewrites From: to the login user. With Send As, the login user may keep the From address.",
          `Add-RecipientPermission -Identity ${psString(s.fromAddress)} -Trustee $Mailbox -AccessRights SendAs -Confirm:$false`,
          "",
        );
      }
      out.push(
        "# --- Verify (expected: SmtpClientAuthenticationDisabled False) ---",
        "Get-CASMailbox -Identity $Mailbox | Format-List SmtpClientAuthenticationDisabled",
        "",
        "# Note: ROPC does not work when MFA applies to this account (AADSTS50076);",
        "# exclude it from MFA with a Conditional Access policy, or use an APP profile.",
      );
      break;
    }
    case "m365-auth-code": {
      out.push(...header(s, input.now, "authorization code"));
      if (s.useSmtp) out.push(...smtpAuthBlock(s.mailbox));
      else out.push(`$Mailbox = ${psString(s.mailbox)}`, "");
      if (s.useImap) out.push("# --- IMAP for the mailbox ---", "Set-CASMailbox -Identity $Mailbox -ImapEnabled $true", "");
      out.push("# --- Verify ---", "Get-CASMailbox -Identity $Mailbox | Format-List SmtpClientAuthenticationDisabled, ImapEnabled");
      break;
    }
    case "m365-app-smtp": {
      const mode = exchangeAuthorizationOf(s);
      const prefix = s.ibmiJsonPath || s.ibmiAliasDomain || s.ibmiUserProfile ? "IBMi-SMTP" : `SMTP-${slugify(s.name)}`;
      if (!s.mailbox) warnings.push({ message: `The profile has no mailbox (the IBM i JSON file does not name it): replace ${MAILBOX_PLACEHOLDER} with the sender mailbox, or set Mailbox on the profile.` });
      out.push(...header(s, input.now, "app-only SMTP XOAUTH2"), ...smtpAuthBlock(s.mailbox ?? MAILBOX_PLACEHOLDER), ...servicePrincipalBlock(s));
      out.push(
        "# --- 3. Authorise the app for the mailbox: choose ONE of A or B ---",
        "# A. RBAC for Applications (IBM i recipe): role \"Application SMTP.SendAsApp\" scoped to a group.",
        "#    Do NOT also add the SMTP.SendAsApp API permission: RBAC tokens must not carry that claim.",
        ...rbacBlock(prefix, mode !== "rbac"),
        "",
        "# B. Mailbox permission: needs the Office 365 Exchange Online application permission",
        "#    SMTP.SendAsApp with admin consent (the token then carries roles: SMTP.SendAsApp).",
        ...[
          "Add-MailboxPermission -Identity $Mailbox -User $ObjectId -AccessRights FullAccess",
          "# Verify (expected: the service principal with FullAccess):",
          "Get-MailboxPermission -Identity $Mailbox | Where-Object { $_.User -like \"*$ObjectId*\" }",
        ].map((l) => (mode === "mailbox-permission" ? l : `# ${l}`)),
      );
      if (s.scope !== DEFAULTS.outlookAppScope) warnings.push({ message: `The profile's scope "${s.scope}" is not ${DEFAULTS.outlookAppScope}; SMTP will reject the token.` });
      warnings.push({ message: `Replace ${SP_OBJECT_ID} with the Enterprise Application's Object ID (see the comment in the script).` });
      break;
    }
    case "m365-app-graph": {
      // iMail fills {FROM_ADDRESS} per message, so a profile imported from its config may name no From address.
      const fromAddress = s.fromAddress ?? MAILBOX_PLACEHOLDER;
      if (!s.fromAddress) warnings.push({ message: `The profile has no From address (iMail fills {FROM_ADDRESS} per message): replace ${MAILBOX_PLACEHOLDER} with every mailbox the app sends as, or set From address on the profile.` });
      const senders = [fromAddress, ...(s.senderAddress && s.senderAddress.toLowerCase() !== fromAddress.toLowerCase() ? [s.senderAddress] : [])];
      out.push(
        ...header(s, input.now, "app-only Graph sendMail, iMail APP"),
        "# Graph sendMail needs no SMTP AUTH. Mail.Send (application) lets the app send as ANY mailbox;",
        "# an application access policy restricts it to the members of one mail-enabled security group.",
        `$AppId = ${psString(s.clientId)}`,
        `$Mailbox = ${psString(fromAddress)}`,
        `$GroupName = ${psString(`Graph-Senders-${slugify(s.name)}`)}`,
        "if (-not (Get-DistributionGroup -Identity $GroupName -ErrorAction SilentlyContinue)) {",
        "  New-DistributionGroup -Name $GroupName -Type Security",
        "}",
        ...senders.map((m) => `Add-DistributionGroupMember -Identity $GroupName -Member ${psString(m)} -ErrorAction SilentlyContinue`),
        "$GroupSmtp = (Get-DistributionGroup -Identity $GroupName).PrimarySmtpAddress",
        "if (-not (Get-ApplicationAccessPolicy | Where-Object { $_.AppId -eq $AppId })) {",
        `  New-ApplicationAccessPolicy -AppId $AppId -PolicyScopeGroupId $GroupSmtp -AccessRight RestrictAccess -Description ${psString(`OAuth Mail Console profile ${s.name}`)}`,
        "}",
        "# Verify (expected: AccessCheckResult Granted; policies can take up to an hour to apply):",
        ...senders.map((m) => `Test-ApplicationAccessPolicy -Identity ${psString(m)} -AppId $AppId`),
      );
      break;
    }
    default:
      throw new AppError("unsupported", `Exchange Online PowerShell exists only for Microsoft 365 profiles, not ${s.kind}.`);
  }
  return { filename: `${slugify(s.name)}-exchange.ps1`, contentType: "text/plain; charset=utf-8", content: out.join("\n") + "\n", warnings };
}
