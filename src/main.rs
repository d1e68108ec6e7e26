//! The `workshop` binary: command-line dispatch only. Everything it runs is a
//! function of the library, so the integration tests drive the same code.

fn main() -> std::process::ExitCode {
    workshop::cli::main()
}
