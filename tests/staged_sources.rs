//! A pre-commit hook passes only the staged files. When a credential's name is written in a
//! variables file, tfvars, `.bicepparam` or ARM parameter file, the IB401 finding sits in the
//! resource file: it carries the file the name comes from as a provenance location, and a run
//! given only that file still reports it (and nothing a full run would not).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;

use iblint::check::{self, CheckOptions};
use iblint::config::Config;
use iblint::finding::{Finding, Location};

#[path = "support/common.rs"]
mod common;

/// `path:line:col` of a location.
fn at(location: &Location) -> String {
    match location {
        Location::File { path, span } => format!("{path}:{}:{}", span.start().line, span.start().col),
        Location::Logical { name } => name.clone(),
    }
}

/// The IB401 findings of checking the files `staged` of the fixture case `case` (the scope).
fn ib401(case: &str, staged: &[&str]) -> Vec<Finding> {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let dir = testdata.join(case);
    let opts = CheckOptions {
        paths: staged.iter().map(|s| dir.join(s)).collect(),
        scope: Some(dir),
        ..CheckOptions::default()
    };
    let outcome = check::run(&opts, &Config::default(), &testdata).expect("check runs");
    outcome.findings.into_iter().filter(|f| f.rule == "IB401").collect()
}

/// The one finding of staging `file` alone: where it is, and its provenance locations.
fn staged_alone(case: &str, file: &str) -> (String, Vec<String>) {
    let found = ib401(case, &[file]);
    assert_eq!(found.len(), 1, "{case}/{file}: {found:#?}");
    let provenance = found[0].related.iter().filter(|r| r.provenance).map(|r| at(&r.location)).collect();
    (at(&found[0].location), provenance)
}

#[test]
fn a_staged_tfvars_file_reports_the_name_it_sets() {
    let (location, provenance) = staged_alone("IB401/fail.tf-tfvars", "terraform.tfvars");
    assert_eq!(location, "IB401/fail.tf-tfvars/main.tf:7:15");
    assert_eq!(provenance, ["IB401/fail.tf-tfvars/terraform.tfvars:1:19"]);
}

#[test]
fn a_staged_variables_file_reports_the_default_it_sets() {
    let (location, provenance) = staged_alone("IB401/fail.tf-variable-in-another-file", "variables.tf");
    assert!(location.starts_with("IB401/fail.tf-variable-in-another-file/main.tf:"), "{location}");
    assert_eq!(provenance.len(), 1);
    assert!(provenance[0].starts_with("IB401/fail.tf-variable-in-another-file/variables.tf:"), "{provenance:?}");
}

#[test]
fn a_staged_auto_tfvars_file_reports_only_the_value_that_wins() {
    let (_, provenance) = staged_alone("IB401/fail.tf-auto-tfvars-json", "prod.auto.tfvars.json");
    assert_eq!(provenance.len(), 1);
    assert!(provenance[0].starts_with("IB401/fail.tf-auto-tfvars-json/prod.auto.tfvars.json:"), "{provenance:?}");
    // terraform.tfvars sets the name too, but prod.auto.tfvars.json overrides it: not its finding.
    assert!(ib401("IB401/fail.tf-auto-tfvars-json", &["terraform.tfvars"]).is_empty());
}

#[test]
fn a_staged_bicepparam_file_reports_the_name_it_sets() {
    let (location, provenance) = staged_alone("IB401/fail.bicepparam", "prod.bicepparam");
    assert!(location.starts_with("IB401/fail.bicepparam/main.bicep:"), "{location}");
    assert_eq!(provenance.len(), 1);
    assert!(provenance[0].starts_with("IB401/fail.bicepparam/prod.bicepparam:"), "{provenance:?}");
}

#[test]
fn a_staged_arm_parameter_file_reports_the_name_it_sets() {
    let (location, provenance) = staged_alone("IB401/fail.arm-parameter-file", "azuredeploy.parameters.json");
    assert_eq!(location, "IB401/fail.arm-parameter-file/azuredeploy.json:15:15");
    assert_eq!(provenance, ["IB401/fail.arm-parameter-file/azuredeploy.parameters.json:6:34"]);
}

#[test]
fn staged_module_callers_report_the_write_they_lead_to() {
    // main.bicep passes the name; modules/identity.bicep passes it on to modules/credential.bicep.
    for staged in ["main.bicep", "modules/identity.bicep"] {
        let found = ib401("IB401/fail.bicep-module-params", &[staged]);
        assert_eq!(found.len(), 1, "{staged}: {found:#?}");
        assert!(at(&found[0].location).starts_with("IB401/fail.bicep-module-params/modules/credential.bicep:"));
    }
}

#[test]
fn staging_a_file_the_name_does_not_come_from_reports_nothing() {
    assert!(ib401("IB401/pass.tf-tfvars", &["terraform.tfvars"]).is_empty());
    assert!(ib401("IB401/pass.arm-parameter-file", &["azuredeploy.parameters.json"]).is_empty());
}

/// IB402: a tfvars map of clusters that grows past the limit is reported when only the tfvars
/// file is staged; the finding sits on the resource in main.tf.
#[test]
fn a_staged_tfvars_map_that_crosses_the_credential_limit_is_reported() {
    let clusters: String = (1..=21)
        .map(|i| format!("  \"cluster-{i:02}\" = \"https://westeurope.oic.prod-aks.azure.com/t/c{i}/\"\n"))
        .collect();
    let dir = common::tree(&[
        (
            "main.tf",
            "variable \"clusters\" {\n  type = map(string)\n}\n\nresource \"azurerm_federated_identity_credential\" \"orders\" {\n  for_each  = var.clusters\n  name      = each.key\n  parent_id = azurerm_user_assigned_identity.orders.id\n  audience  = [\"api://AzureADTokenExchange\"]\n  issuer    = each.value\n  subject   = \"system:serviceaccount:team-a:orders\"\n}\n",
        ),
        ("terraform.tfvars", &format!("clusters = {{\n{clusters}}}\n")),
    ]);
    let opts = CheckOptions {
        paths: vec![dir.path().join("terraform.tfvars")],
        scope: Some(dir.path().to_path_buf()),
        ..CheckOptions::default()
    };
    let outcome = check::run(&opts, &Config::default(), dir.path()).expect("check runs");
    let found: Vec<&Finding> = outcome.findings.iter().filter(|f| f.rule == "IB402").collect();
    assert_eq!(found.len(), 1, "{:#?}", outcome.findings);
    assert!(found[0].message.starts_with("21 federated credentials"), "{}", found[0].message);
    assert!(at(&found[0].location).starts_with("main.tf:7:"), "{}", at(&found[0].location));
    let provenance: Vec<String> = found[0].related.iter().filter(|r| r.provenance).map(|r| at(&r.location)).collect();
    assert_eq!(provenance.len(), 1, "{provenance:?}");
    assert!(provenance[0].starts_with("terraform.tfvars:"), "{provenance:?}");
}
