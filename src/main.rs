//! `iblint`: see `iblint --help`.
fn main() -> std::process::ExitCode {
    iblint::cli::main("iblint")
}
