//! Why a request got no answer, in words an on-call engineer can act on: connection refused, a
//! host name that does not resolve, a certificate from an unknown authority, HTTP spoken to a TLS
//! port (or the reverse), a dropped connection — with the server's host, never a credential.

use std::error::Error;

/// What went wrong below HTTP.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Cause {
    Refused,
    Dns,
    /// The server's certificate is signed by an authority the kubeconfig does not trust.
    UnknownAuthority,
    /// Another certificate problem (expired, issued for another name, …), as rustls words it.
    BadCertificate(String),
    /// The server did not answer TLS (an `https://` URL on an HTTP port).
    NotTls,
    /// The server did not answer HTTP (an `http://` URL on a TLS port).
    NotHttp,
    /// The connection was reset or closed mid-answer: worth a retry.
    Reset,
    TimedOut,
    /// Anything else, as the innermost error words it.
    Other(String),
}

/// Walks the error's chain for the first cause it recognises.
pub(super) fn cause(e: &(dyn Error + 'static)) -> Cause {
    find(e, 0).unwrap_or_else(|| Cause::Other(innermost(e)))
}

/// The first known cause in `e`, its sources and the errors io errors wrap (which `source()`
/// skips: rustls' error sits two io errors deep under hyper-rustls).
fn find(e: &(dyn Error + 'static), depth: usize) -> Option<Cause> {
    let mut next: Option<&(dyn Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(found) = known(err) {
            return Some(found);
        }
        let wrapped = err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref());
        if let Some(found) = wrapped.filter(|_| depth < 8).and_then(|inner| find(inner, depth + 1)) {
            return Some(found);
        }
        next = err.source();
    }
    None
}

/// The text of the last error of the chain: the most specific.
fn innermost(e: &(dyn Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

fn known(err: &(dyn Error + 'static)) -> Option<Cause> {
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(match tls {
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => Cause::UnknownAuthority,
            rustls::Error::InvalidCertificate(other) => Cause::BadCertificate(format!("{other:?}")),
            rustls::Error::InvalidMessage(_) => Cause::NotTls,
            other => Cause::Other(other.to_string()),
        });
    }
    if let Some(io) = err.downcast_ref::<std::io::Error>() {
        use std::io::ErrorKind as K;
        match io.kind() {
            K::ConnectionRefused => return Some(Cause::Refused),
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => return Some(Cause::Reset),
            K::TimedOut => return Some(Cause::TimedOut),
            _ => {}
        }
    }
    if let Some(h) = err.downcast_ref::<hyper::Error>() {
        if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
            return Some(Cause::Reset);
        }
        if h.is_parse() {
            return Some(Cause::NotHttp);
        }
        if h.is_timeout() {
            return Some(Cause::TimedOut);
        }
    }
    // hyper-util's connector words a failed lookup "dns error"; getaddrinfo "failed to lookup address".
    let text = err.to_string();
    if text.starts_with("dns error") || text.contains("failed to lookup address") {
        return Some(Cause::Dns);
    }
    None
}

/// The sentence for a cause at `host`.
pub(super) fn describe(cause: &Cause, host: &str) -> String {
    match cause {
        Cause::Refused => format!("connection refused by {host}: is the API server running, and is the port right?"),
        Cause::Dns => format!("cannot resolve the host name of {host} (DNS): check the kubeconfig's server URL and the network"),
        Cause::UnknownAuthority => format!(
            "the certificate of {host} is signed by an unknown authority: check certificate-authority-data in the kubeconfig"
        ),
        Cause::BadCertificate(what) => format!("the certificate of {host} is not valid ({what})"),
        Cause::NotTls => format!("{host} does not speak TLS: the kubeconfig's server URL must start with http://, or the port is wrong"),
        Cause::NotHttp => format!("{host} does not answer HTTP: is it a TLS port? (the server URL must start with https://)"),
        Cause::Reset => format!("the connection to {host} was reset"),
        Cause::TimedOut => format!("connecting to {host} timed out"),
        Cause::Other(text) => format!("cannot reach {host}: {}", crate::redact::url_credentials(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapper(Box<dyn Error + Send + Sync>);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "client error (Connect)")
        }
    }

    impl Error for Wrapper {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(self.0.as_ref())
        }
    }

    fn wrapped(inner: impl Error + Send + Sync + 'static) -> Wrapper {
        Wrapper(Box::new(inner))
    }

    #[test]
    fn causes_are_found_deep_in_the_chain() {
        let refused = wrapped(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(cause(&refused), Cause::Refused);
        let reset = wrapped(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert_eq!(cause(&reset), Cause::Reset);
        let tls = wrapped(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        ));
        assert_eq!(cause(&tls), Cause::UnknownAuthority);
        let dns = wrapped(std::io::Error::other("failed to lookup address information: Name or service not known"));
        assert_eq!(cause(&dns), Cause::Dns);
    }

    #[test]
    fn unknown_errors_name_the_host_without_credentials() {
        let other = wrapped(std::io::Error::other("proxy https://user:secret@proxy.example:3128 said no"));
        let text = describe(&cause(&other), "aks.example:443");
        assert!(text.contains("aks.example:443") && !text.contains("secret"), "{text}");
    }
}
