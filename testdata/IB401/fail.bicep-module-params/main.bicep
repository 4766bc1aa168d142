// The root passes the managed name to a module two levels down: the finding is on the module's
// write (modules/credential.bicep), with this line as the name's source.
module identity './modules/identity.bicep' = {
  name: 'orders-identity'
  params: {
    identityName: 'orders-identity'
    credentialName: 'aks-identity-binding'
  }
}
