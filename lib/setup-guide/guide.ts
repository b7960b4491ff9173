import { MAILBOX_PLACEHOLDER } from "../profiles/completeness";
import { resolveTokenUrl } from "../oauth/token-url";
import { DEFAULTS, type ProfileSettings, type ProfileSettingsOf } from "../profiles/schema";
import { exchangeAuthorizationOf } from "../export/exchange-powershell";
import { defaultIbmiJsonPath } from "../export/ibmi-json";
import { imcfg1Port } from "../export/imcfg1";
import type { ExportFormatId } from "../export/types";
import { EXCHANGE_BASIC_AUTH_TIMELINE } from "../mail/exchange-basic-auth";
import { isOpenFinding, type Finding } from "../doctor/types";
import { STEP, type StepId } from "./step-ids";

/**
 * Guided setup: for each profile kind, the ordered steps on the other side (Azure portal,
 * Exchange, Google Cloud / Admin console, IBM i), filled with the profile's own values. A step is
 * "verified" when the console holds the proof named in `verifiedBy` (a token was acquired, a
 * send or IMAP login succeeded); steps on systems the console cannot observe are "manual".
 */

/** What the console knows happened for this profile (from the activity log). */
export type ActivityFacts = { tokenAcquired: boolean; sendSucceeded: boolean; imapSucceeded: boolean };
export type VerifiedBy = "token-acquired" | "send-succeeded" | "imap-succeeded";
export type SetupSystem = "azure" | "microsoft-365-admin" | "exchange" | "google-cloud" | "google-admin" | "ibmi" | "imail" | "idp" | "console";

export type SetupValue = { label: string; value: string };

export type SetupStep = {
  id: StepId;
  system: SetupSystem;
  title: string;
  /** Where to click, e.g. "Azure portal → App registrations → New registration". */
  where: string;
  instructions: string[];
  /** Values to copy, filled from the profile. */
  values: SetupValue[];
  /** The proof that marks the step done; null when the console cannot observe it. */
  verifiedBy: VerifiedBy | null;
  optional?: boolean;
  /** Export that produces the file/commands for this step. */
  exportFormat?: ExportFormatId;
};

/**
 * verified: the console holds the proof and the doctor has nothing open against the step;
 * attention: the doctor has an open finding that this step fixes (whatever the proof says);
 * pending: the console will know once it has the proof; manual: the console cannot observe it;
 * checked: a manual step an admin ticked off.
 */
export type StepStatus = "verified" | "attention" | "pending" | "manual" | "checked";
/** A doctor finding as the guide shows it on the step it points at. */
export type StepFinding = Pick<Finding, "ruleId" | "severity" | "title" | "problem">;
export type StepCheck = { by: string; at: string };
export type EvaluatedStep = SetupStep & { status: StepStatus; findings: StepFinding[]; check?: StepCheck };
export type SetupGuide = {
  kind: ProfileSettings["kind"];
  steps: EvaluatedStep[];
  /** Steps done: verified by proof or ticked off, with nothing open in the doctor. */
  done: number;
  /** Steps to do: every step except optional ones not done. */
  total: number;
  /** Steps the console can verify, and how many of them it has verified. */
  verified: number;
  verifiable: number;
};

export type SetupGuideOptions = {
  /** The console's OAuth callback URL (authorization-code profiles register it as redirect URI). */
  callbackUrl?: string;
  /** The doctor's findings for the profile: an open one (error/warning, not acknowledged) holds its step back. */
  findings?: readonly Finding[];
  /** Manual steps ticked off by an admin, by step id. */
  checks?: Readonly<Record<string, StepCheck>>;
};

const v = (label: string, value: string | undefined | null): SetupValue[] => (value ? [{ label, value }] : []);

// ------------------------------------------------------------------ Microsoft building blocks

function registerApp(s: { name: string; tenantId: string; clientId: string; tokenUrl: string }, extra: string[] = []): SetupStep {
  return {
    id: STEP.azureRegisterApp,
    system: "azure",
    title: "Register an app in Microsoft Entra ID",
    where: "Azure portal → Microsoft Entra ID → App registrations → New registration",
    instructions: [
      `Name it (e.g. ${s.name}); Supported account types: Accounts in this organizational directory only (Single tenant).`,
      ...extra,
      "Click Register; on the Overview page copy the Application (client) ID and the Directory (tenant) ID into this profile.",
    ],
    values: [
      ...v("Application (client) ID (CLIENT_ID)", s.clientId),
      ...v("Directory (tenant) ID (TENANT_ID)", s.tenantId),
      ...v("Token URL", resolveTokenUrl(s.tokenUrl, s.tenantId)),
    ],
    verifiedBy: "token-acquired",
  };
}

function clientCredential(s: { credentialType?: "secret" | "certificate"; secretExpiresAt?: string; name: string }, required: boolean, certificateSha1?: string): SetupStep {
  if (s.credentialType === "certificate") {
    return {
      id: STEP.azureCertificate,
      system: "azure",
      title: "Upload the certificate",
      where: "App registration → Certificates & secrets → Certificates → Upload certificate",
      instructions: ["Upload the public certificate (.cer/.crt/.pem) whose private key is stored in this profile.", "Check that the thumbprint Azure shows equals the one below."],
      values: v("Certificate thumbprint (SHA-1)", certificateSha1),
      verifiedBy: "token-acquired",
    };
  }
  return {
    id: STEP.azureClientSecret,
    system: "azure",
    title: required ? "Create a client secret" : "Create a client secret (only if public client flows stay off)",
    where: "App registration → Certificates & secrets → Client secrets → New client secret",
    instructions: [
      `Description: ${s.name}; choose an expiry (e.g. 24 months) and click Add.`,
      "Copy the secret's Value immediately (not the Secret ID): Azure hides it once you leave the page.",
      "Paste it into this profile and enter its expiry date (Secret expires on): the console warns 30, 14, 7 and 1 days before it stops working, and the doctor flags it.",
    ],
    values: v("Secret expires", s.secretExpiresAt),
    verifiedBy: "token-acquired",
    optional: !required,
  };
}

function adminConsent(verifiedBy: VerifiedBy): SetupStep {
  return {
    id: STEP.azureAdminConsent,
    system: "azure",
    title: "Grant admin consent",
    where: "App registration → API permissions → Grant admin consent for <tenant>",
    instructions: ["Click Grant admin consent and confirm; every permission shows a green check (otherwise AADSTS65001)."],
    values: [],
    verifiedBy,
  };
}

function smtpAuth(mailbox: string, how: "m365-admin" | "exchange-admin"): SetupStep {
  return {
    id: STEP.exchangeSmtpAuth,
    system: how === "m365-admin" ? "microsoft-365-admin" : "exchange",
    title: "Enable Authenticated SMTP for the sender mailbox",
    where:
      how === "m365-admin"
        ? "Microsoft 365 admin center → Users → Active users → (mailbox) → Mail → Manage email apps"
        : "Exchange admin center → Recipients → Mailboxes → (mailbox) → Mail flow settings",
    instructions: [
      `Check Authenticated SMTP for ${mailbox} and save (it may take a few minutes).`,
      "Exchange admin center → Settings → Mail flow: \"Turn off SMTP AUTH protocol for your organization\" must be unchecked.",
      `PowerShell: Set-CASMailbox -Identity ${mailbox} -SmtpClientAuthenticationDisabled $false (export "exchange-powershell").`,
    ],
    values: v("Mailbox", mailbox),
    verifiedBy: "send-succeeded",
    exportFormat: "exchange-powershell",
  };
}

function testSend(verifiedBy: VerifiedBy = "send-succeeded"): SetupStep {
  return {
    id: STEP.consoleTestSend,
    system: "console",
    title: verifiedBy === "imap-succeeded" ? "Test the IMAP login from the console" : "Send a test message from the console",
    where: "This profile → Test",
    instructions: ["Acquire a token and send a test message; the doctor re-checks the token's claims once one is cached."],
    values: [],
    verifiedBy,
  };
}

function dcm(google: boolean): SetupStep {
  return {
    id: STEP.ibmiDcm,
    system: "ibmi",
    title: "Import the CA certificates into DCM",
    where: "IBM i → Digital Certificate Manager → *SYSTEM store",
    instructions: [
      `Download DigiCert Global Root G2, GTS Root R1 and GTS Root R4 (${google ? "https://pki.goog/repository/" : "https://www.digicert.com/kb/digicert-root-certificates.htm"}).`,
      "DCM → Manage Certificates → Import Certificate → CA Certificate, once per certificate (type *CA).",
      "DCM → Manage Applications → Update Certificate Assignment → QIBM_QTMS_SMTP_CLIENT: assign the imported CA certificates.",
      "DCM → Manage Applications → Validate Application: it must show No errors.",
      ...(google
        ? ["Optional check: QSH CMD('/QOpenSys/usr/bin/openssl s_client -connect smtp.gmail.com:587 -starttls smtp -servername smtp.gmail.com > /tmp/ssl_test.txt 2>&1') and read /tmp/ssl_test.txt."]
        : []),
    ],
    values: [{ label: "Application ID", value: "QIBM_QTMS_SMTP_CLIENT" }],
    verifiedBy: null,
  };
}

function ibmiJsonStep(s: ProfileSettingsOf<"m365-app-smtp"> | ProfileSettingsOf<"google-service-account">): SetupStep {
  const path = s.ibmiJsonPath ?? defaultIbmiJsonPath(s.kind);
  return {
    id: STEP.ibmiJsonFile,
    system: "ibmi",
    title: "Put the JSON credential file on the IFS",
    where: "IBM i IFS",
    instructions: [
      `Export "ibmi-json" (with secrets) and copy it to ${path}; restrict it to the SMTP server's profile (it holds a secret).`,
      `"domain" must be ${s.domain} and equal ALIASDMN, or SMTP won't obtain a usable token.`,
    ],
    values: [...v("IFS path", path), ...v("domain", s.domain)],
    verifiedBy: null,
    exportFormat: "ibmi-json",
  };
}

function ibmiSmtpStep(s: ProfileSettingsOf<"m365-app-smtp"> | ProfileSettingsOf<"google-service-account">): SetupStep {
  return {
    id: STEP.ibmiSmtpSetup,
    system: "ibmi",
    title: "Configure IBM i SMTP (CHGSMTPA, ADDUSRSMTP, ADDENVVAR) and enable OAuth",
    where: "IBM i command line (or compile the CLLE member)",
    instructions: [
      'Run the commands of export "ibmi-cl" in order, or compile and call the CLLE member from "ibmi-clle" (safe to run again).',
      "Check the environment variables with WRKENVVAR LEVEL(*SYS); send the SNDSMTPEMM test.",
    ],
    values: [
      ...v("FWDHUBSVR", s.smtpHost),
      ...v("ALIASDMN", s.ibmiAliasDomain ?? s.domain),
      ...v("User profile", s.ibmiUserProfile),
      ...v("ALIAS", s.ibmiAlias ?? (s.kind === "m365-app-smtp" ? s.mailbox : s.impersonateUser)?.split("@")[0]),
    ],
    verifiedBy: null,
    exportFormat: "ibmi-clle",
  };
}

// ------------------------------------------------------------------ per kind

function delegatedSteps(s: ProfileSettingsOf<"m365-delegated">): SetupStep[] {
  const steps: SetupStep[] = [
    registerApp(s, ["Leave Redirect URI blank."]),
    {
      id: STEP.azureApiPermissions,
      system: "azure",
      title: "Add the delegated SMTP.Send permission",
      where: "App registration → API permissions → Add a permission → APIs my organization uses → Office 365 Exchange Online",
      instructions: ["Choose Delegated permissions, check SMTP.Send, click Add permissions."],
      values: [{ label: "Scope requested", value: s.scope }],
      verifiedBy: "token-acquired",
    },
    adminConsent("token-acquired"),
  ];
  if (s.publicClient) {
    steps.push({
      id: STEP.azurePublicClient,
      system: "azure",
      title: "Allow public client flows",
      where: "App registration → Authentication → Advanced settings",
      instructions: ["Set Allow public client flows to Yes and Save (then no client secret is needed)."],
      values: [],
      verifiedBy: "token-acquired",
    });
  } else {
    steps.push({ ...clientCredential(s, true), instructions: ["Allow public client flows stays No, so the app is confidential: a client secret is required (else AADSTS7000218).", ...clientCredential(s, true).instructions] });
  }
  steps.push(
    {
      id: STEP.entraMfa,
      system: "azure",
      title: "Keep MFA off for the login user",
      where: "Microsoft Entra ID → Security → Conditional Access",
      instructions: [`ROPC cannot answer an MFA prompt (AADSTS50076): exclude ${s.loginUser} from MFA policies, or use an APP profile instead.`],
      values: v("Login user", s.loginUser),
      verifiedBy: "token-acquired",
    },
    smtpAuth(s.loginUser, "m365-admin"),
  );
  if (s.fromAddress && s.fromAddress.toLowerCase() !== s.loginUser.toLowerCase()) {
    steps.push({
      id: STEP.exchangeSendAs,
      system: "exchange",
      title: "Let the login user send as the From address",
      where: "Exchange admin center → Recipients → Mailboxes → (from mailbox) → Delegation → Send as",
      instructions: [
        `Add ${s.loginUser} under Send as on ${s.fromAddress}. Without it iMail's first attempt as the from address fails and it retries as the login user, rewriting From:.`,
      ],
      values: [...v("From address", s.fromAddress), ...v("Login user", s.loginUser)],
      verifiedBy: "send-succeeded",
      exportFormat: "exchange-powershell",
    });
  }
  steps.push(...imailSteps(s), testSend());
  return steps;
}

function imailSteps(s: ProfileSettingsOf<"m365-delegated"> | ProfileSettingsOf<"m365-app-graph">): SetupStep[] {
  const delegated = s.kind === "m365-delegated";
  return [
    {
      id: STEP.imailImcfg1,
      system: "imail",
      title: "Fill in the IMCFG1 screen",
      where: "IBM i → iMail configuration command → IMCFG1",
      instructions: ['Key in the values of export "imcfg1" (ESMTP, host, port 00587, addresses, OAuth mode, folder, client id, secret, tenant); F10 saves.'],
      values: [
        { label: "Using OAuth 2.0", value: delegated ? "DELEGATE" : "APP" },
        ...v("SMTP Port", imcfg1Port(delegated ? s.smtpPort : DEFAULTS.m365Smtp.port)),
        ...v("Outlook 365 OAuth Config Folder", s.ibmiConfigFolder),
      ],
      verifiedBy: null,
      exportFormat: "imcfg1",
    },
    {
      id: STEP.imailConfig,
      system: "imail",
      title: "Place iMailOAuth.config in the config folder",
      where: s.ibmiConfigFolder ? `${s.ibmiConfigFolder.replace(/\/$/, "")}/iMailOAuth.config` : "The Outlook 365 OAuth Config Folder on the IFS",
      instructions: [
        'Export "imail-config" (with secrets, or type them in) and save it as iMailOAuth.config; the name is fixed.',
        'Alternatively pass the same settings as system properties (export "system-properties" / "java-properties-list").',
      ],
      values: [],
      verifiedBy: null,
      exportFormat: "imail-config",
    },
  ];
}

function appGraphSteps(s: ProfileSettingsOf<"m365-app-graph">, certificateSha1?: string): SetupStep[] {
  return [
    registerApp(s),
    {
      id: STEP.azureApiPermissions,
      system: "azure",
      title: "Add the Graph Mail.Send application permission",
      where: "App registration → API permissions → Add a permission → Microsoft Graph → Application permissions",
      instructions: ["Search and check Mail.Send, click Add permissions."],
      values: [{ label: "Scope", value: s.scope }],
      verifiedBy: "send-succeeded",
    },
    adminConsent("send-succeeded"),
    clientCredential(s, true, certificateSha1),
    {
      id: STEP.exchangeAppAccessPolicy,
      system: "exchange",
      title: "Restrict the app to its sender mailboxes (application access policy)",
      where: "Exchange Online PowerShell",
      instructions: [
        "Mail.Send (application) allows sending as any mailbox of the tenant; scope it with New-ApplicationAccessPolicy to a mail-enabled security group.",
        'Run the script of export "exchange-powershell"; Test-ApplicationAccessPolicy must answer Granted.',
      ],
      values: [...v("From address", s.fromAddress), ...v("App ID", s.clientId)],
      verifiedBy: "send-succeeded",
      optional: true,
      exportFormat: "exchange-powershell",
    },
    ...imailSteps(s),
    testSend(),
  ];
}

function appSmtpSteps(s: ProfileSettingsOf<"m365-app-smtp">, certificateSha1?: string): SetupStep[] {
  const rbac = exchangeAuthorizationOf(s) === "rbac";
  const ibmi = Boolean(s.ibmiJsonPath || s.ibmiAliasDomain || s.ibmiUserProfile);
  const steps: SetupStep[] = [
    registerApp(s),
    clientCredential(s, true, certificateSha1),
    {
      id: STEP.azureApiPermissions,
      system: "azure",
      title: rbac ? "API permissions (no SMTP.SendAsApp)" : "Add the SMTP.SendAsApp application permission",
      where: "App registration → API permissions → Add a permission",
      instructions: rbac
        ? [
            "Microsoft Graph → Application permissions: Mail.Send and Mail.ReadWrite (IBM's recipe).",
            "Do NOT add SMTP.SendAsApp from Office 365 Exchange Online: with RBAC for Applications the token must not carry that claim.",
          ]
        : ["APIs my organization uses → Office 365 Exchange Online → Application permissions → SMTP.SendAsApp → Add permissions."],
      values: [{ label: "Scope", value: s.scope }],
      verifiedBy: "send-succeeded",
    },
    adminConsent("send-succeeded"),
    smtpAuth(s.mailbox ?? MAILBOX_PLACEHOLDER, "exchange-admin"),
    {
      id: STEP.exchangeLicense,
      system: "microsoft-365-admin",
      title: "Give the sender an Exchange Online license",
      where: "Microsoft 365 admin center → Users → Active users → (user) → Licenses and apps",
      instructions: [`Assign a plan with Exchange Online (e.g. Microsoft 365 Business Standard) to ${s.mailbox}; ${s.domain} must be an authoritative domain verified in Exchange.`],
      values: [...v("Mailbox", s.mailbox), ...v("Domain", s.domain)],
      verifiedBy: "send-succeeded",
    },
    {
      id: STEP.exchangeServicePrincipal,
      system: "exchange",
      title: "Register the service principal in Exchange",
      where: "Exchange Online PowerShell (export \"exchange-powershell\")",
      instructions: [
        "New-ServicePrincipal -AppId <client id> -ObjectId <object id>: the Object ID is the Enterprise Application's (Entra ID → Enterprise applications → the app), NOT the App registration's.",
        `Read it with (Get-MgServicePrincipal -Filter "appId eq '${s.clientId}'").Id.`,
      ],
      values: v("App ID", s.clientId),
      verifiedBy: "send-succeeded",
      exportFormat: "exchange-powershell",
    },
    rbac
      ? {
          id: STEP.exchangeRbac,
          system: "exchange",
          title: "RBAC for Applications: role Application SMTP.SendAsApp",
          where: "Exchange Online PowerShell (export \"exchange-powershell\")",
          instructions: [
            "New-DistributionGroup (security) with the sender as member; New-ManagementScope on MemberOfGroup with the group's DN.",
            'New-ManagementRoleAssignment -Role "Application SMTP.SendAsApp" -App <client id> -CustomResourceScope <scope>.',
            "Verify: Test-ServicePrincipalAuthorization (InScope True) / Test-ApplicationAccessPolicy (Granted).",
          ],
          values: [...v("Mailbox", s.mailbox), ...v("App ID", s.clientId)],
          verifiedBy: "send-succeeded",
          exportFormat: "exchange-powershell",
        }
      : {
          id: STEP.exchangeMailboxPermission,
          system: "exchange",
          title: "Give the service principal access to the mailbox",
          where: "Exchange Online PowerShell (export \"exchange-powershell\")",
          instructions: ["Add-MailboxPermission -Identity <mailbox> -User <service principal object id> -AccessRights FullAccess."],
          values: v("Mailbox", s.mailbox),
          verifiedBy: "send-succeeded",
          exportFormat: "exchange-powershell",
        },
  ];
  if (ibmi) {
    // IBM i's microsoft_app file holds a client secret only, even when the console uses a certificate.
    if (s.credentialType === "certificate") {
      const secret = clientCredential({ ...s, credentialType: "secret" }, true);
      steps.push({ ...secret, title: "Create a client secret for the IBM i", instructions: ["The IBM i JSON file authenticates with client_secret only; the console's certificate cannot be used there.", ...secret.instructions], verifiedBy: null });
    }
    steps.push(dcm(false), ibmiJsonStep(s), ibmiSmtpStep(s));
  }
  steps.push(testSend());
  return steps;
}

function authCodeSteps(s: ProfileSettingsOf<"m365-auth-code">, options: SetupGuideOptions): SetupStep[] {
  const steps: SetupStep[] = [
    registerApp(s, [`Redirect URI: platform Web, ${options.callbackUrl ?? "this console's /api/oauth/callback URL"}.`]),
    {
      id: STEP.azureRedirectUri,
      system: "azure",
      title: "Register the console's callback as redirect URI",
      where: "App registration → Authentication → Add a platform → Web",
      instructions: ["The redirect URI must match exactly, or the sign-in fails with AADSTS50011."],
      values: v("Redirect URI", options.callbackUrl),
      verifiedBy: "token-acquired",
    },
    {
      id: STEP.azureApiPermissions,
      system: "azure",
      title: "Add delegated permissions",
      where: "App registration → API permissions → Add a permission",
      instructions: [`Delegated: offline_access${s.useSmtp ? ", SMTP.Send" : ""}${s.useImap ? ", IMAP.AccessAsUser.All" : ""} (Office 365 Exchange Online / Microsoft Graph).`],
      values: [{ label: "Scope", value: s.scope }],
      verifiedBy: "token-acquired",
    },
    adminConsent("token-acquired"),
    clientCredential(s, false),
  ];
  if (s.useSmtp) steps.push(smtpAuth(s.mailbox, "m365-admin"));
  if (s.useImap) {
    steps.push({
      id: STEP.exchangeImap,
      system: "exchange",
      title: "Enable IMAP for the mailbox",
      where: "Microsoft 365 admin center → Users → Active users → (mailbox) → Mail → Manage email apps",
      instructions: [`Check IMAP for ${s.mailbox} (Set-CASMailbox -ImapEnabled $true).`],
      values: v("Mailbox", s.mailbox),
      verifiedBy: "imap-succeeded",
      exportFormat: "exchange-powershell",
    });
  }
  steps.push(testSend(s.useSmtp ? "send-succeeded" : "imap-succeeded"));
  return steps;
}

function googleSteps(s: ProfileSettingsOf<"google-service-account">): SetupStep[] {
  const ibmi = Boolean(s.ibmiJsonPath || s.ibmiAliasDomain || s.ibmiUserProfile);
  const steps: SetupStep[] = [
    {
      id: STEP.googleProject,
      system: "google-cloud",
      title: "Create a Google Cloud project",
      where: "console.cloud.google.com → New Project",
      instructions: ["Name it (e.g. ibmi-smtp), click Create, select the new project."],
      values: v("Project ID", s.projectId),
      verifiedBy: "token-acquired",
    },
    {
      id: STEP.googleGmailApi,
      system: "google-cloud",
      title: "Enable the Gmail API",
      where: "APIs & Services → Library → Gmail API → Enable",
      instructions: ["Enable the Gmail API in this project."],
      values: [],
      verifiedBy: "send-succeeded",
    },
    {
      id: STEP.googleServiceAccount,
      system: "google-cloud",
      title: "Create the service account and its JSON key",
      where: "APIs & Services → Credentials → Create Credentials → Service Account",
      instructions: [
        "Name it (e.g. ibmi-smtp-service), Create and Continue, Done.",
        "Service account → Keys → Add Key → Create new key → JSON; upload the downloaded file to this profile.",
      ],
      values: [...v("client_email", s.serviceAccountEmail), ...v("private_key_id", s.privateKeyId)],
      verifiedBy: "token-acquired",
    },
    {
      id: STEP.googleDwd,
      system: "google-admin",
      title: "Authorise domain-wide delegation",
      where: "admin.google.com → Security → Access and data control → API controls → Manage Domain Wide Delegation → Add new",
      instructions: [
        "Client ID: the service account's numeric client_id; OAuth Scopes: exactly the scope below; click Authorize.",
        "Propagation can take up to 24 hours (until then Google answers unauthorized_client).",
        `Only Workspace users of ${s.domain} can be impersonated, not @gmail.com accounts.`,
      ],
      values: [{ label: "Client ID", value: s.serviceAccountClientId ?? "(upload the key to fill this in)" }, { label: "OAuth scopes", value: s.scope }, ...v("User to impersonate", s.impersonateUser)],
      verifiedBy: "token-acquired",
    },
    {
      id: STEP.googleSmtpRelay,
      system: "google-admin",
      title: "Enable the SMTP relay service",
      where: "admin.google.com → Apps → Google Workspace → Gmail → Settings for Gmail → SMTP relay service",
      instructions: ["Enable it and add smtp.gmail.com to the hosts (IBM i recipe)."],
      values: [],
      verifiedBy: "send-succeeded",
      optional: !ibmi,
    },
  ];
  if (ibmi) steps.push(dcm(true), ibmiJsonStep(s), ibmiSmtpStep(s));
  steps.push(testSend());
  return steps;
}

function buildSteps(s: ProfileSettings, options: SetupGuideOptions, certificateSha1?: string): SetupStep[] {
  switch (s.kind) {
    case "m365-delegated":
      return delegatedSteps(s);
    case "m365-app-graph":
      return appGraphSteps(s, certificateSha1);
    case "m365-app-smtp":
      return appSmtpSteps(s, certificateSha1);
    case "m365-auth-code":
      return authCodeSteps(s, options);
    case "google-service-account":
      return googleSteps(s);
    case "oauth2-generic":
      return [
        {
          id: STEP.idpClient,
          system: "idp",
          title: "Register the client at the identity provider",
          where: s.tokenUrl,
          instructions: [`Create client ${s.clientId} with grant ${s.grantType} and client authentication ${s.clientAuth}${s.scope ? `, scope ${s.scope}` : ""}.`],
          values: [...v("Client ID", s.clientId), ...v("Token URL", s.tokenUrl), ...v("Scope", s.scope)],
          verifiedBy: "token-acquired",
        },
        testSend(),
      ];
    case "smtp-basic":
      return [
        {
          id: STEP.smtpBasicMigrate,
          system: "console",
          title: "Plan the move to OAuth",
          where: "Profiles → New profile",
          instructions: [
            EXCHANGE_BASIC_AUTH_TIMELINE,
            "Create a Microsoft 365 app (SMTP XOAUTH2) or delegated profile for this mailbox and switch the sender over.",
          ],
          values: v("Mailbox", s.username),
          verifiedBy: null,
        },
        testSend(),
      ];
    case "log-only":
      return [testSend()];
  }
}

/**
 * The checklist for a profile, each step marked verified / attention (the doctor has an open
 * finding for it) / pending (the console will know once it has the proof) / manual (nothing the
 * console can observe) / checked (a manual step ticked off). Pure; never throws.
 */
export function getSetupGuide(settings: ProfileSettings, facts: ActivityFacts, options: SetupGuideOptions & { certificateSha1?: string } = {}): SetupGuide {
  const proof: Record<VerifiedBy, boolean> = {
    "token-acquired": facts.tokenAcquired || facts.sendSucceeded || facts.imapSucceeded,
    "send-succeeded": facts.sendSucceeded,
    "imap-succeeded": facts.imapSucceeded,
  };
  const profileStep: SetupStep = {
    id: STEP.consoleProfile,
    system: "console",
    title: "Complete this profile",
    where: "This profile → Edit",
    instructions: ["Enter the values the steps below produce (ids, secrets, addresses); the doctor lists what is still missing or wrong."],
    values: [],
    verifiedBy: settings.kind === "log-only" ? "send-succeeded" : "token-acquired",
  };
  const open = (options.findings ?? []).filter(isOpenFinding);
  const steps = [profileStep, ...buildSteps(settings, options, options.certificateSha1)].map((step): EvaluatedStep => {
    // The guide and the doctor read the same facts: a step the doctor still finds fault with is
    // not verified, whatever proof the activity log holds (a send can succeed with the wrong claims).
    const findings = open.filter((f) => f.stepId === step.id).map(({ ruleId, severity, title, problem }) => ({ ruleId, severity, title, problem }));
    const check = step.verifiedBy === null ? options.checks?.[step.id] : undefined;
    let status: StepStatus;
    if (findings.length) status = "attention";
    else if (step.verifiedBy === null) status = check ? "checked" : "manual";
    else status = proof[step.verifiedBy] ? "verified" : "pending";
    return { ...step, status, findings, ...(check ? { check } : {}) };
  });
  const isDone = (s: EvaluatedStep) => s.status === "verified" || s.status === "checked";
  const counted = steps.filter((s) => !s.optional || isDone(s));
  const verifiable = steps.filter((s) => s.verifiedBy !== null);
  return {
    kind: settings.kind,
    steps,
    done: counted.filter(isDone).length,
    total: counted.length,
    verified: verifiable.filter((s) => s.status === "verified").length,
    verifiable: verifiable.length,
  };
}
