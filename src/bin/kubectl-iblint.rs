//! `kubectl-iblint`: the kubectl plugin (`kubectl iblint audit`). Same code as `iblint`.
fn main() -> std::process::ExitCode {
    iblint::cli::main("kubectl-iblint")
}
