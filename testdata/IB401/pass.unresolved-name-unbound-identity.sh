#!/usr/bin/env bash
# A credential name known only at run time, on an identity nothing in the repository binds to a
# cluster (the binding names another identity): no note, since AKS manages no credential there.
set -euo pipefail
az aks identity-binding create --resource-group rg-orders --cluster-name aks-orders --name billing \
  --managed-identity-resource-id /subscriptions/s/resourceGroups/rg-orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/billing-identity
az identity federated-credential delete --identity-name orders-identity -g rg-orders --yes --name "$1"
az identity federated-credential delete --identity-name billing-identity -g rg-orders --yes --name billing-old
