#!/usr/bin/env bash
# A clean-up script deletes the managed credential (through a variable, across continuations).
set -euo pipefail
FIC_NAME=aks-identity-binding
az identity federated-credential delete \
  --identity-name orders-identity \
  --resource-group rg-orders \
  --yes \
  --name "$FIC_NAME"  # expect: IB401@10
az rest --method DELETE --url "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-identity/federatedIdentityCredentials/aks-identity-binding?api-version=2023-01-31"  # expect: IB401
