#!/usr/bin/env bash
# Declarations that build the team's own name; a variable reassigned before use; a loop variable
# and a read are not writes of the managed credential.
set -euo pipefail
export PREFIX=orders
readonly REGION="westeurope"
declare NAME="aks-identity-binding"
NAME="${PREFIX}-${REGION}"
az identity federated-credential create -g rg-orders --identity-name orders-identity \
  --name "$NAME" --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
for fic in $(az identity federated-credential list -g rg-orders --identity-name orders-identity --query '[].name' -o tsv); do
  az identity federated-credential show -g rg-orders --identity-name orders-identity --name "$fic"
done
az identity federated-credential show -g rg-orders --identity-name orders-identity --name "${MANAGED:-aks-identity-binding}"
