# PowerShell that reads the managed credential and removes only the team's own.
$name = 'aks-identity-binding'
Get-AzFederatedIdentityCredentials -ResourceGroupName rg-orders -IdentityName orders-identity -Name $name
$name = 'orders-westeurope-old'
Remove-AzFederatedIdentityCredentials -ResourceGroupName rg-orders -IdentityName orders-identity `
  -Name $name
<# Remove-AzFederatedIdentityCredentials -Name aks-identity-binding #>
Write-Host "Remove-AzFederatedIdentityCredentials -Name aks-identity-binding is never run"
