/**
 * Ids of the guided-setup steps. The doctor links each finding to one of these, and the UI
 * anchors the checklist items with them, so they are stable strings.
 */
export const STEP = {
  azureRegisterApp: "azure-register-app",
  azureApiPermissions: "azure-api-permissions",
  azureAdminConsent: "azure-admin-consent",
  azurePublicClient: "azure-public-client",
  azureClientSecret: "azure-client-secret",
  azureCertificate: "azure-certificate",
  azureRedirectUri: "azure-redirect-uri",
  entraMfa: "entra-mfa-exclusion",
  exchangeSmtpAuth: "exchange-smtp-auth",
  exchangeSendAs: "exchange-send-as",
  exchangeLicense: "exchange-license",
  exchangeServicePrincipal: "exchange-service-principal",
  exchangeRbac: "exchange-rbac",
  exchangeMailboxPermission: "exchange-mailbox-permission",
  exchangeAppAccessPolicy: "exchange-app-access-policy",
  exchangeImap: "exchange-imap",
  googleProject: "google-project",
  googleGmailApi: "google-gmail-api",
  googleServiceAccount: "google-service-account",
  googleDwd: "google-domain-wide-delegation",
  googleSmtpRelay: "google-smtp-relay",
  ibmiDcm: "ibmi-dcm-certificates",
  ibmiJsonFile: "ibmi-json-file",
  ibmiSmtpSetup: "ibmi-smtp-setup",
  imailImcfg1: "imail-imcfg1",
  imailConfig: "imail-config-file",
  idpClient: "idp-client",
  smtpBasicMigrate: "smtp-basic-migrate",
  consoleProfile: "console-profile",
  consoleTestSend: "console-test-send",
} as const;
export type StepId = (typeof STEP)[keyof typeof STEP];
