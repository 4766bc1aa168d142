# REST and resource cmdlets on a URL or resource id built from variables.
$identity = '/subscriptions/s/resourceGroups/rg-orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-identity'
$fic = 'aks-identity-binding'
$uri = "https://management.azure.com$identity/federatedIdentityCredentials/$($fic)?api-version=2023-01-31"
Invoke-RestMethod -Method Delete -Uri $uri -Headers $headers  # expect: IB401@39
Invoke-AzRestMethod -Method PUT -Path "$identity/federatedIdentityCredentials/${fic}?api-version=2023-01-31" -Payload $body  # expect: IB401@39
Remove-AzResource -ResourceId "$identity/federatedIdentityCredentials/$fic" -Force  # expect: IB401@31
