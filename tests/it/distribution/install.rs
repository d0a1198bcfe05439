//! install.sh, run as a user runs it (`curl ... | sh`, here `dash install.sh` and
//! `sh install.sh`), against a fake GitHub releases page on 127.0.0.1 (`releases.rs`)
//! serving archives made from the binary under test.
//!
//! Each run gets a `PATH` of only the programs the script may use, with curl or wget (not
//! both), so a run shows the script works with either, and a program it uses without saying
//! so fails the test. A fake `uname` on that `PATH` plays the other platforms.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::support::releases::{self, Releases, VERSION, archive_name, host_target};
use crate::support::{Cmd, Run};

/// What install.sh runs besides the downloader (POSIX utilities, tar with gzip, unzip for
/// the Windows zip, sha256sum, or macOS's shasum where there is no sha256sum). Those not
/// installed here are left out of the run's PATH.
const TOOLS: &[&str] = &[
    "sh",
    "dash",
    "uname",
    "mktemp",
    "rm",
    "head",
    "cut",
    "tr",
    "sed",
    "sha256sum",
    "shasum",
    "tar",
    "gzip",
    "unzip",
    "chmod",
    "mkdir",
    "cp",
    "mv",
];

/// One installer run: its scratch directory, where it installs, and how it is started.
struct Installer {
    dir: TempDir,
    shell: &'static [&'static str],
    downloader: &'static str,
    fakes: Vec<(&'static str, String)>,
    env: Vec<(&'static str, String)>,
    install_dir_on_path: bool,
}

impl Installer {
    /// `dash install.sh` with curl, installing into a fresh directory from `releases`.
    fn new(releases: &Releases) -> Installer {
        Installer {
            dir: tempfile::tempdir().unwrap(),
            shell: &["dash"],
            downloader: "curl",
            fakes: Vec::new(),
            env: vec![("AVN_TOKEN_DOWNLOAD_URL", releases.url().to_owned())],
            install_dir_on_path: false,
        }
    }

    /// The shell and its options (`["bash", "--posix"]`).
    fn shell(mut self, shell: &'static [&'static str]) -> Installer {
        self.shell = shell;
        self
    }

    fn downloader(mut self, downloader: &'static str) -> Installer {
        self.downloader = downloader;
        self
    }

    fn env(mut self, key: &'static str, value: &str) -> Installer {
        self.env.push((key, value.to_owned()));
        self
    }

    /// Put the install directory on `PATH` too, after the tools.
    fn install_dir_on_path(mut self) -> Installer {
        self.install_dir_on_path = true;
        self
    }

    /// Make `uname -s` and `uname -m` say another platform.
    fn platform(mut self, os: &str, arch: &str) -> Installer {
        let script =
            format!("case \"$1\" in -s) echo '{os}' ;; -m) echo '{arch}' ;; *) exit 1 ;; esac");
        self.fakes.push(("uname", script));
        self
    }

    /// Where it installs (`AVN_TOKEN_INSTALL_DIR`).
    fn install_dir(&self) -> PathBuf {
        self.dir.path().join("install dir")
    }

    fn run(&self) -> Run {
        let mut programs: Vec<&str> = TOOLS.to_vec();
        if !programs.contains(&self.shell[0]) {
            programs.push(self.shell[0]);
        }
        if !self.downloader.is_empty() {
            programs.push(self.downloader);
        }
        let fakes: Vec<(&str, &str)> = self
            .fakes
            .iter()
            .map(|(name, script)| (*name, script.as_str()))
            .collect();
        let mut path = releases::path_with(self.dir.path(), &programs, &fakes).into_os_string();
        if self.install_dir_on_path {
            path.push(":");
            path.push(self.install_dir());
        }
        let mut command = Cmd::new(self.shell[0])
            .args(&self.shell[1..])
            .arg(releases::repository().join("install.sh"))
            .env("PATH", &path)
            .env("AVN_TOKEN_INSTALL_DIR", self.install_dir());
        for (key, value) in &self.env {
            command = command.env(key, value);
        }
        command.run()
    }

    /// The files in the install directory (none when it was not created).
    fn installed(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.install_dir()) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// The installed binary runs and says it is the version published.
fn assert_runs(binary: &Path) {
    let version = Cmd::new(binary).arg("--version").run();
    version.success();
    assert_eq!(version.stdout, format!("avn-token {VERSION}\n"));
}

/// The asset path of `version`'s archive for `target`.
fn asset(version: &str, target: &str) -> String {
    format!("/releases/download/v{version}/{}", archive_name(target))
}

#[test]
fn installs_the_version_asked_for_under_dash_and_posix_bash_with_curl() {
    // dash is Debian's sh; bash in POSIX mode is macOS's.
    for shell in [&["dash"][..], &["bash", "--posix"]] {
        let releases = Releases::start();
        releases.publish(VERSION, host_target());
        let installer = Installer::new(&releases)
            .shell(shell)
            .env("AVN_TOKEN_VERSION", VERSION);
        let run = installer.run();
        run.success();
        assert_runs(&installer.install_dir().join("avn-token"));
        assert_eq!(
            installer.installed(),
            ["avn-token"],
            "nothing else is left there"
        );
        run.stderr_contains(&format!(
            "installed avn-token {VERSION} to {}/avn-token",
            installer.install_dir().display()
        ));
        // The directory is not on this PATH: the script says how to add it.
        run.stderr_contains("is not on your PATH; add it, for example: export PATH=");
        let archive = asset(VERSION, host_target());
        assert_eq!(
            releases.requests(),
            [archive.clone(), format!("{archive}.sha256")]
        );
    }
}

#[test]
fn installs_the_latest_release_under_sh_with_wget() {
    let releases = Releases::start();
    releases.publish(VERSION, host_target());
    releases.publish("0.0.1", host_target());
    releases.set_latest(VERSION);
    let installer = Installer::new(&releases).shell(&["sh"]).downloader("wget");
    installer.run().success();
    assert_runs(&installer.install_dir().join("avn-token"));
    // GitHub's latest/download redirects to the version's asset; both were followed.
    let latest = format!("/releases/latest/download/{}", archive_name(host_target()));
    let archive = asset(VERSION, host_target());
    assert_eq!(
        releases.requests(),
        [
            latest.clone(),
            archive.clone(),
            format!("{latest}.sha256"),
            format!("{archive}.sha256")
        ]
    );
}

#[test]
fn a_version_may_be_given_with_its_v_and_an_install_dir_on_path_gets_no_note() {
    let releases = Releases::start();
    releases.publish(VERSION, host_target());
    let installer = Installer::new(&releases)
        .env("AVN_TOKEN_VERSION", &format!("v{VERSION}"))
        .install_dir_on_path();
    let run = installer.run();
    run.success();
    assert!(!run.stderr.contains("not on your PATH"), "{}", run.stderr);
    assert_runs(&installer.install_dir().join("avn-token"));
}

#[test]
fn a_wrong_checksum_installs_nothing_and_keeps_the_installed_binary() {
    let releases = Releases::start();
    let (bytes, _) = releases::archive(host_target());
    let name = archive_name(host_target());
    for (case, checksum) in [
        (
            "another file's hash",
            format!("{}  {name}\n", releases::sha256_hex(b"other")),
        ),
        ("the hash of another asset", {
            let right = releases::sha256_hex(&bytes);
            format!("{right}  avn-token-other.tar.gz\n")
        }),
        ("not a checksum", "<html>Not here</html>\n".to_owned()),
        ("empty", String::new()),
    ] {
        releases.put(VERSION, &name, bytes.clone());
        releases.put(VERSION, &format!("{name}.sha256"), checksum);
        for downloader in ["curl", "wget"] {
            let installer = Installer::new(&releases)
                .downloader(downloader)
                .env("AVN_TOKEN_VERSION", VERSION);
            std::fs::create_dir_all(installer.install_dir()).unwrap();
            let installed = installer.install_dir().join("avn-token");
            std::fs::write(&installed, "the version installed before").unwrap();
            let run = installer.run();
            run.code(1);
            run.stderr_contains("nothing was installed");
            assert_eq!(run.stderr.lines().count(), 2, "{case}: {}", run.stderr);
            assert_eq!(
                std::fs::read_to_string(&installed).unwrap(),
                "the version installed before",
                "{case}: the installed binary was replaced"
            );
            assert_eq!(installer.installed(), ["avn-token"], "{case}");
        }
    }
    // The first case's message names both hashes.
    let wrong = releases::sha256_hex(b"other");
    releases.put(
        VERSION,
        &format!("{name}.sha256"),
        format!("{wrong}  {name}\n"),
    );
    let installer = Installer::new(&releases).env("AVN_TOKEN_VERSION", VERSION);
    installer.run().stderr_contains(&format!(
        "checksum mismatch for {name}: expected {wrong}, got {}",
        releases::sha256_hex(&bytes)
    ));
    assert_eq!(installer.installed(), Vec::<String>::new());
}

#[test]
fn a_missing_asset_or_version_is_named() {
    let releases = Releases::start();
    releases.publish(VERSION, host_target());
    for downloader in ["curl", "wget"] {
        let installer = Installer::new(&releases)
            .downloader(downloader)
            .env("AVN_TOKEN_VERSION", "9.9.9");
        let run = installer.run();
        run.code(1);
        run.stderr_contains(&format!(
            "{}{} was not found (is 9.9.9 a released version of avn-token?)",
            releases.url().trim_end_matches("/releases"),
            asset("9.9.9", host_target())
        ));
        assert_eq!(installer.installed(), Vec::<String>::new(), "{downloader}");
    }
    // The archive is there but not its checksum: nothing unverified is installed.
    releases.put(
        "0.0.2",
        &archive_name(host_target()),
        releases::archive(host_target()).0,
    );
    let installer = Installer::new(&releases).env("AVN_TOKEN_VERSION", "0.0.2");
    installer
        .run()
        .code(1)
        .stderr_contains(".sha256 was not found");
    assert_eq!(installer.installed(), Vec::<String>::new());
}

#[test]
fn an_archive_of_another_version_than_asked_is_refused() {
    let releases = Releases::start();
    releases.publish("9.9.9", host_target());
    let installer = Installer::new(&releases).env("AVN_TOKEN_VERSION", "9.9.9");
    installer.run().code(1).stderr_contains(&format!(
        "{} holds avn-token {VERSION}, not 9.9.9; nothing was installed",
        archive_name(host_target())
    ));
    assert_eq!(installer.installed(), Vec::<String>::new());
}

#[test]
fn an_unsupported_platform_is_refused_before_any_download() {
    let releases = Releases::start();
    releases.publish(VERSION, host_target());
    for (os, arch) in [
        ("SunOS", "sparc64"),
        ("Linux", "riscv64"),
        ("FreeBSD", "amd64"),
    ] {
        let installer = Installer::new(&releases).platform(os, arch);
        let run = installer.run();
        run.code(1);
        run.stderr_contains(&format!(
            "no avn-token release for this platform ({os} {arch})"
        ));
        run.stderr_contains("pipx install avn-token");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert_eq!(installer.installed(), Vec::<String>::new());
    }
    assert_eq!(
        releases.requests(),
        Vec::<String>::new(),
        "nothing was downloaded"
    );
}

#[test]
fn each_platform_gets_its_archive() {
    let releases = Releases::start();
    for (os, arch, target, binary) in [
        ("Linux", "x86_64", "x86_64-unknown-linux-musl", "avn-token"),
        (
            "Linux",
            "aarch64",
            "aarch64-unknown-linux-musl",
            "avn-token",
        ),
        ("Darwin", "x86_64", "x86_64-apple-darwin", "avn-token"),
        ("Darwin", "arm64", "aarch64-apple-darwin", "avn-token"),
        (
            "MINGW64_NT-10.0-19045",
            "x86_64",
            "x86_64-pc-windows-msvc",
            "avn-token.exe",
        ),
    ] {
        // The archive names the target; what is inside is this machine's binary, so the
        // installer's check that it runs passes.
        releases.publish(VERSION, target);
        let installer = Installer::new(&releases)
            .platform(os, arch)
            .env("AVN_TOKEN_VERSION", VERSION);
        installer.run().success();
        assert_eq!(installer.installed(), [binary], "{os} {arch}");
        assert_runs(&installer.install_dir().join(binary));
        let requested = releases.requests();
        assert_eq!(
            requested.last().unwrap(),
            &format!("{}.sha256", asset(VERSION, target)),
            "{os} {arch}"
        );
    }
}

#[test]
fn an_unreachable_server_is_said_plainly() {
    // A port that was free a moment ago and has nothing listening now.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/releases", closed.local_addr().unwrap());
    drop(closed);
    let releases = Releases::start();
    for downloader in ["curl", "wget"] {
        let installer = Installer::new(&releases)
            .downloader(downloader)
            .env("AVN_TOKEN_DOWNLOAD_URL", &url)
            .env("AVN_TOKEN_VERSION", VERSION);
        let run = installer.run();
        run.code(1);
        run.stderr_contains(&format!("cannot download {url}/download/v{VERSION}/"));
        assert_eq!(
            run.stderr.lines().count(),
            2,
            "{downloader}: {}",
            run.stderr
        );
        assert_eq!(installer.installed(), Vec::<String>::new(), "{downloader}");
    }
}

#[test]
fn bad_settings_are_refused_with_what_to_do() {
    let releases = Releases::start();
    let installer = Installer::new(&releases).env("AVN_TOKEN_VERSION", "1.0; rm -rf ~");
    installer.run().code(1).stderr_contains(
        "AVN_TOKEN_VERSION=1.0; rm -rf ~ is not a version (such as 0.2.0) or `latest`",
    );
    let installer = Installer::new(&releases).downloader("");
    installer
        .run()
        .code(1)
        .stderr_contains("neither curl nor wget is installed");
    assert_eq!(releases.requests(), Vec::<String>::new());
}
