#!/usr/bin/env bash
# Generic resource commands on the team's own credential, reads of the managed one, and other
# resource types.
set -euo pipefail
IDENTITY_ID=/subscriptions/s/resourceGroups/rg-orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-identity
az resource delete --ids "$IDENTITY_ID/federatedIdentityCredentials/orders-old"
az resource show --ids "$IDENTITY_ID/federatedIdentityCredentials/aks-identity-binding"
az resource delete -g rg-orders --resource-type Microsoft.Storage/storageAccounts --name aks-identity-binding
