#!/usr/bin/env bash
# 18 credentials on one identity: close to the limit (warning).
az identity federated-credential create --identity-name shared -g rg --name cluster-1 --issuer "$ISSUER_1" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-2 --issuer "$ISSUER_2" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-3 --issuer "$ISSUER_3" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-4 --issuer "$ISSUER_4" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-5 --issuer "$ISSUER_5" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-6 --issuer "$ISSUER_6" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-7 --issuer "$ISSUER_7" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-8 --issuer "$ISSUER_8" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-9 --issuer "$ISSUER_9" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-10 --issuer "$ISSUER_10" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-11 --issuer "$ISSUER_11" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-12 --issuer "$ISSUER_12" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-13 --issuer "$ISSUER_13" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-14 --issuer "$ISSUER_14" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-15 --issuer "$ISSUER_15" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-16 --issuer "$ISSUER_16" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-17 --issuer "$ISSUER_17" --subject system:serviceaccount:team-a:orders
az identity federated-credential create --identity-name shared -g rg --name cluster-18 --issuer "$ISSUER_18" --subject system:serviceaccount:team-a:orders  # expect: IB402
