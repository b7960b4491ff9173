# Exchange Online setup for profile "Fixture m365-app-smtp" (app-only SMTP XOAUTH2)
# Written by OAuth Mail Console, 2026-03-15T12:00:00.000Z
# Run in PowerShell 7 as an Exchange administrator:
#   Install-Module ExchangeOnlineManagement -Scope CurrentUser   (once)
Connect-ExchangeOnline

# --- 1. Authenticated SMTP for the sender mailbox ---
# Without it Exchange answers 535 5.7.139 (SmtpClientAuthentication is disabled).
$Mailbox = 'sender@contoso.com'
Set-CASMailbox -Identity $Mailbox -SmtpClientAuthenticationDisabled $false
# The tenant-wide switch must not be on either (expected: False):
Get-TransportConfig | Format-List SmtpClientAuthenticationDisabled

# --- 2. Service principal: Exchange's reference to the app ---
# -ObjectId is the Object ID of the ENTERPRISE APPLICATION (Entra ID > Enterprise applications >
# this app > Overview), NOT the Object ID shown on the App registration page. Using the App
# registration's Object ID creates a principal no token will ever match. To read it:
#   Connect-MgGraph -Scopes Application.Read.All; (Get-MgServicePrincipal -Filter "appId eq '3f2e1d0c-b9a8-4765-8432-10fedcba9876'").Id
$AppId = '3f2e1d0c-b9a8-4765-8432-10fedcba9876'
$ObjectId = '<ENTERPRISE_APP_OBJECT_ID>'   # replace with the Enterprise Application's Object ID
if (-not (Get-ServicePrincipal -Identity $ObjectId -ErrorAction SilentlyContinue)) {
  New-ServicePrincipal -AppId $AppId -ObjectId $ObjectId -DisplayName 'Fixture m365-app-smtp'
}

# --- 3. Authorise the app for the mailbox: choose ONE of A or B ---
# A. RBAC for Applications (IBM i recipe): role "Application SMTP.SendAsApp" scoped to a group.
#    Do NOT also add the SMTP.SendAsApp API permission: RBAC tokens must not carry that claim.
$GroupName = 'IBMi-SMTP-Senders'
$ScopeName = 'IBMi-SMTP RBAC Scope'
if (-not (Get-DistributionGroup -Identity $GroupName -ErrorAction SilentlyContinue)) {
  New-DistributionGroup -Name $GroupName -Type Security
}
Add-DistributionGroupMember -Identity $GroupName -Member $Mailbox -ErrorAction SilentlyContinue
# The scope filter needs the group's full distinguished name:
$GroupDN = (Get-DistributionGroup -Identity $GroupName).DistinguishedName
if (-not (Get-ManagementScope -Identity $ScopeName -ErrorAction SilentlyContinue)) {
  New-ManagementScope -Name $ScopeName -RecipientRestrictionFilter "MemberOfGroup -eq '$GroupDN'"
}
if (-not (Get-ManagementRoleAssignment -Identity 'IBMi-SMTP-RBAC' -ErrorAction SilentlyContinue)) {
  New-ManagementRoleAssignment -Name 'IBMi-SMTP-RBAC' -Role "Application SMTP.SendAsApp" -App $AppId -CustomResourceScope $ScopeName
}
# Verify (expected: InScope True for Application SMTP.SendAsApp):
Test-ServicePrincipalAuthorization -Identity $ObjectId -Resource $Mailbox | Format-Table
# IBM's guide also checks (expected: AccessCheckResult Granted):
Test-ApplicationAccessPolicy -Identity $Mailbox -AppId $AppId

# B. Mailbox permission: needs the Office 365 Exchange Online application permission
#    SMTP.SendAsApp with admin consent (the token then carries roles: SMTP.SendAsApp).
# Add-MailboxPermission -Identity $Mailbox -User $ObjectId -AccessRights FullAccess
# # Verify (expected: the service principal with FullAccess):
# Get-MailboxPermission -Identity $Mailbox | Where-Object { $_.User -like "*$ObjectId*" }
