//! The live-audit benchmark's cluster: a fake API server holding a generated cluster (see
//! `tests/support/fake_apiserver/synthetic.rs`), or a fixture directory, served until killed.
//!
//! Usage: cargo run --release --example fake_apiserver -- [--pods N] [--service-accounts N] [--rbac N]
//!        [--fixture DIR] --kubeconfig FILE [--context NAME]
//!
//! Prints `listening on http://127.0.0.1:PORT` on stdout once the kubeconfig is written.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test tool: failing loudly is its job

#[path = "../tests/support/fake_apiserver.rs"]
mod fake_apiserver;

use std::io::Write;
use std::process::ExitCode;

use fake_apiserver::{synthetic, Cluster, FakeApiServer};

struct Options {
    pods: usize,
    service_accounts: usize,
    rbac: usize,
    fixture: Option<String>,
    kubeconfig: String,
    context: String,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        pods: 100,
        service_accounts: 10,
        rbac: 10,
        fixture: None,
        kubeconfig: String::new(),
        context: "fake".to_string(),
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let count = || value.parse::<usize>().map_err(|_| format!("{flag}: not a count: {value}"));
        match flag.as_str() {
            "--pods" => options.pods = count()?,
            "--service-accounts" => options.service_accounts = count()?,
            "--rbac" => options.rbac = count()?,
            "--fixture" => options.fixture = Some(value),
            "--kubeconfig" => options.kubeconfig = value,
            "--context" => options.context = value,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if options.kubeconfig.is_empty() {
        return Err("--kubeconfig FILE is required".to_string());
    }
    Ok(options)
}

fn run(options: &Options) -> Result<(), String> {
    let cluster = match &options.fixture {
        Some(dir) => Cluster::load(dir)?,
        None => synthetic::cluster(options.pods, options.service_accounts, options.rbac),
    };
    let server = FakeApiServer::start(cluster).map_err(|e| format!("start: {e}"))?;
    server
        .write_kubeconfig(&options.kubeconfig, &options.context)
        .map_err(|e| format!("{}: {e}", options.kubeconfig))?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {}", server.url()).and_then(|()| stdout.flush()).map_err(|e| e.to_string())?;
    // Serve until killed: the server runs on its own threads.
    loop {
        std::thread::park();
    }
}

fn main() -> ExitCode {
    let result = parse(std::env::args().skip(1)).and_then(|options| run(&options));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
