// The root passes its own credential name to a module two levels down; the module's default
// is overridden, and nothing touches aks-identity-binding.
module identity './modules/identity.bicep' = {
  name: 'orders-identity'
  params: {
    identityName: 'orders-identity'
    credentialName: 'orders-westeurope'
  }
}
