# Exchange Online setup for profile "Fixture m365-auth-code" (authorization code)
# Written by OAuth Mail Console, 2026-03-15T12:00:00.000Z
# Run in PowerShell 7 as an Exchange administrator:
#   Install-Module ExchangeOnlineManagement -Scope CurrentUser   (once)
Connect-ExchangeOnline

# --- 1. Authenticated SMTP for the sender mailbox ---
# Without it Exchange answers 535 5.7.139 (SmtpClientAuthentication is disabled).
$Mailbox = 'listener@contoso.com'
Set-CASMailbox -Identity $Mailbox -SmtpClientAuthenticationDisabled $false
# The tenant-wide switch must not be on either (expected: False):
Get-TransportConfig | Format-List SmtpClientAuthenticationDisabled

# --- IMAP for the mailbox ---
Set-CASMailbox -Identity $Mailbox -ImapEnabled $true

# --- Verify ---
Get-CASMailbox -Identity $Mailbox | Format-List SmtpClientAuthenticationDisabled, ImapEnabled
