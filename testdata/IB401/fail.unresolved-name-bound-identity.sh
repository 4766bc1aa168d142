#!/usr/bin/env bash
# The script binds orders-identity to a cluster, then deletes a credential of that identity whose
# name is only known when the script runs: a note, so a reviewer checks it is not the managed one.
set -euo pipefail
az aks identity-binding create --resource-group rg-orders --cluster-name aks-orders --name orders \
  --managed-identity-resource-id /subscriptions/s/resourceGroups/rg-orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-identity
az identity federated-credential delete --identity-name orders-identity -g rg-orders --yes \
  --name "$(az identity federated-credential list --identity-name orders-identity -g rg-orders --query '[0].name' -o tsv)"  # expect: IB401
