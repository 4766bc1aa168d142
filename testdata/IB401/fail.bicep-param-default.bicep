// A parameter default names the managed credential (no parameter file overrides it): the finding
// is on the write's name; the default is the name's source.
param credentialName string = 'aks-identity-binding'

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: 'orders-identity'
}

resource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: uami
  name: credentialName // expect: IB401@9
}
