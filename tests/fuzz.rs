//! A deterministic mutation fuzzer for the stable toolchain (the `cargo fuzz` targets in `fuzz/`
//! need nightly). Seeds are every file under `testdata/`; each iteration mutates one (byte flips,
//! YAML-significant tokens, splices, truncation, repetition) and feeds it to every target of
//! `iblint::fuzz_targets`. A panic is a failure: the input is written to
//! `testdata/fuzz-regressions/` (replayed by `regressions_do_not_panic` from then on) and its path
//! is printed.
//!
//! Deterministic by default: a fixed seed and a fixed number of inputs per target, so a run of the
//! suite (and CI) always tries the same inputs and cannot turn red on an unrelated change. To
//! explore, give a time budget (`IBLINT_FUZZ_SECONDS` per target), another count
//! (`IBLINT_FUZZ_ITERATIONS`) or another sequence (`IBLINT_FUZZ_SEED`); libFuzzer runs with random
//! seeds are `scripts/fuzz` and the scheduled `fuzz` workflow.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use iblint::fuzz_targets;

/// Tokens that steer mutations toward the parser's and builder's interesting paths.
const TOKENS: &[&str] = &[
    "&a ",
    "*a",
    "<<: *a\n",
    "[",
    "]",
    "{",
    "}",
    "---\n",
    "...\n",
    ": ",
    "- ",
    "\t",
    "\"",
    "'",
    "\\",
    "#",
    "!!str ",
    "!!binary ",
    "|-\n",
    ">\n",
    "? ",
    "%YAML 1.2\n",
    "\r\n",
    "\u{feff}",
    "\0",
    "{{ .Values.x }}",
    "kind: List\nitems:\n",
    "azure.workload.identity/use: \"true\"\n",
    "iblint.io/ignore: IB101\n",
    "apiVersion: v1\nkind: Pod\n",
    "resource \"x\" \"y\" {\n",
    "resources: [../k]\n",
    "- op: add\n  path: /metadata/labels/a~1b\n  value: true\n",
    "$patch: delete\n",
    "${",
    "'''",
    "\u{1F600}",
    "\u{0301}",
];

/// xorshift64*: small, fast and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                out.push(bytes);
            }
        }
    }
    out.push(Vec::new());
    out
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
            2 => data.truncate(at),
            3 if !data.is_empty() => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            4 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                let to = (from + rng.below(256)).min(other.len());
                data.splice(at..at, other[from..to].iter().copied());
            }
            5 if at < data.len() => {
                let end = (at + 1 + rng.below(32)).min(data.len());
                let chunk: Vec<u8> = data[at..end].to_vec();
                for _ in 0..rng.below(16) {
                    data.splice(at..at, chunk.iter().copied());
                }
            }
            _ => data.insert(at.min(data.len()), rng.next() as u8),
        }
    }
    data
}

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|s| s.parse().ok())
}

/// Whether to try another input: `iterations` of them (the target's default, or
/// `IBLINT_FUZZ_ITERATIONS`), or as many as fit in `IBLINT_FUZZ_SECONDS`.
fn more(runs: u64, iterations: u64, start: Instant) -> bool {
    match env::<u64>("IBLINT_FUZZ_SECONDS") {
        Some(secs) => start.elapsed() < Duration::from_secs(secs),
        None => runs < env("IBLINT_FUZZ_ITERATIONS").unwrap_or(iterations),
    }
}

/// Runs `target` on `iterations` mutated inputs (see [`more`]); a panic saves the input and fails.
fn fuzz(name: &str, iterations: u64, target: impl Fn(&[u8])) {
    let seed = env("IBLINT_FUZZ_SEED").unwrap_or(0x1b1_1e7);
    let mut rng = Rng(seed | 1);
    let seeds = seeds();
    let start = Instant::now();
    let mut runs = 0u64;
    while more(runs, iterations, start) {
        let input = mutate(&mut rng, &seeds);
        if catch_unwind(AssertUnwindSafe(|| target(&input))).is_err() {
            let path = save_crasher(name, &input);
            panic!("{name}: input {} panics (saved to {})", runs, path.display());
        }
        runs += 1;
    }
    eprintln!("{name}: {runs} inputs in {:?}, no panic", start.elapsed());
}

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fuzz-regressions")
}

fn save_crasher(name: &str, input: &[u8]) -> PathBuf {
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
    let path = regressions_dir().join(format!("{name}-{hash:016x}.bin"));
    let _ = std::fs::write(&path, input);
    path
}

#[test]
fn fuzz_sources() {
    for (name, kind) in fuzz_targets::SOURCES {
        // Crashers are saved under the label: no `/` from a path-like name.
        fuzz(&format!("source-{}", name.replace('/', "_")), 2_000, |b| fuzz_targets::source(*kind, name, b));
    }
}

#[test]
fn fuzz_pipeline() {
    // A whole check per input (a temporary tree on disk): slow, so fewer.
    fuzz("pipeline", 40, fuzz_targets::pipeline);
}

#[test]
fn fuzz_kustomize() {
    fuzz("kustomize", 2_000, fuzz_targets::kustomize);
}

#[cfg(feature = "live")]
#[test]
fn fuzz_list_page() {
    fuzz("list-page", 4_000, fuzz_targets::list_page);
}

#[test]
fn fuzz_config() {
    fuzz("config", 2_000, fuzz_targets::config);
}

/// Inputs that once panicked: every target runs on each, forever.
#[test]
fn regressions_do_not_panic() {
    let Ok(entries) = std::fs::read_dir(regressions_dir()) else { return };
    for entry in entries.flatten() {
        let Ok(bytes) = std::fs::read(entry.path()) else { continue };
        for (name, kind) in fuzz_targets::SOURCES {
            fuzz_targets::source(*kind, name, &bytes);
        }
        fuzz_targets::pipeline(&bytes);
        fuzz_targets::config(&bytes);
        fuzz_targets::kustomize(&bytes);
        #[cfg(feature = "live")]
        fuzz_targets::list_page(&bytes);
    }
}
