# Splatting the team's own credential; reading the managed one with Get- is fine.
$params = @{ ResourceGroupName = 'rg-orders'; IdentityName = 'orders-identity'; Name = 'orders-westeurope' }
Remove-AzFederatedIdentityCredential @params -Confirm:$false
$managed = @{ ResourceGroupName = 'rg-orders'; IdentityName = 'orders-identity'; Name = 'aks-identity-binding' }
Get-AzFederatedIdentityCredential @managed
