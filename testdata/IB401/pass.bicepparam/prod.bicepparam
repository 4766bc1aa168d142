using './main.bicep'

param credentialName = 'orders-westeurope'
