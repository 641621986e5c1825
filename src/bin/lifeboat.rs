//! `lifeboat`: the browsers' own session files from the command line, for
//! when the browser will not start or its own restore failed. Reads with
//! the same importers as the extension's manager; never writes into a
//! profile.

// The modules live in src/bin/lifeboat/ (a crate root's own folder is src/bin/).
// Native only: the crate's wasm32 build (the extension) compiles every target,
// and clap is not a wasm32 dependency.
#[cfg(not(target_arch = "wasm32"))]
#[path = "lifeboat/cli.rs"]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
