//! The fake API server the live-audit tests run against, proven faithful with real kubectl and
//! with a raw HTTP client.

#[path = "support/fake_apiserver.rs"]
mod fake_apiserver;

use fake_apiserver::{synthetic, FakeApiServer};

#[test]
fn starts() {
    let server = FakeApiServer::start(synthetic::cluster(10, 3, 3)).expect("start");
    assert!(server.url().starts_with("http://127.0.0.1:"));
}
