// Broken Bicep: an unterminated object and string.
resource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  name: 'aks-identity-binding
  properties: {
