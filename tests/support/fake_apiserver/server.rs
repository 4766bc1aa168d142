//! The listening server: a thread per connection, kept-alive HTTP/1.1, a request log, and a
//! handle that stops everything when dropped.

use std::collections::HashMap;
use std::io::{self, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};

use super::cluster::Cluster;
use super::faults::Fault;
use super::http::{self, Request};
use super::routes;

/// The bearer token the written kubeconfig carries (the fake accepts any).
pub const TOKEN: &str = "fake-apiserver-token";

/// One request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// Path without the query, e.g. `/api/v1/namespaces/team-a/pods`.
    pub path: String,
    /// Raw query string without `?`, still percent-encoded (`limit=1&continue=...`).
    pub query: String,
    /// The `Accept` header (empty when absent).
    pub accept: String,
    /// The `User-Agent` header (empty when absent).
    pub user_agent: String,
    /// The status code answered (0: the connection was closed unanswered).
    pub status: u16,
}

impl LoggedRequest {
    /// A decoded query parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        http::query_param(&self.query, name)
    }
}

/// State shared by the handle and the connection threads.
struct Shared {
    cluster: Cluster,
    faults: Mutex<Vec<Fault>>,
    log: Mutex<Vec<LoggedRequest>>,
    /// Open connections, so dropping the handle can close them.
    connections: Mutex<HashMap<usize, TcpStream>>,
    next_connection: AtomicUsize,
    stopping: AtomicBool,
    address: SocketAddr,
}

/// Locks a mutex, carrying on after a panicked holder (a test's panic must not hide the log).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Entry point: `FakeApiServer::start(cluster)`.
pub struct FakeApiServer;

impl FakeApiServer {
    /// Binds `127.0.0.1:0` and serves `cluster` on background threads until the handle is dropped.
    pub fn start(mut cluster: Cluster) -> io::Result<ServerHandle> {
        // Lists are served sorted by namespace/name, as kube-apiserver's etcd keys are: sort once
        // here rather than on every page request.
        cluster
            .objects
            .sort_by_cached_key(|o| (super::lists::namespace_of(o).to_string(), super::lists::name_of(o).to_string()));
        cluster.index();
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            faults: Mutex::new(cluster.faults.clone()),
            cluster,
            log: Mutex::new(Vec::new()),
            connections: Mutex::new(HashMap::new()),
            next_connection: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
            address,
        });
        let accepting = Arc::clone(&shared);
        let acceptor = thread::Builder::new()
            .name("fake-apiserver-accept".to_string())
            .spawn(move || accept_loop(&listener, &accepting))?;
        Ok(ServerHandle { shared, acceptor: Some(acceptor) })
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let id = shared.next_connection.fetch_add(1, Ordering::SeqCst);
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.connections).insert(id, clone);
        }
        let serving = Arc::clone(shared);
        let spawned = thread::Builder::new().name(format!("fake-apiserver-conn-{id}")).spawn(move || {
            // A broken connection only ends that connection; the client sees the error.
            let _ = serve_connection(stream, &serving);
            lock(&serving.connections).remove(&id);
        });
        if spawned.is_err() {
            lock(&shared.connections).remove(&id);
        }
    }
}

/// Serves requests on one connection until the client closes it or asks to.
fn serve_connection(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let address = shared.address.to_string();
    loop {
        let request = match http::read_request(&mut reader) {
            Ok(Some(request)) => request,
            Ok(None) => break,
            // What Go's server answers to bytes that are not HTTP (a TLS handshake, say).
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                let _ = writer.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request");
                break;
            }
            Err(e) => return Err(e),
        };
        let response = routes::respond(&shared.cluster, &shared.faults, &request, &address);
        log(shared, &request, response.status);
        if response.unanswered {
            // Closed unanswered: the client sees a reset (or an end of file).
            let _ = writer.shutdown(Shutdown::Both);
            break;
        }
        let close = request.wants_close() || shared.stopping.load(Ordering::SeqCst);
        response.write_to(&mut writer, close)?;
        if close {
            break;
        }
    }
    Ok(())
}

fn log(shared: &Shared, request: &Request, status: u16) {
    lock(&shared.log).push(LoggedRequest {
        method: request.method.clone(),
        path: request.path.clone(),
        query: request.query.clone(),
        accept: request.header("accept").unwrap_or("").to_string(),
        user_agent: request.header("user-agent").unwrap_or("").to_string(),
        status,
    });
}

/// A running fake API server. Dropping it stops the server and closes its connections.
pub struct ServerHandle {
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.shared.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.shared.address
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Forgets the requests logged so far (e.g. after a warm-up).
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Adds a fault while serving (e.g. after discovery went through).
    pub fn add_fault(&self, fault: Fault) {
        lock(&self.shared.faults).push(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Writes a kubeconfig whose only context, `context`, points at this server with a token user.
    pub fn write_kubeconfig(&self, path: impl AsRef<Path>, context: &str) -> io::Result<()> {
        std::fs::write(path, self.kubeconfig(context))
    }

    /// The kubeconfig [`ServerHandle::write_kubeconfig`] writes.
    pub fn kubeconfig(&self, context: &str) -> String {
        // JSON strings are YAML strings: any context name stays one scalar.
        let name = serde_json::Value::from(context).to_string();
        let user = serde_json::Value::from(format!("{context}-user")).to_string();
        let server = self.url();
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: {server}\n\
             contexts:\n- name: {name}\n  context:\n    cluster: {name}\n    user: {user}\n\
             current-context: {name}\nusers:\n- name: {user}\n  user:\n    token: {TOKEN}\n"
        )
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the blocking accept so the acceptor sees the flag.
        let _ = TcpStream::connect(self.shared.address);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        for (_, connection) in lock(&self.shared.connections).drain() {
            let _ = connection.shutdown(Shutdown::Both);
        }
    }
}
