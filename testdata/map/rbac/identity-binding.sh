#!/usr/bin/env bash
# The platform team binds the ledger's identity to the cluster: AKS creates and owns the
# identity's federated credential `aks-identity-binding`.
set -euo pipefail
az aks identity-binding create --resource-group rg-payments --cluster-name aks-prod --name ledger \
  --managed-identity-resource-id /subscriptions/s/resourceGroups/rg-payments/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ledger-identity
