#!/usr/bin/env bash
# The name is built from declarations the way bash runs them: export, readonly, declare, a
# function's local and a ${VAR:-default} the script sets itself.
set -euo pipefail
export PREFIX=aks-identity
readonly SUFFIX="binding"
declare -r MANAGED="${PREFIX}-${SUFFIX}"
IDENTITY=orders-identity

rotate() {
  local name="${FIC_NAME:-$MANAGED}"
  az identity federated-credential create -g rg-orders --identity-name "$IDENTITY" \
    --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders \
    --name "$name"  # expect: IB401@12
}
rotate
