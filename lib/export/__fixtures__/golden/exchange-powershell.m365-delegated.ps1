# Exchange Online setup for profile "Fixture m365-delegated" (delegated SMTP, iMail DELEGATE)
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

# --- 2. Send As: the login user sends as another address ---
# iMail first authenticates as noreply@contoso.com; when that fails it retries as the login user
# and rewrites From: to the login user. With Send As, the login user may keep the From address.
Add-RecipientPermission -Identity 'noreply@contoso.com' -Trustee $Mailbox -AccessRights SendAs -Confirm:$false

# --- Verify (expected: SmtpClientAuthenticationDisabled False) ---
Get-CASMailbox -Identity $Mailbox | Format-List SmtpClientAuthenticationDisabled

# Note: ROPC does not work when MFA applies to this account (AADSTS50076);
# exclude it from MFA with a Conditional Access policy, or use an APP profile.
