#!/usr/bin/env bash
# An inline suppression past its expiry date is not applied (markers in the .expect file).
# iblint:ignore IB401 expires=2024-01-31 -- temporary, until the migration of January 2024
az identity federated-credential delete --identity-name orders-identity --resource-group rg \
  --name aks-identity-binding --yes
