// An inline suppression naming a rule that does not exist: reported, and what it names is kept
// as written; the known rule in it still applies (markers in the .expect file).
resource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  name: 'orders-identity/aks-identity-binding' // iblint:ignore IB401,managed-fic-touch -- migration (OPS-315)
}
