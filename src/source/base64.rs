//! Standard base64 (RFC 4648, `+/`), both ways: Kubernetes writes Secret `data` with it (decoded to
//! read tools' configurations) and kubeconfig `*-data` fields hold PEM with it (encoded for
//! certificates an exec credential plugin returns).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `bytes` encoded, with padding.
#[cfg_attr(not(feature = "live"), allow(dead_code))]
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `text` decoded (padding optional, whitespace ignored, as in a Secret's `data`); `None` when it
/// is not base64.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| ALPHABET.iter().position(|&a| a == c).and_then(|v| u32::try_from(v).ok());
    let bytes: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let len = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        out.extend_from_slice(&n.to_be_bytes()[1..1 + len]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_pads_like_the_standard() {
        assert_eq!(encode(b""), "");
        assert_eq!(encode(b"f"), "Zg==");
        assert_eq!(encode(b"fo"), "Zm8=");
        assert_eq!(encode(b"foo"), "Zm9v");
        assert_eq!(encode(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn decoding_reads_what_kubernetes_writes() {
        assert_eq!(decode("QVpVUkVfQ0xJRU5UX0lEPWFiYwo="), Some(b"AZURE_CLIENT_ID=abc\n".to_vec()));
        assert_eq!(decode("YQ"), Some(b"a".to_vec()));
        assert_eq!(decode("Y Q =="), Some(b"a".to_vec()));
        assert_eq!(decode("not base64!"), None);
        assert_eq!(decode("Y"), None);
    }

    #[test]
    fn what_is_encoded_decodes_back() {
        let bytes: Vec<u8> = (0..=255).collect();
        for len in 0..bytes.len() {
            assert_eq!(decode(&encode(&bytes[..len])).as_deref(), Some(&bytes[..len]));
        }
    }
}
