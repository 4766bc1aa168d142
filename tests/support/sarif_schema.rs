//! The SARIF 2.1.0 schema shipped in the serde-sarif crate, and validation against it with a real
//! JSON-schema validator (Python `jsonschema`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The SARIF 2.1.0 schema that ships inside the serde-sarif crate.
pub fn schema_path() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo"));
    let src = home.join("registry").join("src");
    for index in std::fs::read_dir(&src).expect("cargo registry") {
        let candidate = index.expect("entry").path().join("serde-sarif-0.8.0").join("src").join("schema.json");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("serde-sarif's schema.json not found under {}", src.display());
}

/// Validates `instance` (a file) against `schema` with Python's `jsonschema`.
pub fn validate_with_jsonschema(schema: &Path, instance: &Path) {
    let script = "import json,sys,jsonschema\n\
        schema=json.load(open(sys.argv[1]))\n\
        inst=json.load(open(sys.argv[2]))\n\
        cls=jsonschema.validators.validator_for(schema)\n\
        errs=sorted(cls(schema).iter_errors(inst), key=lambda e: list(e.path))\n\
        [print('/'.join(map(str,e.path)), e.message) for e in errs[:20]]\n\
        sys.exit(1 if errs else 0)\n";
    let out = Command::new("python3").args(["-c", script]).arg(schema).arg(instance).output().expect("python3");
    assert!(
        out.status.success(),
        "{} does not validate against {}:\n{}{}",
        instance.display(),
        schema.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
