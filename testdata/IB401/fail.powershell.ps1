# PowerShell: the managed credential removed with a backtick continuation.
$name = 'aks-identity-binding'
Remove-AzFederatedIdentityCredentials -ResourceGroupName rg-orders -IdentityName orders-identity `
  -Name $name  # expect: IB401
