use super::*;
use crate::model::{FederatedCredential, FicAction};

fn scan_as(text: &str, dialect: Dialect, env: &[(String, Text)]) -> Objects {
    let path: Arc<str> = Arc::from("s.sh");
    let mut out = Objects::default();
    scan(&Script { text, path: &path, dialect, lines: 0, cols: 0, env }, &mut out);
    out
}

fn shell(text: &str) -> Vec<FederatedCredential> {
    scan_as(text, Dialect::Shell, &[]).federated_credentials
}

fn pwsh(text: &str) -> Vec<FederatedCredential> {
    scan_as(text, Dialect::PowerShell, &[]).federated_credentials
}

fn name(f: &FederatedCredential) -> Option<&str> {
    f.name.as_ref().map(|n| n.value.as_str())
}

fn at(span: Option<crate::span::Span>) -> Option<(u32, u32)> {
    span.map(|s| (s.start().line, s.start().col))
}

#[test]
fn multi_line_az_with_variables() {
    let f = shell("NAME=aks-identity-binding\n# az identity federated-credential delete -n x\naz identity federated-credential delete \\\n  --identity-name id \\\n  --name \"$NAME\" --yes\n");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].action, FicAction::Delete);
    assert_eq!(name(&f[0]), Some("aks-identity-binding"));
    assert_eq!(at(f[0].name.as_ref().map(|n| n.span)), Some((5, 10)));
    assert_eq!(at(f[0].name_source), Some((1, 6)));
    assert_eq!(f[0].identity_text().as_deref(), Some("id"));
}

#[test]
fn declarations_and_chained_variables() {
    let f = shell("export A=aks-identity\nreadonly B=\"${A}-binding\"\ndeclare -r C=$B\nf() {\n  local D=$C\n  az identity federated-credential create -g rg --identity-name id -n \"$D\"\n}\n");
    assert_eq!(f.len(), 1);
    assert_eq!(name(&f[0]), Some("aks-identity-binding"));
    assert_eq!(at(f[0].name_source), Some((1, 10)));
}

#[test]
fn unresolved_names_stay_unknown_and_reads_are_not_writes() {
    let f = shell("az identity federated-credential create --name \"$(date)\" --identity-name id\naz identity federated-credential create -n \"$UNSET\"\necho az identity federated-credential delete -n aks-identity-binding\naz identity federated-credential show -n aks-identity-binding --identity-name id\naz rest --url https://x/federatedIdentityCredentials/aks-identity-binding\n");
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(f.iter().all(|f| f.name.is_none()));
    assert_eq!(at(f[0].unresolved_name), Some((1, 48)));
}

#[test]
fn command_substitutions_and_heredocs() {
    let f = shell("OUT=$(az rest --method delete --url \"https://m/userAssignedIdentities/id/federatedIdentityCredentials/aks-identity-binding?api-version=1\")\ncat <<EOF\naz identity federated-credential delete -n aks-identity-binding\nEOF\n");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].display.to_string(), "az rest DELETE");
    assert_eq!(f[0].identity_text().as_deref(), Some("id"));
}

#[test]
fn rest_writes_with_the_name_in_a_variable() {
    let f = shell("FIC=aks-identity-binding\nURL=\"https://management.azure.com${ID}/federatedIdentityCredentials/${FIC}?api-version=2023-01-31\"\ncurl -sS -X DELETE -H \"Authorization: Bearer $T\" \"$URL\"\ncurl -X PUT --data @body.json \"$URL\"\ncurl \"$URL\"\ncurl -d @x \"$URL\"\n");
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[0].action, FicAction::Delete);
    assert_eq!(f[1].action, FicAction::Create);
    assert_eq!(name(&f[0]), Some("aks-identity-binding"));
    assert_eq!(at(f[0].name_source), Some((1, 5)));
    assert_eq!(at(f[0].name.as_ref().map(|n| n.span)), Some((3, 50)));
}

#[test]
fn az_resource_by_id_and_by_type() {
    let f = shell("az resource delete --ids /subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders/federatedIdentityCredentials/aks-identity-binding\naz resource create -g rg --namespace Microsoft.ManagedIdentity --resource-type federatedIdentityCredentials --parent userAssignedIdentities/orders -n aks-identity-binding -p '{}'\naz resource tag --name orders/aks-identity-binding --resource-type Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials -g rg --tags a=b\naz resource show --ids /x/userAssignedIdentities/o/federatedIdentityCredentials/aks-identity-binding\naz resource delete --name x --resource-type Microsoft.Storage/storageAccounts -g rg\n");
    assert_eq!(f.len(), 3, "{f:#?}");
    assert!(f
        .iter()
        .all(|f| name(f) == Some("aks-identity-binding") && f.identity_text().as_deref() == Some("orders")));
    assert_eq!([f[0].action, f[1].action, f[2].action], [FicAction::Delete, FicAction::Create, FicAction::Update]);
}

#[test]
fn powershell_assignments_splatting_and_rest() {
    let f = pwsh("$p = @{\n  ResourceGroupName = 'rg'\n  IdentityName = 'orders'\n  Name = 'aks-identity-binding'\n}\nRemove-AzFederatedIdentityCredential @p -Confirm:$false\n$n = \"aks-identity-\" + 'binding'\n$uri = \"https://management.azure.com/x/userAssignedIdentities/orders/federatedIdentityCredentials/$($n)?api-version=2023-01-31\"\nInvoke-RestMethod -Method Delete -Uri $uri -Headers $h\nInvoke-AzRestMethod -Path \"/x/userAssignedIdentities/orders/federatedIdentityCredentials/${n}?api-version=1\" -Method PUT -Payload $b\nGet-AzFederatedIdentityCredential @p\n$r = Invoke-RestMethod -Uri $uri\n");
    assert_eq!(f.len(), 3, "{f:#?}");
    assert!(f.iter().all(|f| name(f) == Some("aks-identity-binding")), "{f:#?}");
    assert_eq!(f[0].display.to_string(), "Remove-AzFederatedIdentityCredential");
    assert_eq!(at(f[0].name.as_ref().map(|n| n.span)), Some((6, 38)));
    assert_eq!(at(f[0].name_source), Some((4, 11)));
    assert_eq!(f[0].identity_text().as_deref(), Some("orders"));
    assert_eq!(f[1].action, FicAction::Delete);
    assert_eq!(f[2].action, FicAction::Create);
}

#[test]
fn powershell_commands_in_assignments_and_environment() {
    let env = [("FIC".to_string(), Text::literal("aks-identity-binding", None))];
    let f = scan_as("$null = New-AzFederatedIdentityCredential -ResourceGroupName rg -IdentityName id -Name $env:FIC -Issuer $i -Subject s\n$x = Get-Date\n", Dialect::PowerShell, &env).federated_credentials;
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(name(&f[0]), Some("aks-identity-binding"));
}

#[test]
fn identity_bindings_and_github_env() {
    let path: Arc<str> = Arc::from("s.sh");
    let mut out = Objects::default();
    let text = "az aks identity-binding create -g rg --cluster-name aks -n b --managed-identity-resource-id \"$ID\"\nID=/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders\naz aks identity-binding create -g rg --cluster-name aks -n b --managed-identity-resource-id \"$ID\"\necho \"FIC_NAME=aks-identity-binding\" >> \"$GITHUB_ENV\"\n";
    let exported = scan(&Script { text, path: &path, dialect: Dialect::Shell, lines: 0, cols: 0, env: &[] }, &mut out);
    assert_eq!(out.identity_bindings.len(), 2);
    assert_eq!(out.identity_bindings[0].identity, None);
    assert_eq!(out.identity_bindings[1].identity.as_deref(), Some("orders"));
    assert_eq!(exported.len(), 1);
    assert_eq!(exported[0].0, "FIC_NAME");
    assert_eq!(exported[0].1.known().as_deref(), Some("aks-identity-binding"));
}

#[test]
fn doubling_a_variable_forty_times_is_bounded() {
    let text =
        format!("A=x\n{}az identity federated-credential delete -n \"$A\" --identity-name id\n", "A=$A$A\n".repeat(40));
    let f = shell(&text);
    assert_eq!(f.len(), 1);
    assert!(f[0].name.is_none());
}
