//! Parse, run, turn the outcome into an exit code; nothing else.

use std::process::ExitCode;

use clap::error::ErrorKind;

use avn_token::cli;
use avn_token::{commands, diag, exit};

fn main() -> ExitCode {
    // Read as avn's parser (argparse) reads it: cut-short options, values such as `-1`.
    let parsed = cli::argv::parse(
        cli::parser_for_terminal(exit::help_text),
        std::env::args_os(),
    );
    let cli = match parsed {
        Ok(cli) => cli,
        // A command without its subcommand shows that command's help, as git and cargo do.
        Err(error)
            if error.use_stderr()
                && error.kind() != ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            diag::error_styled(&cli::usage_error_line(&error));
            return ExitCode::from(exit::USAGE);
        }
        Err(error) => {
            // --help and --version land here too, and go to stdout with status 0.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                exit::USAGE
            } else {
                exit::SUCCESS
            });
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            diag::error(&format!("cannot start the async runtime: {error}"));
            return ExitCode::from(exit::FAILURE);
        }
    };
    // Errors are printed here, one line with their causes, never with a backtrace (this
    // environment may set RUST_BACKTRACE, which `main() -> Result` would honour).
    let outcome = runtime.block_on(commands::run(cli));
    // Dropping a runtime waits for its blocking tasks, such as a DNS lookup that Ctrl-C
    // interrupted: leave them behind instead, the process is ending.
    runtime.shutdown_background();
    let code = match outcome {
        Ok(code) => code,
        Err(error) if exit::is_broken_pipe(&error) => exit::SUCCESS,
        Err(error) => {
            diag::error(&format!("{error:#}"));
            exit::code_for(&error)
        }
    };
    ExitCode::from(code)
}
