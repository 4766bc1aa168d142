#!/usr/bin/env bash
# Inline suppressions in shell: above a command continued over several lines (no comment can sit
# inside one), and at the end of a command's last line.
set -euo pipefail
# iblint:ignore IB401 -- decommissioning script for cluster aks-old, run once by the platform team
az identity federated-credential delete \
  --identity-name orders-identity \
  --resource-group rg-orders \
  --name aks-identity-binding \
  --yes
az rest --method DELETE --url "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-identity/federatedIdentityCredentials/aks-identity-binding?api-version=2023-01-31"  # iblint:ignore * -- same decommissioning
