# Points the reports credential at the new cluster's issuer.
param([string]$ResourceGroup, [string]$Issuer)

$params = @{
    Name              = 'reports'
    IdentityName      = 'id-reports'
    ResourceGroupName = $ResourceGroup
    Issuer            = $Issuer
    Subject           = 'system:serviceaccount:reports:reports'
}
Update-AzFederatedIdentityCredential @params
