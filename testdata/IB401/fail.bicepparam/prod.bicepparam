using './main.bicep'

var prefix = 'aks-identity'
param credentialName = '${prefix}-binding'
