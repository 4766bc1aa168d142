#!/usr/bin/env bash
# Removes federated credentials left over from the old cluster.
set -euo pipefail
IDENTITY=orders-identity
az identity federated-credential delete \
  --identity-name "$IDENTITY" \
  --resource-group rg-orders \
  --name aks-identity-binding \
  --yes
