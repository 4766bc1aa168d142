//! Secret hygiene: values that look secret never reach any output format.
//!
//! While documents are loaded, the values of `kind: Secret` `data`/`stringData`, of keys and env
//! vars whose names look secret (`*PASSWORD*`, `*TOKEN*`, `*SECRET*`, connection strings, keys)
//! and of anything shaped like a connection string are collected. Every output then goes through
//! [`scrub`]: findings' messages, help, related messages and fix texts (all four formats), and the
//! source lines the human format shows as snippets. Masking keeps each character's place (one `*`
//! per character) so snippet labels still point at the right column.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::yaml::{Node, NodeKind};

mod lines;
mod recent;

pub use lines::mask_lines;

/// Values shorter than this are not worth hiding (and would mask unrelated text).
const MIN_SECRET_LEN: usize = 4;

/// Name fragments (upper-case, with `-` and `.` read as `_`) that mark a value as secret.
const SECRET_NAME_PARTS: &[&[u8]] = &[
    b"PASSWORD",
    b"PASSWD",
    b"TOKEN",
    b"SECRET",
    b"CONNECTIONSTRING",
    b"CONNECTION_STRING",
    b"CONN_STR",
    b"APIKEY",
    b"API_KEY",
    b"ACCESS_KEY",
    b"ACCOUNTKEY",
    b"ACCOUNT_KEY",
    b"PRIVATE_KEY",
];

/// The length of the shortest of [`SECRET_NAME_PARTS`] (`TOKEN`).
const SHORTEST_PART: usize = 5;

/// Name endings of keys that refer to a secret rather than hold one (`secretName`,
/// `AZURE_FEDERATED_TOKEN_FILE`, `service-account-token-expiration`, Crossplane's
/// `writeConnectionSecretsToNamespace`, the CSI driver's `secretProviderClass`).
const REFERENCE_SUFFIXES: &[&[u8]] =
    &[b"NAME", b"REF", b"FILE", b"PATH", b"EXPIRATION", b"DIR", b"MOUNT", b"NAMESPACE", b"CLASS", b"PROVIDER"];

/// Upper case, with `-` and `.` as `_`: `db-password` and `DB_PASSWORD` are the same name.
fn normalized(b: u8) -> u8 {
    match b {
        b'-' | b'.' => b'_',
        _ => b.to_ascii_uppercase(),
    }
}

fn matches_at(name: &[u8], at: usize, part: &[u8]) -> bool {
    name.len() >= at + part.len() && name[at..at + part.len()].iter().zip(part).all(|(&a, &b)| normalized(a) == b)
}

/// Whether a key, env var or annotation name looks like it holds a secret. Runs on every key of
/// every document, so it allocates nothing, and a name seen lately is answered from memory.
pub fn is_secret_name(name: &str) -> bool {
    // Most keys are short (`name`, `kind`, `port`, `spec`): no secret part fits in them.
    if name.len() < SHORTEST_PART || name.starts_with("azure.workload.identity/") {
        return false;
    }
    recent::answer(name, judge_name)
}

/// [`is_secret_name`]'s answer, worked out: each byte of the name is read once by the automaton.
fn judge_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let holds = match secret_parts() {
        Some(automaton) => automaton.is_match(bytes),
        None => holds_secret_part(bytes),
    };
    holds && !REFERENCE_SUFFIXES.iter().any(|s| bytes.len() >= s.len() && matches_at(bytes, bytes.len() - s.len(), s))
}

/// [`SECRET_NAME_PARTS`] as one automaton: ASCII case ignored, and each `_` written also as `-`
/// and `.` (the variants [`normalized`] reads as one). `None` only if it cannot be built, which
/// fixed patterns never fail; [`holds_secret_part`] answers the same, comparing part by part at
/// every byte (~10 times slower).
fn secret_parts() -> Option<&'static AhoCorasick> {
    static PARTS: std::sync::OnceLock<Option<AhoCorasick>> = std::sync::OnceLock::new();
    PARTS
        .get_or_init(|| {
            let mut patterns: Vec<Vec<u8>> = Vec::new();
            for part in SECRET_NAME_PARTS {
                let mut variants = vec![Vec::new()];
                for &b in *part {
                    let spellings: &[u8] = if b == b'_' { b"_-." } else { std::slice::from_ref(&b) };
                    variants = variants
                        .into_iter()
                        .flat_map(|v: Vec<u8>| spellings.iter().map(move |&c| [v.as_slice(), &[c]].concat()))
                        .collect();
                }
                patterns.extend(variants);
            }
            AhoCorasick::builder().ascii_case_insensitive(true).build(patterns).ok()
        })
        .as_ref()
}

/// Whether one of [`SECRET_NAME_PARTS`] is in `name`, compared in place at each byte.
fn holds_secret_part(name: &[u8]) -> bool {
    (0..name.len()).any(|i| {
        // One comparison per byte for most names: only these letters start a secret part.
        let first = normalized(name[i]);
        matches!(first, b'P' | b'T' | b'S' | b'C' | b'A')
            && SECRET_NAME_PARTS.iter().any(|p| p.first() == Some(&first) && matches_at(name, i, p))
    })
}

/// Whether a value looks like a connection string or URL carrying a credential.
pub fn looks_like_connection_string(value: &str) -> bool {
    // Cheap tests first: this runs on every scalar. Most hold neither `:` nor `=`, which one scan
    // for both bytes tells; looking for `://` sets up a substring search, worth it only where a
    // `:` is.
    if memchr::memchr2(b':', b'=', value.as_bytes()).is_none() {
        return false;
    }
    let maybe_url = value.contains(':') && value.contains("://");
    if !value.contains('=') && !maybe_url {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    const MARKERS: &[&str] = &["password=", "pwd=", "accountkey=", "sharedaccesskey=", "sharedaccesssignature="];
    MARKERS.iter().any(|m| lower.contains(m)) || url_with_password(&lower)
}

fn url_with_password(lower: &str) -> bool {
    let Some(i) = lower.find("://") else { return false };
    let rest = &lower[i + 3..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.split_once('@').is_some_and(|(user, _)| user.contains(':'))
}

/// `text` with the `user:password@` (or `token@`) part of every URL in it removed: a server or
/// proxy URL in an error message or a report names the host, never a credential.
pub fn url_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end =
            tail.find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace()).unwrap_or(tail.len());
        match tail[..authority_end].rfind('@') {
            Some(userinfo_end) => rest = &tail[userinfo_end + 1..],
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

/// Adds the secret-looking values of one document to `out`.
pub fn collect(root: &Node, out: &mut Vec<String>) {
    let is_secret_kind = root.get("kind").and_then(Node::as_str) == Some("Secret");
    if is_secret_kind {
        for key in ["data", "stringData"] {
            if let Some(data) = root.get(key) {
                all_scalars(data, out);
            }
        }
    }
    walk(root, out);
}

/// Whether [`collect`] may take anything from the scalar entry `key: value` of a mapping in a
/// document that is not a Secret: the name-value pair of an env var, a secret-looking name, a
/// connection string. (What an entry elsewhere holds matters only when this answers yes.)
pub fn may_take_from_entry(key: &str, value: &str) -> bool {
    matches!(key, "name" | "value") || is_secret_name(key) || looks_like_connection_string(value)
}

/// Whether [`collect`] may take anything because of the scalar entry `key: value` (`key` empty for
/// an item of a sequence) nested in a document that is not a Secret, judged on the entry alone: a
/// secret-looking name, a connection string, or an env var's `name` that looks secret (its
/// `value`, whatever it holds, is then taken). Narrower than [`may_take_from_entry`], which keeps
/// every `name` and `value` entry: a container port's `name: http` reveals nothing.
pub fn entry_may_reveal_secret(key: &str, value: &str) -> bool {
    is_secret_name(key) || (key == "name" && is_secret_name(value)) || looks_like_connection_string(value)
}

fn walk(node: &Node, out: &mut Vec<String>) {
    match &node.kind {
        NodeKind::Scalar(s) => {
            if looks_like_connection_string(&s.value) {
                push(out, &s.value);
            }
        }
        NodeKind::Seq(items) => items.iter().for_each(|n| walk(n, out)),
        NodeKind::Map(entries) => {
            let mut env_value = None;
            let mut env_name_is_secret = false;
            for (k, v) in entries {
                match k.as_str().unwrap_or("") {
                    // `- name: DB_PASSWORD` + `value: ...`: an env var whose name looks secret.
                    "value" => env_value = Some(v),
                    "name" => {
                        env_name_is_secret = v.as_str().is_some_and(is_secret_name);
                        walk(v, out);
                    }
                    // A secret is a scalar; under a secret-looking key, a mapping or a list is
                    // structure (`imagePullSecrets`, `secretObjects`, a projected
                    // `serviceAccountToken` volume source) and is searched like any other.
                    key if v.as_scalar().is_some() && is_secret_name(key) => all_scalars(v, out),
                    _ => walk(v, out),
                }
            }
            match env_value {
                Some(v) if env_name_is_secret => all_scalars(v, out),
                Some(v) => walk(v, out),
                None => {}
            }
        }
    }
}

fn all_scalars(node: &Node, out: &mut Vec<String>) {
    match &node.kind {
        NodeKind::Scalar(s) => push(out, &s.value),
        NodeKind::Seq(items) => items.iter().for_each(|n| all_scalars(n, out)),
        NodeKind::Map(entries) => entries.iter().for_each(|(_, v)| all_scalars(v, out)),
    }
}

fn push(out: &mut Vec<String>, value: &str) {
    // A multi-line value appears in the source line by line (indented): hide each line.
    for line in value.lines().map(str::trim) {
        if !is_trivial(line) {
            out.push(line.to_string());
        }
    }
}

/// Too short, or a number, a boolean or null: nothing worth hiding, and masking it would hide
/// unrelated text.
fn is_trivial(value: &str) -> bool {
    value.len() < MIN_SECRET_LEN || is_plain_value(value)
}

/// A number, a boolean or null: never a secret, whatever its key is called
/// (`automountServiceAccountToken: true` holds no token).
pub(crate) fn is_plain_value(value: &str) -> bool {
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        || matches!(value.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~")
}

/// Sorts and deduplicates, longest first, so a secret containing another is masked whole.
fn normalize(secrets: &mut Vec<String>) {
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    secrets.dedup();
}

/// Masks secrets in any number of texts, in time linear in each text whatever the number of
/// secrets (a 2 MB Secret of 50,000 values once made one snippet take minutes). Building it costs
/// time in the number of secrets (a second for 50,000 in a debug build): a run builds one and
/// masks every message, fix and snippet with it.
#[derive(Debug, Default)]
pub struct Scrubber {
    secrets: Vec<String>,
    automaton: Option<AhoCorasick>,
}

impl Scrubber {
    /// A scrubber for `secrets`, in any order and with repeats.
    pub fn new(mut secrets: Vec<String>) -> Scrubber {
        normalize(&mut secrets);
        let automaton = if secrets.is_empty() {
            None
        } else {
            // Where secrets overlap, the longest one starting first is masked whole.
            AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&secrets).ok()
        };
        Scrubber { secrets, automaton }
    }

    /// The secrets it masks, longest first.
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    /// `text` with every occurrence of every secret masked, one `*` per character.
    pub fn scrub(&self, text: &str) -> String {
        let Some(automaton) = &self.automaton else { return text.to_string() };
        let mut out = String::with_capacity(text.len());
        automaton.replace_all_with(text, &mut out, |_, matched, dst| {
            dst.extend(std::iter::repeat_n('*', matched.chars().count()));
            true
        });
        out
    }

    /// [`Self::scrub`] in place, and only where there is something to mask: a run whose scope
    /// holds one secret-looking value scrubs every text of every finding, and most hold none.
    pub fn scrub_in_place(&self, text: &mut String) {
        if self.finds_in(text) {
            *text = self.scrub(text);
        }
    }

    /// Whether `text` holds any of the secrets.
    pub fn finds_in(&self, text: &str) -> bool {
        self.automaton.as_ref().is_some_and(|a| a.is_match(text))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn url_credentials_are_removed_and_hosts_kept() {
        assert_eq!(url_credentials("https://admin:s3cret@aks.example:443/api"), "https://aks.example:443/api");
        assert_eq!(url_credentials("see http://tok@h and https://h2/x?a=b@c"), "see http://h and https://h2/x?a=b@c");
        assert_eq!(url_credentials("no url here"), "no url here");
    }

    #[test]
    fn the_shortest_part_is_what_the_fast_path_assumes() {
        assert_eq!(super::SECRET_NAME_PARTS.iter().map(|p| p.len()).min(), Some(super::SHORTEST_PART));
    }

    use super::*;
    use crate::yaml::{parse_stream, Limits};

    fn secrets_of(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        parse_stream(text, &Limits::default(), |root| collect(&root, &mut out));
        normalize(&mut out);
        out
    }

    #[test]
    fn names_that_hold_secrets_and_names_that_refer_to_them() {
        for name in ["DB_PASSWORD", "github-token", "clientSecret", "STORAGE_CONNECTION_STRING", "api.key"] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "secretName",
            "AZURE_FEDERATED_TOKEN_FILE",
            "azure.workload.identity/client-id",
            "LOG_LEVEL",
            "writeConnectionSecretsToNamespace",
            "secretProviderClass",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn collects_secret_data_env_values_and_connection_strings() {
        let found = secrets_of(
            r#"kind: Secret
data:
  key: c2VjcmV0LXZhbHVl
stringData:
  other: hunter22
---
kind: Pod
spec:
  containers:
    - env:
        - name: DB_PASSWORD
          value: s3cr3t!
        - name: LOG_LEVEL
          value: debug
        - name: URL
          value: postgres://app:pw1234@db:5432/x
"#,
        );
        assert!(found.contains(&"c2VjcmV0LXZhbHVl".to_string()));
        assert!(found.contains(&"hunter22".to_string()));
        assert!(found.contains(&"s3cr3t!".to_string()));
        assert!(found.contains(&"postgres://app:pw1234@db:5432/x".to_string()));
        assert!(!found.contains(&"debug".to_string()));
    }

    /// An entry [`entry_may_reveal_secret`] passes reveals nothing in any mapping of a document,
    /// beside any other such entry; one it flags does, for some neighbour.
    #[test]
    fn entries_judged_alone_reveal_what_collection_takes() {
        let harmless = [
            ("name", "http"),
            ("value", "not-a-secret-value"),
            ("port", "8080"),
            ("path", "/healthz"),
            ("", "plain-item-text"),
            ("url", "https://example.com/x"),
        ];
        let revealing = [
            ("name", "DB_PASSWORD"),
            ("clientSecret", "abcdef123456"),
            ("conn", "Server=db;Password=s3cr3t-pw"),
            ("", "postgres://app:pw1234@db:5432/x"),
        ];
        for (key, value) in harmless {
            assert!(!entry_may_reveal_secret(key, value), "{key}: {value}");
        }
        let entry = |(key, value): (&str, &str)| match key {
            "" => format!("  list: [\"{value}\"]\n"),
            _ => format!("  {key}: \"{value}\"\n"),
        };
        let all: String = harmless.into_iter().map(entry).collect();
        assert_eq!(secrets_of(&format!("spec:\n{all}")), Vec::<String>::new());
        for (key, value) in revealing {
            assert!(entry_may_reveal_secret(key, value), "{key}: {value}");
            let taken = secrets_of(&format!("spec:\n{all}{}", entry((key, value))));
            assert!(!taken.is_empty(), "{key}: {value} takes something beside {all}");
        }
    }

    #[test]
    fn structure_under_secret_looking_keys_is_not_a_secret() {
        let found = secrets_of(
            r#"spec:
  imagePullSecrets:
    - name: default
  volumes:
    - projected:
        sources:
          - serviceAccountToken:
              audience: api://AzureADTokenExchange
              path: azure-identity-token
"#,
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn masks_secret_lines_of_broken_documents() {
        let text = "kind: Secret\nstringData:\n  pw: hunter22 [\n---\nenv:\n  - name: API_TOKEN\n    value: abc\n";
        let masked = mask_lines(text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("hunter22") && !masked.contains("abc"), "{masked}");
        assert!(masked.contains("kind: Secret") && masked.contains("name: API_TOKEN"), "{masked}");
    }

    #[test]
    fn scrub_keeps_positions() {
        let scrubber = Scrubber::new(vec!["hunter22".to_string()]);
        assert_eq!(scrubber.scrub("password: hunter22 # x"), "password: ******** # x");
        assert!(scrubber.finds_in("hunter22") && !scrubber.finds_in("hunter2"));
    }

    /// A finding's text with nothing to mask stays as it is, in its own allocation.
    #[test]
    fn only_texts_holding_a_secret_are_rewritten() {
        let scrubber = Scrubber::new(vec!["hunter22".to_string()]);
        let mut clean = String::from("nothing to hide");
        let at = clean.as_ptr();
        scrubber.scrub_in_place(&mut clean);
        assert_eq!((clean.as_str(), clean.as_ptr()), ("nothing to hide", at));
        let mut leaky = String::from("pw hunter22!");
        scrubber.scrub_in_place(&mut leaky);
        assert_eq!(leaky, "pw ********!");
    }
}
