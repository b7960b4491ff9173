# Exchange Online setup for profile "Fixture m365-app-graph" (app-only Graph sendMail, iMail APP)
# Written by OAuth Mail Console, 2026-03-15T12:00:00.000Z
# Run in PowerShell 7 as an Exchange administrator:
#   Install-Module ExchangeOnlineManagement -Scope CurrentUser   (once)
Connect-ExchangeOnline

# Graph sendMail needs no SMTP AUTH. Mail.Send (application) lets the app send as ANY mailbox;
# an application access policy restricts it to the members of one mail-enabled security group.
$AppId = '3f2e1d0c-b9a8-4765-8432-10fedcba9876'
$Mailbox = 'noreply@contoso.com'
$GroupName = 'Graph-Senders-fixture-m365-app-graph'
if (-not (Get-DistributionGroup -Identity $GroupName -ErrorAction SilentlyContinue)) {
  New-DistributionGroup -Name $GroupName -Type Security
}
Add-DistributionGroupMember -Identity $GroupName -Member 'noreply@contoso.com' -ErrorAction SilentlyContinue
$GroupSmtp = (Get-DistributionGroup -Identity $GroupName).PrimarySmtpAddress
if (-not (Get-ApplicationAccessPolicy | Where-Object { $_.AppId -eq $AppId })) {
  New-ApplicationAccessPolicy -AppId $AppId -PolicyScopeGroupId $GroupSmtp -AccessRight RestrictAccess -Description 'OAuth Mail Console profile Fixture m365-app-graph'
}
# Verify (expected: AccessCheckResult Granted; policies can take up to an hour to apply):
Test-ApplicationAccessPolicy -Identity 'noreply@contoso.com' -AppId $AppId
