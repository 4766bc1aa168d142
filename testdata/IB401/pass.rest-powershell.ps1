# Reading the managed credential over REST is fine; writes go to the team's own credential.
$identity = '/subscriptions/s/resourceGroups/rg-orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-identity'
$managed = 'aks-identity-binding'
$own = 'orders-westeurope'
$read = Invoke-RestMethod -Uri "https://management.azure.com$identity/federatedIdentityCredentials/$($managed)?api-version=2023-01-31" -Headers $headers
Invoke-AzRestMethod -Method GET -Path "$identity/federatedIdentityCredentials/${managed}?api-version=2023-01-31"
Get-AzResource -ResourceId "$identity/federatedIdentityCredentials/$managed"
Invoke-RestMethod -Method Delete -Uri "https://management.azure.com$identity/federatedIdentityCredentials/$($own)?api-version=2023-01-31" -Headers $headers
Remove-AzResource -ResourceId "$identity/federatedIdentityCredentials/$own" -Force
