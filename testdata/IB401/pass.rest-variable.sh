#!/usr/bin/env bash
# REST reads of the managed credential (GET is the default) and writes of the team's own.
set -euo pipefail
BASE="https://management.azure.com/subscriptions/$SUB/resourceGroups/rg-orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-identity"
MANAGED="$BASE/federatedIdentityCredentials/aks-identity-binding?api-version=2023-01-31"
OWN="$BASE/federatedIdentityCredentials/orders-westeurope?api-version=2023-01-31"
az rest --url "$MANAGED"
curl -sS -H "Authorization: Bearer $TOKEN" "$MANAGED"
az rest --method put --url "$OWN" --body @fic.json
