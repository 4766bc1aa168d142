//! `kubectl-iblint`: the kubectl plugin (`kubectl iblint audit`). Same code as `iblint`.
fn main() -> std::process::ExitCode {
    iblint::cli::main("kubectl-iblint")
}

/// A model of a large repository is millions of small strings and vectors: mimalloc allocates
/// them faster than the system allocator, and without its per-thread arena contention.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
