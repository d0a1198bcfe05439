//! A fake GitHub releases page on 127.0.0.1, serving release archives made from the binary
//! under test, for the installer (`install.rs`) and the GitHub Action (`action.rs`).
//!
//! It lays assets out as GitHub does: `/releases/download/v<version>/<asset>`, and
//! `/releases/latest/download/<asset>` answered with a redirect to the latest version's
//! (so the installer's downloader must follow it). Archives are those the release workflow
//! makes: `avn-token-<target>.tar.gz` (`.zip` for Windows) holding
//! `avn-token-<target>/avn-token` with LICENSE and README.md, and `<archive>.sha256` in
//! `sha256sum` format.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use crate::support;

/// The version of the binary under test, which its archives are published as.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The repository's top directory (install.sh, action.yml, Cargo.toml are there).
pub fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The release target install.sh picks on this machine (the one the tests run on).
pub fn host_target() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-musl",
        ("linux", "aarch64") => "aarch64-unknown-linux-musl",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        (os, arch) => panic!("no release target for {os} {arch}"),
    }
}

/// The archive file name of a target, as the release workflow names it.
pub fn archive_name(target: &str) -> String {
    if target.contains("-windows-") {
        format!("avn-token-{target}.zip")
    } else {
        format!("avn-token-{target}.tar.gz")
    }
}

/// An archive's bytes and its `.sha256` file's text.
pub type Archive = (Vec<u8>, String);

/// The archive of `target` holding the binary under test, and its `.sha256` file's text;
/// made once per target (packing the debug binary takes a second or two).
pub fn archive(target: &str) -> Archive {
    static MADE: OnceLock<Mutex<HashMap<String, Archive>>> = OnceLock::new();
    let mut made = MADE.get_or_init(Mutex::default).lock().unwrap();
    made.entry(target.to_owned())
        .or_insert_with(|| pack(target))
        .clone()
}

fn pack(target: &str) -> Archive {
    let work = tempfile::tempdir().expect("a scratch directory");
    let name = archive_name(target);
    let folder = format!("avn-token-{target}");
    let inside = work.path().join(&folder);
    std::fs::create_dir(&inside).unwrap();
    let binary = if target.contains("-windows-") {
        "avn-token.exe"
    } else {
        "avn-token"
    };
    std::fs::copy(support::bin(), inside.join(binary)).unwrap();
    for file in ["LICENSE", "README.md"] {
        std::fs::copy(repository().join(file), inside.join(file)).unwrap();
    }
    let packer = if name.ends_with(".zip") {
        Command::new("zip")
            .current_dir(work.path())
            .args(["-q", "-r", &name, &folder])
            .status()
    } else {
        Command::new("tar")
            .current_dir(work.path())
            .args(["-czf", &name, &folder])
            // macOS's bsdtar would add `._NAME` files for extended attributes.
            .env("COPYFILE_DISABLE", "1")
            .status()
    };
    assert!(
        packer
            .expect("`tar` and `zip` make the test archives")
            .success(),
        "packing {name}"
    );
    let bytes = std::fs::read(work.path().join(&name)).unwrap();
    let checksum = format!("{}  {name}\n", sha256_hex(&bytes));
    (bytes, checksum)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The fake releases page: assets by version, the latest version, and every path asked for.
pub struct Releases {
    url: String,
    assets: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    latest: Arc<Mutex<String>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Releases {
    /// Serve on a free port of 127.0.0.1 until the test process ends.
    pub fn start() -> Releases {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let url = format!("http://{}/releases", listener.local_addr().unwrap());
        let releases = Releases {
            url,
            assets: Arc::default(),
            latest: Arc::new(Mutex::new(VERSION.to_owned())),
            requests: Arc::default(),
        };
        let (assets, latest, requests) = (
            Arc::clone(&releases.assets),
            Arc::clone(&releases.latest),
            Arc::clone(&releases.requests),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (assets, latest, requests) = (&assets, &latest, &requests);
                // One at a time: the installer downloads one file after another.
                let _ = answer(stream, assets, latest, requests);
            }
        });
        releases
    }

    /// What `AVN_TOKEN_DOWNLOAD_URL` is set to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Publish a file as `asset` of `version`.
    pub fn put(&self, version: &str, asset: &str, bytes: impl Into<Vec<u8>>) {
        self.assets.lock().unwrap().insert(
            format!("/releases/download/v{version}/{asset}"),
            bytes.into(),
        );
    }

    /// Publish `target`'s archive (made from the binary under test) and its checksum as
    /// `version`'s.
    pub fn publish(&self, version: &str, target: &str) {
        let (bytes, checksum) = archive(target);
        let name = archive_name(target);
        self.put(version, &format!("{name}.sha256"), checksum);
        self.put(version, &name, bytes);
    }

    pub fn set_latest(&self, version: &str) {
        *self.latest.lock().unwrap() = version.to_owned();
    }

    /// The paths asked for so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn answer(
    stream: TcpStream,
    assets: &Mutex<HashMap<String, Vec<u8>>>,
    latest: &Mutex<String>,
    requests: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_owned();
    requests.lock().unwrap().push(path.clone());
    let mut stream = stream;
    if let Some(asset) = path.strip_prefix("/releases/latest/download/") {
        let version = latest.lock().unwrap().clone();
        let host = stream.local_addr()?;
        let location = format!("http://{host}/releases/download/v{version}/{asset}");
        return write!(
            stream,
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
    }
    match assets.lock().unwrap().get(&path) {
        Some(bytes) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bytes.len()
            )?;
            stream.write_all(bytes)
        }
        None => write!(
            stream,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nNot Found"
        ),
    }
}

/// A directory for `PATH` holding links to the named programs only (found on the test's own
/// `PATH`), and fake ones (`(name, shell script)`): how a test leaves out curl or wget, or
/// makes `uname` say another platform. Programs that are not installed are left out.
pub fn path_with(dir: &Path, programs: &[&str], fakes: &[(&str, &str)]) -> PathBuf {
    use std::os::unix::fs::OpenOptionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for program in programs {
        let faked = fakes.iter().any(|(name, _)| name == program);
        if let (false, Some(found)) = (faked, which(program)) {
            std::os::unix::fs::symlink(found, bin.join(program)).unwrap();
        }
    }
    for (name, script) in fakes {
        // A new file, never opened through a link: writing through a link to the real
        // program would replace it on this machine.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o755)
            .open(bin.join(name))
            .unwrap();
        file.write_all(format!("#!/bin/sh\n{script}\n").as_bytes())
            .unwrap();
    }
    bin
}

/// Where `program` is on the test's own `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}
