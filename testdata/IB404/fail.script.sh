#!/usr/bin/env bash
# The subject's namespace and name are swapped into a wrong format.
az identity federated-credential create --identity-name orders -g rg --name orders \
  --issuer "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/" \
  --subject "system:serviceaccount:orders"  # expect: IB404
