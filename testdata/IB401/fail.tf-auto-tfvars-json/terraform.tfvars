credential_name = "orders-westeurope"
