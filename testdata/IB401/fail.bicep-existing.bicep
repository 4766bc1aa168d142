// The identity exists already (read-only), but the credential under it is written.
resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: 'orders-identity'

  resource managed 'federatedIdentityCredentials' = {
    name: 'aks-identity-binding' // expect: IB401
  }
}
