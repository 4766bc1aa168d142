# A complete inline suppression (rule, reason) is applied and not reported.
# iblint:ignore managed-fic-touched -- decommissioning runbook (OPS-316)
Remove-AzFederatedIdentityCredentials -ResourceGroupName rg -IdentityName id-orders -Name 'aks-identity-binding'
