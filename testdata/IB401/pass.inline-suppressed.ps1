# Inline suppressions in PowerShell: above a command continued with backticks, and on the line.
$name = 'aks-identity-binding'
# iblint:ignore IB401 -- decommissioning runbook for cluster aks-old (OPS-313)
Remove-AzFederatedIdentityCredentials -ResourceGroupName rg-orders -IdentityName orders-identity `
  -Name $name
Remove-AzFederatedIdentityCredentials -ResourceGroupName rg-test -IdentityName test-identity -Name $name # iblint:ignore IB401 -- same runbook
