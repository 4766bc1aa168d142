#!/usr/bin/env bash
# Deletes only its own credentials; reads (az rest GET) and comments do not touch the managed one.
# az identity federated-credential delete --name aks-identity-binding   <- never do this
az identity federated-credential delete --identity-name orders-identity -g rg-orders -n orders-old --yes
az rest --url "https://management.azure.com/x/userAssignedIdentities/orders-identity/federatedIdentityCredentials/aks-identity-binding?api-version=2023-01-31"
az identity federated-credential create --identity-name orders-identity -g rg-orders --name "$(cluster_name)-orders" \
  --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders --audiences api://AzureADTokenExchange
