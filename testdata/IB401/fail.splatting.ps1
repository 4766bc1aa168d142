# PowerShell splatting: the hashtable names the managed credential; the finding is on the
# command's @params, with the hashtable entry as the name's source.
$params = @{
    ResourceGroupName = 'rg-orders'
    IdentityName      = 'orders-identity'
    Name              = 'aks-identity-binding'
}
Remove-AzFederatedIdentityCredential @params -Confirm:$false  # expect: IB401
