#!/usr/bin/env bash
# Federates the controllers' ServiceAccounts with their managed identities.
set -euo pipefail

CAPZ_CREDENTIAL="capz-federated-identity"
IDENTITY_NAME="${IDENTITY_NAME:-id-capz}"

federate() {
  local name="$1" subject="$2"
  az identity federated-credential create \
    --name "${name}" \
    --identity-name "${IDENTITY_NAME}" \
    --resource-group "${RESOURCE_GROUP}" \
    --issuer "${OIDC_ISSUER}" \
    --subject "${subject}"
}

az identity federated-credential create \
  --name "${CAPZ_CREDENTIAL}" \
  --identity-name "${IDENTITY_NAME}" \
  --resource-group "${RESOURCE_GROUP}" \
  --issuer "${OIDC_ISSUER}" \
  --subject "system:serviceaccount:capz-system:capz-manager"

federate "aso-credential" "system:serviceaccount:aso-system:aso-controller"

if [[ "${CLEANUP:-}" == "true" ]]; then
  az identity federated-credential delete --name "${CAPZ_CREDENTIAL}" \
    --identity-name "${IDENTITY_NAME}" --resource-group "${RESOURCE_GROUP}" --yes
fi
