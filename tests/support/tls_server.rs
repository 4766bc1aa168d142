//! A TLS port for the connection-error tests: its certificate is signed by a test CA no
//! kubeconfig trusts (`testdata/live/tls`, a throw-away key that protects nothing), answers plain HTTP the way Go's servers do ("Client sent an HTTP request to an
//! HTTPS server."), and otherwise completes handshakes and closes.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A listening TLS port; it serves until the test process ends.
pub struct TlsPort {
    pub address: SocketAddr,
}

fn testdata(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/live/tls").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl TlsPort {
    pub fn start() -> TlsPort {
        // The server's certificate and the CA that signed it, a CA no kubeconfig knows.
        let chain: Vec<CertificateDer> =
            CertificateDer::pem_slice_iter(&testdata("cert.pem")).collect::<Result<_, _>>().expect("certificates");
        let key = PrivateKeyDer::from_pem_slice(&testdata("key.pem")).expect("key");
        let config =
            rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(chain, key).expect("server config");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let config = config.clone();
                std::thread::spawn(move || serve(stream, config));
            }
        });
        TlsPort { address }
    }
}

fn serve(mut stream: TcpStream, config: Arc<rustls::ServerConfig>) {
    let mut first = [0u8; 1];
    if stream.peek(&mut first).is_err() {
        return;
    }
    // A TLS record starts with 0x16 (handshake); anything else is plain text.
    if first[0] != 0x16 {
        // Go reads the request head first: closing with unread bytes would be a reset instead.
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 && stream.read(&mut byte).is_ok_and(|n| n == 1) {
            head.push(byte[0]);
        }
        let _ = stream.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n");
        let _ = stream.shutdown(std::net::Shutdown::Write);
        return;
    }
    let Ok(connection) = rustls::ServerConnection::new(config) else { return };
    let mut tls = rustls::StreamOwned::new(connection, stream);
    // The client refuses the certificate: the handshake ends here, with its alert.
    let mut buffer = [0u8; 1024];
    let _ = tls.read(&mut buffer);
}
