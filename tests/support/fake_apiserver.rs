//! A fake Kubernetes API server for the live-audit tests: read-only, in-process, on 127.0.0.1.
//!
//! It serves what the audit and kubectl read — `/version`, legacy and aggregated discovery, lists
//! with selectors and `limit`/`continue` pagination, gets, and (Self)SubjectAccessReviews from a
//! canned table — logs every request, and injects faults (403, 429, 500, 401, delays). Anything
//! else (writes, watches) gets a 405 Status and stays in the log, so tests can prove nobody did it.
//!
//! ```ignore
//! #[path = "support/fake_apiserver.rs"]
//! mod fake_apiserver;
//! use fake_apiserver::{Cluster, Fault, FakeApiServer};
//!
//! let cluster = Cluster::load("testdata/live/healthy")?.with_fault(Fault::resource("clusterroles").forbidden());
//! let server = FakeApiServer::start(cluster)?;
//! server.write_kubeconfig(&kubeconfig_path, "fake")?;
//! // … run the audit against it …
//! assert!(server.requests().iter().all(|r| r.method == "GET" || r.path.ends_with("accessreviews")));
//! ```
//!
//! Standard library, serde_json and the crate's own YAML reader only, so every test target and the
//! benchmark binary can include it.
#![allow(dead_code, unused_imports)]

#[path = "fake_apiserver/cluster.rs"]
mod cluster;
#[path = "fake_apiserver/discovery.rs"]
mod discovery;
#[path = "fake_apiserver/faults.rs"]
mod faults;
#[path = "fake_apiserver/http.rs"]
mod http;
#[path = "fake_apiserver/lists.rs"]
mod lists;
#[path = "fake_apiserver/proto.rs"]
mod proto;
#[path = "fake_apiserver/resources.rs"]
mod resources;
#[path = "fake_apiserver/routes.rs"]
mod routes;
#[path = "fake_apiserver/sar.rs"]
mod sar;
#[path = "fake_apiserver/server.rs"]
mod server;
#[path = "fake_apiserver/status.rs"]
mod status;
#[path = "fake_apiserver/synthetic.rs"]
pub mod synthetic;
#[path = "fake_apiserver/table.rs"]
mod table;
#[path = "fake_apiserver/yaml.rs"]
pub mod yaml;

pub use cluster::{Cluster, DEFAULT_VERSION, SAR_FILE};
pub use faults::{Fault, FaultKind, FaultTarget, Target};
pub use http::Response;
pub use resources::{plural_of, ResourceType};
pub use sar::{SarQuestion, SarRule, SarTable, DEFAULT_CURRENT_USER, NO_MATCH_REASON};
pub use server::{FakeApiServer, LoggedRequest, ServerHandle, TOKEN};
