//! The credentials store: the avn-compatible file a token is kept in between commands.
//!
//! Where it is (`AIVEN_CREDENTIALS_FILE`, else `$AIVEN_CONFIG_DIR/aiven-credentials.json`,
//! else `~/.config/aiven/aiven-credentials.json`), reading it under a size cap, writing it
//! for `login` (atomically, mode 0600, in a 0700 directory), removing it for `logout`, and
//! the warnings when its permissions let other users at it. Which token wins over the file
//! is not decided here but in [`super::Config::resolve`].

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::error::ConfigError;
use crate::env_vars::{EnvVars, Environment, non_empty_var};
use crate::secret::Secret;

/// A credentials file is a token and an email address: anything this big is not one.
const MAX_CREDENTIALS_BYTES: u64 = 64 * 1024;

/// A token as given (`source` names where from, for the message): surrounding whitespace
/// is ignored, and what is left must be printable ASCII without spaces, or it is a usage
/// error. The message never shows the token, only where the first bad character is.
pub(crate) fn check_token(text: &str, source: &str) -> Result<Secret, ConfigError> {
    let token = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if let Some((index, bad)) = token
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_graphic())
    {
        return Err(ConfigError::Invalid(format!(
            "the API token from {source} has a character no token has (U+{:04X}, character \
             {} of {}): a token is printable ASCII without spaces",
            u32::from(bad),
            index + 1,
            token.chars().count()
        )));
    }
    Ok(Secret::new(token))
}

/// `AIVEN_CREDENTIALS_FILE`, else `$AIVEN_CONFIG_DIR/aiven-credentials.json`, else
/// `~/.config/aiven/aiven-credentials.json` (as `avn`, which ignores XDG_CONFIG_HOME), `~`
/// found as avn finds it on this platform ([`HomeRule`]).
pub(super) fn credentials_file(env: &impl Environment) -> Result<PathBuf, ConfigError> {
    credentials_file_under(env, HomeRule::THIS_PLATFORM)
}

fn credentials_file_under(
    env: &impl Environment,
    home_rule: HomeRule,
) -> Result<PathBuf, ConfigError> {
    if let Some(file) = non_empty_var(env, EnvVars::AIVEN_CREDENTIALS_FILE) {
        return Ok(PathBuf::from(file));
    }
    let config_dir = match non_empty_var(env, EnvVars::AIVEN_CONFIG_DIR) {
        Some(dir) => PathBuf::from(dir),
        None => home_rule
            .home_from(env)
            // Nothing in the environment: the operating system's record of the user (the
            // password database on Unix, as Python; the profile folder on Windows, where
            // Python would leave a literal `~` directory).
            .or_else(dirs::home_dir)
            .ok_or(ConfigError::NoHome)?
            .join(".config")
            .join("aiven"),
    };
    Ok(config_dir.join("aiven-credentials.json"))
}

/// How `~` is found: as avn's Python (`os.path.expanduser("~")` in aiven-client's
/// `envdefault.py`) finds it, so both tools use the same credentials file. A rule is
/// chosen once, by platform ([`HomeRule::THIS_PLATFORM`]); both are tested everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HomeRule {
    /// Python's `posixpath`: `HOME`, else the password database.
    Posix,
    /// Python's `ntpath` (3.8 and later): `USERPROFILE`, else `HOMEDRIVE` + `HOMEPATH`.
    /// `HOME` is ignored, even when MSYS2 or Git Bash sets it.
    Windows,
}

impl HomeRule {
    /// The one platform decision about the home directory. `dirs::home_dir` alone does not
    /// do: on Windows it asks for the profile folder and never reads `USERPROFILE`, which
    /// avn reads first.
    const THIS_PLATFORM: HomeRule = if cfg!(windows) {
        HomeRule::Windows
    } else {
        HomeRule::Posix
    };

    /// The home directory the environment names under this rule, if it names one (an
    /// empty variable counts as unset, as every variable here).
    fn home_from(self, env: &impl Environment) -> Option<PathBuf> {
        match self {
            HomeRule::Posix => non_empty_var(env, EnvVars::HOME).map(PathBuf::from),
            HomeRule::Windows => non_empty_var(env, EnvVars::USERPROFILE)
                .or_else(|| {
                    let path = non_empty_var(env, EnvVars::HOMEPATH)?;
                    // `C:` + `\Users\me`; without HOMEDRIVE, HOMEPATH alone (as ntpath).
                    let mut home = non_empty_var(env, EnvVars::HOMEDRIVE).unwrap_or_default();
                    home.push(path);
                    Some(home)
                })
                .map(PathBuf::from),
        }
    }
}

/// The avn-compatible credentials file: `{"auth_token": "...", "user_email": "..."}`.
/// `login` writes those two fields only, as `avn user login` does: other fields a file held
/// are not kept.
#[derive(Debug, Clone, Default)]
pub(crate) struct Credentials {
    fields: Map<String, Value>,
}

impl Credentials {
    pub(crate) fn new(token: &Secret, user_email: Option<&str>) -> Self {
        let mut fields = Map::new();
        fields.insert(
            "auth_token".into(),
            Value::String(token.expose().to_owned()),
        );
        fields.insert(
            "user_email".into(),
            user_email.map_or(Value::Null, |email| Value::String(email.to_owned())),
        );
        Credentials { fields }
    }

    /// Read the file; `Ok(None)` when it does not exist. A file that exists but cannot be
    /// read or parsed is an error, never silently ignored.
    pub(crate) fn read(path: &Path) -> Result<Option<Credentials>, ConfigError> {
        let bad = |reason: String| ConfigError::BadCredentialsFile {
            path: path.to_owned(),
            reason,
        };
        let text = match crate::files::read_regular(path, MAX_CREDENTIALS_BYTES) {
            Ok(Some(text)) => text,
            Ok(None) => return Ok(None),
            Err(e) => return Err(bad(e.to_string())),
        };
        let fields = json_object(&text).map_err(bad)?;
        Ok(Some(Credentials { fields }))
    }

    /// The token in the file (read from `path`, named in the message when it is unusable):
    /// `None` when there is none, an error when it is not a string or not a token.
    pub(crate) fn auth_token(&self, path: &Path) -> Result<Option<Secret>, ConfigError> {
        match self.fields.get("auth_token") {
            Some(Value::String(token)) if !token.trim_ascii().is_empty() => {
                check_token(token, &format!("credentials file {}", path.display())).map(Some)
            }
            None | Some(Value::Null) | Some(Value::String(_)) => Ok(None),
            Some(_) => Err(ConfigError::BadCredentialsFile {
                path: path.to_owned(),
                reason: "\"auth_token\" must be a string".into(),
            }),
        }
    }

    /// Write the file atomically (temp file, fsync, rename) with mode 0600, creating its
    /// directory with mode 0700 when missing. A crash leaves the old file or the new one.
    /// Only replaces what [`stored_credentials`] accepts. Returns warnings for the user:
    /// an existing directory that other users can write to is used, but said.
    pub(crate) fn write(&self, path: &Path) -> Result<Vec<String>, ConfigError> {
        let fail = |reason: String| ConfigError::WriteCredentials {
            path: path.to_owned(),
            action: "write",
            reason,
        };
        stored_credentials(path, "replace")?;
        let dir = directory_of(path);
        if !dir.exists() {
            create_private_dir(dir).map_err(|e| fail(e.to_string()))?;
        }
        let body = serde_json::to_vec(&self.fields).map_err(|e| fail(e.to_string()))?;
        crate::files::write_private(path, &body).map_err(|e| fail(e.to_string()))?;
        // The file's own mode is the 0600 just written: only where it is can be wrong.
        Ok(location_warnings(path).into_iter().flatten().collect())
    }
}

/// What sits at the credentials path, when `login` may replace it and `logout` remove it.
#[derive(Debug)]
pub(crate) enum StoredCredentials {
    /// Nothing.
    Missing,
    /// An empty (or blank) file: nothing to lose.
    Empty,
    /// A credentials file: a JSON object, whatever its fields hold.
    File(Credentials),
}

/// What is at `path`, if this tool may `action` ("replace", "remove") it.
///
/// Only a regular file that is empty or holds a JSON object is ever replaced or removed:
/// that is what `avn` and this tool write, possibly damaged (an `auth_token` that is not a
/// string), so it is ours to fix. Anything else is refused, and left untouched, because
/// the path may name something precious by mistake (`AIVEN_CREDENTIALS_FILE=~/.bashrc`):
/// a symbolic link (replacing it would leave the token in its target, removing it would
/// leave the target; whoever made the link should decide), a directory, a device, a FIFO,
/// a file too large to be a credentials file, or a file that is not a JSON object. A
/// damaged non-JSON credentials file must therefore be removed by hand, once; the message
/// says so.
pub(crate) fn stored_credentials(
    path: &Path,
    action: &'static str,
) -> Result<StoredCredentials, ConfigError> {
    let refuse = |why: String| ConfigError::WriteCredentials {
        path: path.to_owned(),
        action,
        reason: format!(
            "{why}; only a regular file holding a JSON object (a credentials file) is \
             replaced or removed: move it away yourself if it should go, or point {} \
             elsewhere",
            EnvVars::AIVEN_CREDENTIALS_FILE
        ),
    };
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::files::truly_missing(path).map_err(|e| refuse(e.to_string()))?;
            return Ok(StoredCredentials::Missing);
        }
        Err(e) => return Err(refuse(e.to_string())),
        Ok(meta) if !meta.is_file() => {
            return Err(refuse(format!("it is {}", crate::files::kind_of(&meta))));
        }
        Ok(_) => {}
    }
    let bytes = match crate::files::read_regular(path, MAX_CREDENTIALS_BYTES) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(StoredCredentials::Missing),
        Err(e) => return Err(refuse(format!("it cannot be read ({e})"))),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(StoredCredentials::Empty);
    }
    match json_object(&bytes) {
        Ok(fields) => Ok(StoredCredentials::File(Credentials { fields })),
        Err(_) => Err(refuse("it is not a JSON object".into())),
    }
}

/// The JSON object a credentials file holds, or why it holds none.
fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err("expected a JSON object with an \"auth_token\" field".into()),
        Err(e) => Err(format!("not valid JSON ({e}); fix or remove it")),
    }
}

/// Remove the credentials file; a missing file is fine (as `avn user logout`). Only what
/// [`stored_credentials`] accepts is removed.
pub(crate) fn remove_credentials(path: &Path) -> Result<bool, ConfigError> {
    if let StoredCredentials::Missing = stored_credentials(path, "remove")? {
        return Ok(false);
    }
    removal(path, std::fs::remove_file(path))
}

/// What the removal of the file at `path` came to: `Ok(true)` removed, `Ok(false)` already
/// gone (someone else removed it since it was checked), and any other failure an error:
/// never "not logged in" for a file that is still there.
fn removal(path: &Path, removed: std::io::Result<()>) -> Result<bool, ConfigError> {
    match removed {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(ConfigError::WriteCredentials {
            path: path.to_owned(),
            action: "remove",
            reason: e.to_string(),
        }),
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    // No mode on Windows (see `mode_of`).
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Warnings about how the credentials file at `path` is stored, for a command that read it:
/// other users can read it, or replace or remove it through its directory, or (on Windows)
/// it is outside the folder whose access rules protect it.
pub(super) fn permission_warnings(path: &Path) -> Vec<String> {
    std::iter::once(file_warning(path))
        .chain(location_warnings(path))
        .flatten()
        .collect()
}

/// The warnings about where the credentials file at `path` is, which hold for a file this
/// store has just written as for one it reads: its directory, and (on Windows) its folder.
fn location_warnings(path: &Path) -> [Option<String>; 2] {
    [directory_warning(path), profile_warning(path)]
}

/// A warning when the credentials file can be read by group or others.
fn file_warning(path: &Path) -> Option<String> {
    let mode = mode_of(path)?;
    (mode & 0o077 != 0).then(|| {
        format!(
            "credentials file {} is accessible by other users (mode {:03o}); run: chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        )
    })
}

/// A warning when the directory of the credentials file at `path` lets group or others
/// create, rename and remove files in it: they could replace the file (with a token of
/// theirs) or remove it, whatever the file's own mode. A sticky directory (such as `/tmp`,
/// mode 1777) is not warned about: there only the file's owner may rename or remove it.
fn directory_warning(path: &Path) -> Option<String> {
    let dir = directory_of(path);
    let mode = mode_of(dir)?;
    const STICKY: u32 = 0o1000;
    (mode & 0o022 != 0 && mode & STICKY == 0).then(|| {
        format!(
            "credentials directory {} is writable by other users (mode {:03o}), who could \
             replace or remove the credentials file; run: chmod 700 {}",
            dir.display(),
            mode & 0o777,
            dir.display()
        )
    })
}

/// The directory the credentials file at `path` is in (`.` for a bare file name).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// On Windows, a warning when the credentials file at `path` is outside the user's profile
/// folder: the modes this store asks for do nothing there ([`mode_of`]), and what protects
/// the file is the access control list it inherits from its folder. The profile's is
/// private to the user; another folder's (`D:\ci`, a shared drive) may let others read it.
/// Nothing is said on other platforms, where the modes are checked instead.
///
/// Both paths are compared in their canonical form (links followed, 8.3 short names such
/// as `RUNNER~1` expanded, the same `\\?\` prefix on both); when either cannot be resolved
/// nothing is said rather than a guess.
fn profile_warning(path: &Path) -> Option<String> {
    if !cfg!(windows) {
        return None;
    }
    // The profile folder as the system records it, not `USERPROFILE`: the folder whose
    // access rules are the user's own.
    let profile = dirs::home_dir()?;
    let within = is_within_ignoring_case(
        &std::fs::canonicalize(directory_of(path)).ok()?,
        &std::fs::canonicalize(&profile).ok()?,
    );
    if within {
        return None;
    }
    Some(format!(
        "credentials file {} is outside your profile folder {}: on Windows it is \
         protected by its folder's access rules, not by mode 0600; keep it under your \
         profile or make sure only you can read that folder",
        path.display(),
        profile.display()
    ))
}

/// Whether `path` is `folder` or lies under it, component by component, ignoring case as
/// Windows' file systems do (the only platform this is asked on; the comparison itself is
/// tested everywhere).
fn is_within_ignoring_case(path: &Path, folder: &Path) -> bool {
    let lower = |path: &Path| -> Vec<String> {
        path.components()
            .map(|part| part.as_os_str().to_string_lossy().to_lowercase())
            .collect()
    };
    lower(path).starts_with(&lower(folder))
}

/// The permission bits of what is at `path` (symlinks followed), if it exists and has any.
///
/// The one place the credentials store's checks depend on the platform. On Windows a file
/// is protected by its access control list, inherited from the folder it is created in (the
/// user's profile for the default path), not by a mode: the 0600 and 0700 this store writes
/// are not applied there, and nothing is checked: [`profile_warning`] says where the file is
/// instead.
fn mode_of(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|meta| meta.permissions().mode())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::ffi::OsString;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> + use<> {
        let env: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        move |key: &str| env.get(key).cloned()
    }

    #[test]
    fn credentials_file_location() {
        let get = |pairs: &[(&str, &str)]| credentials_file(&env_of(pairs)).unwrap();
        assert_eq!(
            get(&[
                ("AIVEN_CREDENTIALS_FILE", "/x/c.json"),
                ("AIVEN_CONFIG_DIR", "/d")
            ]),
            PathBuf::from("/x/c.json")
        );
        assert_eq!(
            get(&[
                ("AIVEN_CONFIG_DIR", "/d"),
                ("HOME", "/h"),
                ("USERPROFILE", "/u")
            ]),
            PathBuf::from("/d/aiven-credentials.json")
        );
    }

    #[test]
    fn home_is_found_as_avn_finds_it_on_each_platform() {
        let file_under = |rule: HomeRule, pairs: &[(&str, &str)]| {
            credentials_file_under(&env_of(pairs), rule).unwrap()
        };
        let in_home = |home: &str| {
            PathBuf::from(home)
                .join(".config")
                .join("aiven")
                .join("aiven-credentials.json")
        };
        let windows = [
            ("HOME", "/c/Users/me/msys"),
            ("USERPROFILE", r"C:\Users\me"),
            ("HOMEDRIVE", "D:"),
            ("HOMEPATH", r"\Profiles\me"),
        ];
        // Unix: HOME, whatever Windows variables are set too.
        assert_eq!(
            file_under(HomeRule::Posix, &windows),
            in_home("/c/Users/me/msys")
        );
        // Windows: USERPROFILE before HOMEDRIVE + HOMEPATH, and never HOME.
        assert_eq!(
            file_under(HomeRule::Windows, &windows),
            in_home(r"C:\Users\me")
        );
        assert_eq!(
            file_under(HomeRule::Windows, &windows[..1]).parent(),
            file_under(HomeRule::Posix, &[]).parent(),
            "HOME alone is not read on Windows: the operating system is asked instead"
        );
        let env = env_of(&windows[2..]);
        assert_eq!(
            HomeRule::Windows.home_from(&env),
            Some(PathBuf::from(r"D:\Profiles\me"))
        );
        let env = env_of(&windows[3..]);
        assert_eq!(
            HomeRule::Windows.home_from(&env),
            Some(PathBuf::from(r"\Profiles\me"))
        );
        let env = env_of(&[("HOME", "/h"), ("HOMEDRIVE", "D:")]);
        assert_eq!(HomeRule::Windows.home_from(&env), None);
        assert_eq!(HomeRule::Posix.home_from(&env), Some(PathBuf::from("/h")));
        // An empty variable counts as unset, under both rules.
        let env = env_of(&[("HOME", ""), ("USERPROFILE", ""), ("HOMEPATH", "")]);
        assert_eq!(HomeRule::Posix.home_from(&env), None);
        assert_eq!(HomeRule::Windows.home_from(&env), None);
        // The binary uses the rule of the platform it was built for.
        assert_eq!(HomeRule::THIS_PLATFORM == HomeRule::Windows, cfg!(windows));
    }

    #[test]
    fn only_credentials_files_are_replaced_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.json");
        assert!(matches!(
            stored_credentials(&path, "replace").unwrap(),
            StoredCredentials::Missing
        ));
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            stored_credentials(&path, "replace").unwrap(),
            StoredCredentials::Empty
        ));
        std::fs::write(&path, r#"{"auth_token": 5}"#).unwrap();
        assert!(matches!(
            stored_credentials(&path, "replace").unwrap(),
            StoredCredentials::File(_)
        ));
        for content in ["export PATH=/bin\n", "[1]", "{\"auth_token\": "] {
            std::fs::write(&path, content).unwrap();
            let error = stored_credentials(&path, "remove").unwrap_err().to_string();
            assert!(
                error.contains("cannot remove") && error.contains("JSON object"),
                "{error}"
            );
            assert!(remove_credentials(&path).is_err());
            assert!(
                Credentials::new(&Secret::new("t"), None)
                    .write(&path)
                    .is_err()
            );
            assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
        }
        let error = stored_credentials(dir.path(), "replace")
            .unwrap_err()
            .to_string();
        assert!(error.contains("a directory"), "{error}");
        #[cfg(unix)]
        {
            let target = dir.path().join("target.json");
            std::fs::write(&target, "{}").unwrap();
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            let error = remove_credentials(&link).unwrap_err().to_string();
            assert!(error.contains("symbolic link"), "{error}");
            assert!(link.exists() && target.exists());
        }
    }

    #[test]
    fn a_removal_that_fails_is_an_error_unless_the_file_is_already_gone() {
        // Root removes what permission bits would protect, so these failures are made here.
        let path = Path::new("/x/aiven-credentials.json");
        assert!(removal(path, Ok(())).unwrap());
        let gone = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(!removal(path, Err(gone)).unwrap());
        for kind in [
            std::io::ErrorKind::PermissionDenied,
            std::io::ErrorKind::NotADirectory,
            std::io::ErrorKind::ReadOnlyFilesystem,
        ] {
            let error = removal(path, Err(kind.into())).unwrap_err();
            assert!(
                matches!(
                    error,
                    ConfigError::WriteCredentials {
                        action: "remove",
                        ..
                    }
                ),
                "{kind:?}: {error}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn written_credentials_are_private_and_readable_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("aiven").join("aiven-credentials.json");
        Credentials::new(&Secret::new("tok"), Some("me@example.com"))
            .write(&file)
            .unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(file.parent().unwrap()), 0o700);
        let back = Credentials::read(&file).unwrap().unwrap();
        assert_eq!(back.auth_token(&file).unwrap().unwrap().expose(), "tok");
        assert_eq!(permission_warnings(&file), Vec::<String>::new());
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let warnings = permission_warnings(&file);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("chmod 600"), "{warnings:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_other_users_can_write_to_is_warned_about() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let aiven = dir.path().join("aiven");
        std::fs::create_dir(&aiven).unwrap();
        let file = aiven.join("aiven-credentials.json");
        for (mode, warned) in [
            (0o777, true),
            (0o770, true),
            (0o707, true),
            (0o1777, false),
            (0o755, false),
            (0o711, false),
            (0o700, false),
        ] {
            std::fs::set_permissions(&aiven, std::fs::Permissions::from_mode(mode)).unwrap();
            // Written there (used, and said) ...
            let written = Credentials::new(&Secret::new("tok"), None)
                .write(&file)
                .unwrap();
            // ... and read from there.
            let read = permission_warnings(&file);
            assert_eq!(read, written, "{mode:o}");
            assert_eq!(read.len(), usize::from(warned), "{mode:o}: {read:?}");
            if warned {
                assert!(read[0].contains("writable by other users"), "{read:?}");
                assert!(read[0].contains(&format!("mode {:03o}", mode & 0o777)));
                assert!(read[0].contains("chmod 700"), "{read:?}");
            }
            assert_eq!(
                std::fs::read(&file).unwrap(),
                br#"{"auth_token":"tok","user_email":null}"#
            );
        }
        // A file named without a directory is in the current one.
        assert_eq!(directory_of(Path::new("c.json")), Path::new("."));
    }

    #[test]
    fn outside_the_profile_is_a_windows_warning_only() {
        // The folder itself and what is under it, whatever the case; not a sibling whose
        // name merely starts the same, nor a parent.
        let profile = Path::new("/users/Me");
        for (path, within) in [
            ("/users/Me", true),
            ("/USERS/me/.config/aiven", true),
            ("/users/me/AppData/Local/Temp/x", true),
            ("/users/Me2", false),
            ("/users", false),
            ("/ci/aiven", false),
        ] {
            assert_eq!(
                is_within_ignoring_case(Path::new(path), profile),
                within,
                "{path}"
            );
        }
        // Off Windows the modes are checked instead, and nothing is said of where the file
        // is: a directory outside the home directory gets no warning here.
        if !cfg!(windows) {
            let elsewhere = tempfile::tempdir().unwrap();
            let file = elsewhere.path().join("c.json");
            std::fs::write(&file, "{}").unwrap();
            assert_eq!(profile_warning(&file), None);
        }
    }
}
