//! Infrastructure-as-code and scripts that can touch federated credentials: Terraform (HCL),
//! Bicep and ARM templates (evaluated with their parameters and modules), and shell/PowerShell
//! scripts (also the `run:` steps of GitHub workflows).

pub mod arm;
pub mod bicep;
pub mod functions;
pub mod params;
pub mod resources;
pub mod script;
pub mod terraform;
pub mod value;
