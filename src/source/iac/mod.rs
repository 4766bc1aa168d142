//! Infrastructure-as-code and scripts that can touch federated credentials: Terraform (HCL),
//! Bicep, and shell/PowerShell scripts (also the `run:` steps of GitHub workflows).

pub mod bicep;
pub mod script;
pub mod terraform;
