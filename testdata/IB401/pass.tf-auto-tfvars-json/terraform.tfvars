credential_name = "aks-identity-binding"
