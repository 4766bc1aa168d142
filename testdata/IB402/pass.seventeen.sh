#!/usr/bin/env bash
# 17 credentials, and deletions that do not count.
az identity federated-credential create --identity-name shared -g rg --name cluster-1 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-2 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-3 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-4 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-5 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-6 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-7 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-8 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-9 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-10 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-11 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-12 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-13 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-14 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-15 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-16 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-17 --issuer "$ISSUER" --subject system:serviceaccount:team-a:orders
az identity federated-credential delete --identity-name shared -g rg --name old-1 --yes
az identity federated-credential delete --identity-name shared -g rg --name old-2 --yes
az identity federated-credential delete --identity-name shared -g rg --name old-3 --yes
az identity federated-credential delete --identity-name shared -g rg --name old-4 --yes
az identity federated-credential delete --identity-name shared -g rg --name old-5 --yes
