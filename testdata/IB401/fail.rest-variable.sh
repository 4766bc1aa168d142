#!/usr/bin/env bash
# REST writes whose URL takes the credential's name from a variable; the finding is on the URL,
# with the variable's value as the name's source.
set -euo pipefail
FIC_NAME=aks-identity-binding
BASE="https://management.azure.com/subscriptions/$SUB/resourceGroups/rg-orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-identity"
URL="$BASE/federatedIdentityCredentials/$FIC_NAME?api-version=2023-01-31"
az rest --method put --url "$URL" --body @fic.json  # expect: IB401
curl -sS -X DELETE -H "Authorization: Bearer $TOKEN" "$URL"  # expect: IB401
