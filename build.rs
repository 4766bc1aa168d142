//! Embeds every rule document under `rules/` so the binary carries its own documentation.
use std::fmt::Write as _;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=rules");
    // Read when the script runs, not when it is compiled: a compiled build script may be reused
    // for a checkout at another path.
    let root = std::env::var_os("CARGO_MANIFEST_DIR").ok_or("cargo sets CARGO_MANIFEST_DIR")?;
    let dir = Path::new(&root).join("rules");
    let mut docs: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    let mut out = String::from("pub static RULE_DOCS: &[(&str, &str)] = &[\n");
    for p in docs {
        println!("cargo:rerun-if-changed={}", p.display());
        let id = p.file_stem().and_then(|s| s.to_str()).ok_or("a rule document's name is not UTF-8")?;
        writeln!(out, "    ({id:?}, include_str!({:?})),", p.display().to_string())?;
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR")?).join("rule_docs.rs");
    std::fs::write(dest, out)?;
    Ok(())
}
