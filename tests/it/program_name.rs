//! The program's name in help and usage errors is `avn-token`, whatever file it was started
//! from (on Windows argv[0] ends in `.exe`).

use crate::support::{Cmd, bin};

#[cfg(unix)]
#[test]
fn help_and_usage_errors_name_the_program_avn_token_whatever_its_file_is_called() {
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("avn-token.exe");
    std::os::unix::fs::symlink(bin(), &renamed).unwrap();

    let help = Cmd::new(&renamed).args(["create", "--help"]).run();
    help.success();
    help.stdout_contains("Usage: avn-token create ");
    assert!(!help.stdout.contains(".exe"), "{}", help.stdout);

    let error = Cmd::new(&renamed).args(["create", "--bogus"]).run();
    error.code(2).one_line_error();
    error.stderr_contains("(see `avn-token create --help`)");
    assert!(!error.stderr.contains(".exe"), "{}", error.stderr);
}
