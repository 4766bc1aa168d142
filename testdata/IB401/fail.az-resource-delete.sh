#!/usr/bin/env bash
# The generic resource commands reach the credential by id, or by type and parent.
set -euo pipefail
IDENTITY_ID=/subscriptions/s/resourceGroups/rg-orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-identity
az resource delete --ids "$IDENTITY_ID/federatedIdentityCredentials/aks-identity-binding"  # expect: IB401
az resource create -g rg-orders --namespace Microsoft.ManagedIdentity --parent userAssignedIdentities/orders-identity \
  --resource-type federatedIdentityCredentials \
  --name aks-identity-binding --properties @fic.json  # expect: IB401
