//! Infrastructure code and scripts as a user relies on them beyond the fixture markers: the level
//! of each finding, where the name came from (related locations) and the identity-binding note.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;

use iblint::check::{self, CheckOptions};
use iblint::config::Config;
use iblint::finding::{Finding, Level, Location};

#[path = "support/common.rs"]
mod common;
use common::tree;

/// The findings of `rule` when checking `paths` (relative to `dir`, the scope).
fn findings(dir: &Path, paths: &[&str], rule: &str) -> Vec<Finding> {
    let opts = CheckOptions {
        paths: paths.iter().map(|p| p.into()).collect(),
        scope: Some(dir.to_path_buf()),
        ..CheckOptions::default()
    };
    let outcome = check::run(&opts, &Config::default(), dir).expect("check runs");
    outcome.findings.into_iter().filter(|f| f.rule == rule).collect()
}

/// `path:line:col` of a location.
fn at(location: &Location) -> String {
    match location {
        Location::File { path, span } => format!("{path}:{}:{}", span.start().line, span.start().col),
        Location::Logical { name } => name.clone(),
    }
}

#[test]
fn unresolved_name_on_a_bound_identity_is_a_note_pointing_at_the_binding() {
    let dir = tree(&[
        (
            "bind.sh",
            "az aks identity-binding create -g rg --cluster-name aks -n b \\\n  --managed-identity-resource-id \
             /subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID-A\n",
        ),
        ("cleanup.sh", "az identity federated-credential delete --identity-name id-a -g rg --name \"$1\"\n"),
    ]);
    let found = findings(dir.path(), &["."], "IB401");
    assert_eq!(found.len(), 1, "{found:#?}");
    let note = &found[0];
    assert_eq!(note.level, Level::Note);
    assert_eq!(at(&note.location), "cleanup.sh:1:75");
    assert!(note.message.contains("could not be evaluated"), "{}", note.message);
    assert_eq!(note.related.len(), 1);
    assert_eq!(at(&note.related[0].location), "bind.sh:1:1");
}

/// The findings of `rule` for a fixture under `testdata/` (a file or a case directory).
fn fixture_findings(fixture: &str, rule: &str) -> Vec<Finding> {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let case = testdata.join(fixture);
    let opts = CheckOptions { paths: vec![case.clone()], scope: Some(case), ..CheckOptions::default() };
    let outcome = check::run(&opts, &Config::default(), &testdata).expect("check runs");
    outcome.findings.into_iter().filter(|f| f.rule == rule).collect()
}

/// The one finding, with its related locations as `path:line:col`.
fn one(mut found: Vec<Finding>) -> (Finding, Vec<String>) {
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found.remove(0);
    let related = f.related.iter().map(|r| at(&r.location)).collect();
    (f, related)
}

#[test]
fn a_module_parameter_is_the_source_of_the_name_two_levels_up() {
    let (f, related) = one(fixture_findings("IB401/fail.bicep-module-params", "IB401"));
    assert_eq!(f.level, Level::Error);
    assert_eq!(at(&f.location), "IB401/fail.bicep-module-params/modules/credential.bicep:10:9");
    assert_eq!(
        related,
        [
            "IB401/fail.bicep-module-params/main.bicep:7:21",
            "IB401/fail.bicep-module-params/main.bicep:3:1",
            "IB401/fail.bicep-module-params/modules/identity.bicep:9:1"
        ]
    );
    assert_eq!(
        f.related[1].message,
        "declared through the module call `identity` of IB401/fail.bicep-module-params/main.bicep"
    );
    assert!(f.message.starts_with("Bicep resource fic declares the federated credential `aks-identity-binding`"));
}

/// Pre-commit hands over only the staged files, the scope being the repository: a staged module
/// is evaluated from its callers in the scope, with the same finding as a full run.
#[test]
fn a_staged_module_alone_gets_the_findings_of_a_full_run() {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let case = testdata.join("IB401/fail.bicep-module-params");
    let staged = case.join("modules/credential.bicep");
    let opts = CheckOptions { paths: vec![staged], scope: Some(case), ..CheckOptions::default() };
    let outcome = check::run(&opts, &Config::default(), &testdata).expect("check runs");
    let alone: Vec<String> = outcome.findings.iter().map(|f| format!("{} {}", f.rule, at(&f.location))).collect();
    let full: Vec<String> = fixture_findings("IB401/fail.bicep-module-params", "IB401")
        .iter()
        .map(|f| format!("{} {}", f.rule, at(&f.location)))
        .collect();
    assert_eq!(alone, full);
    assert_eq!(alone, ["IB401 IB401/fail.bicep-module-params/modules/credential.bicep:10:9"]);
}

#[test]
fn a_bicepparam_value_is_the_source_of_the_name() {
    let (f, related) = one(fixture_findings("IB401/fail.bicepparam", "IB401"));
    assert_eq!(at(&f.location), "IB401/fail.bicepparam/main.bicep:11:11");
    assert_eq!(related, ["IB401/fail.bicepparam/prod.bicepparam:3:14"]);
}

#[test]
fn a_parameter_default_and_a_loop_item_are_sources_in_the_same_file() {
    let (_, related) = one(fixture_findings("IB401/fail.bicep-param-default.bicep", "IB401"));
    assert_eq!(related, ["IB401/fail.bicep-param-default.bicep:3:31"]);
    let found = fixture_findings("IB401/fail.bicep-loop.bicep", "IB401");
    let related: Vec<Vec<String>> = found.iter().map(|f| f.related.iter().map(|r| at(&r.location)).collect()).collect();
    assert_eq!(related, [vec!["IB401/fail.bicep-loop.bicep:5:3".to_string()], vec![]]);
}

#[test]
fn an_unevaluated_bicep_name_on_a_bound_identity_is_a_note() {
    let (f, related) = one(fixture_findings("IB401/fail.bicep-identity-binding.bicep", "IB401"));
    assert_eq!(f.level, Level::Note);
    assert!(f.message.contains("`orders-identity`, which Bicep resource binding binds to a cluster"), "{}", f.message);
    assert_eq!(related, ["IB401/fail.bicep-identity-binding.bicep:13:3"]);
}

#[test]
fn arm_nested_deployments_and_parameter_files_name_their_sources() {
    let (f, related) = one(fixture_findings("IB401/fail.arm-nested-deployment.json", "IB401"));
    assert_eq!(at(&f.location), "IB401/fail.arm-nested-deployment.json:33:23");
    assert_eq!(related, ["IB401/fail.arm-nested-deployment.json:8:59"]);
    let (f, related) = one(fixture_findings("IB401/fail.arm-parameter-file", "IB401"));
    assert_eq!(at(&f.location), "IB401/fail.arm-parameter-file/azuredeploy.json:15:15");
    assert_eq!(related, ["IB401/fail.arm-parameter-file/azuredeploy.parameters.json:6:34"]);
    let (_, related) = one(fixture_findings("IB401/fail.arm-copy.json", "IB401"));
    assert_eq!(related, ["IB401/fail.arm-copy.json:5:77"]);
}

#[test]
fn terraform_module_arguments_are_the_source_of_the_name_two_levels_up() {
    let (f, related) = one(fixture_findings("IB401/fail.tf-local-modules-two-levels", "IB401"));
    assert_eq!(f.level, Level::Error);
    assert_eq!(
        at(&f.location),
        "IB401/fail.tf-local-modules-two-levels/modules/workload/modules/credential/main.tf:14:15"
    );
    assert_eq!(
        related,
        [
            "IB401/fail.tf-local-modules-two-levels/main.tf:6:21",
            "IB401/fail.tf-local-modules-two-levels/main.tf:2:1",
            "IB401/fail.tf-local-modules-two-levels/modules/workload/main.tf:17:1"
        ]
    );
    assert_eq!(f.related[2].message, "declared through the module call `module.orders.module.credential`");
    assert!(f.message.starts_with(
        "Terraform resource module.orders.module.credential.azurerm_federated_identity_credential.this declares"
    ));
}

/// A staged child module is evaluated through its callers in the scope.
#[test]
fn a_staged_terraform_module_alone_gets_the_findings_of_a_full_run() {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let case = testdata.join("IB401/fail.tf-local-modules-two-levels");
    let staged = case.join("modules/workload/modules/credential/main.tf");
    let opts = CheckOptions { paths: vec![staged], scope: Some(case), ..CheckOptions::default() };
    let outcome = check::run(&opts, &Config::default(), &testdata).expect("check runs");
    let alone: Vec<String> = outcome.findings.iter().map(|f| format!("{} {}", f.rule, at(&f.location))).collect();
    let full: Vec<String> = fixture_findings("IB401/fail.tf-local-modules-two-levels", "IB401")
        .iter()
        .map(|f| format!("{} {}", f.rule, at(&f.location)))
        .collect();
    assert_eq!(alone, full);
}

#[test]
fn terraform_tfvars_and_for_each_keys_are_sources_of_the_name() {
    let (_, related) = one(fixture_findings("IB401/fail.tf-tfvars", "IB401"));
    assert_eq!(related, ["IB401/fail.tf-tfvars/terraform.tfvars:1:19"]);
    let (f, related) = one(fixture_findings("IB401/fail.tf-for-each-key.tf", "IB401"));
    assert_eq!(at(&f.location), "IB401/fail.tf-for-each-key.tf:11:15");
    assert_eq!(related, ["IB401/fail.tf-for-each-key.tf:5:5"]);
    assert!(f.message.contains("azurerm_federated_identity_credential.orders[\"aks-identity-binding\"]"));
}

#[test]
fn an_unevaluated_terraform_name_on_a_bound_identity_is_a_note() {
    let (f, related) = one(fixture_findings("IB401/fail.tf-unresolved-name-bound-identity.tf", "IB401"));
    assert_eq!(f.level, Level::Note);
    assert_eq!(at(&f.location), "IB401/fail.tf-unresolved-name-bound-identity.tf:17:15");
    assert_eq!(related, ["IB401/fail.tf-unresolved-name-bound-identity.tf:3:1"]);
}

/// IB402 counts every instance of a for_each over a known map.
#[test]
fn terraform_for_each_instances_count_against_the_limit() {
    let (f, _) = one(fixture_findings("IB402/fail.tf-for-each-22.tf", "IB402"));
    assert!(f.message.starts_with("22 federated credentials"), "{}", f.message);
}

#[test]
fn workflow_env_at_three_levels_names_its_sources() {
    let found = fixture_findings("IB401/fail.workflow-env", "IB401");
    let file = "IB401/fail.workflow-env/.github/workflows/rotate.yml";
    let got: Vec<(String, Vec<String>)> =
        found.iter().map(|f| (at(&f.location), f.related.iter().map(|r| at(&r.location)).collect())).collect();
    assert_eq!(
        got,
        [
            (format!("{file}:15:105"), vec![format!("{file}:6:12")]),
            (format!("{file}:19:20"), vec![format!("{file}:6:12")]),
            (format!("{file}:23:91"), vec![format!("{file}:22:16")]),
            (format!("{file}:26:91"), vec![format!("{file}:25:20")]),
        ]
    );
}

#[test]
fn splatting_and_rest_variables_name_their_sources() {
    let (f, related) = one(fixture_findings("IB401/fail.splatting.ps1", "IB401"));
    assert_eq!(at(&f.location), "IB401/fail.splatting.ps1:8:38");
    assert_eq!(related, ["IB401/fail.splatting.ps1:6:26"]);
    let found = fixture_findings("IB401/fail.rest-variable.sh", "IB401");
    let got: Vec<(String, Vec<String>)> =
        found.iter().map(|f| (at(&f.location), f.related.iter().map(|r| at(&r.location)).collect())).collect();
    let file = "IB401/fail.rest-variable.sh";
    assert_eq!(
        got,
        [
            (format!("{file}:8:28"), vec![format!("{file}:5:10")]),
            (format!("{file}:9:54"), vec![format!("{file}:5:10")])
        ]
    );
    assert_eq!(found[1].message.split(" deletes").next(), Some("curl DELETE"));
}
