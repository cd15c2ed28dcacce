//! Paths and files that hold secrets.
//!
//! Anything that holds a private key, an appsecret or a token is created with mode 0600 at the
//! moment of creation (never created readable and tightened afterwards).

use std::fs::{self, OpenOptions};
use std::io::{self, Write as _};
use std::path::Path;

/// Write `contents` to a new file that only its owner can read. With `overwrite` false an
/// existing file is an error (`AlreadyExists`), so a key is never silently replaced. With
/// `overwrite`, the file is written beside `path` and renamed over it, so a symlink standing at
/// `path` is replaced, never followed (it cannot redirect the key to another file).
pub fn write_secret_file(path: &Path, contents: &[u8], overwrite: bool) -> io::Result<()> {
    write_new_or_replace(path, contents, overwrite, true)
}

/// Write a file that holds nothing secret (a public key); like [`write_secret_file`], an
/// overwrite never follows a symlink.
pub fn write_public_file(path: &Path, contents: &[u8], overwrite: bool) -> io::Result<()> {
    write_new_or_replace(path, contents, overwrite, false)
}

fn write_new_or_replace(
    path: &Path,
    contents: &[u8],
    overwrite: bool,
    secret: bool,
) -> io::Result<()> {
    if !overwrite {
        // `create_new` (O_EXCL) fails on any existing path, a dangling symlink included.
        return write_new(path, contents, secret);
    }
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a file", path.display()),
        )
    })?;
    if path.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            format!("{} is a folder", path.display()),
        ));
    }
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".authwalk-{}.tmp", std::process::id()));
    let temp = path.with_file_name(temp_name);
    // A leftover from a killed run of this same process id.
    let _ = fs::remove_file(&temp);
    if let Err(e) = write_new(&temp, contents, secret).and_then(|()| fs::rename(&temp, path)) {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    Ok(())
}

/// Create `path` (it must not exist) and write `contents`; mode 0600 from the start when
/// `secret`.
fn write_new(path: &Path, contents: &[u8], secret: bool) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// The ssh-style warning for a key or secret file that other users may read or change
/// (any group or other permission bit), or `None` when it is owner-only (or not on Unix).
/// `what` names the content: "PRIVATE KEY", "SECRET".
pub fn loose_file_warning(path: &Path, what: &str) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then(|| loose_warning_text(path, what, mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, what);
        None
    }
}

fn loose_warning_text(path: &Path, what: &str, mode: u32) -> String {
    let shown = crate::escape::visible(&path.display().to_string()).into_owned();
    format!(
        "WARNING: UNPROTECTED {what} FILE!\n\
         Permissions {mode:04o} for '{shown}' are too open: other users of this machine can \
         read it. It should be readable by you only: chmod 600 '{shown}'"
    )
}

/// Where authwalk keeps its configuration: `AUTHWALK_CONFIG_DIR`, else the platform's config
/// folder (`~/.config/authwalk` on Linux).
pub fn config_dir() -> Option<std::path::PathBuf> {
    if let Some(dir) = std::env::var_os("AUTHWALK_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(dir.into());
    }
    directories::ProjectDirs::from("", "", "authwalk").map(|d| d.config_dir().to_owned())
}

/// Where authwalk keeps data (the sandbox's keys and `sandbox.json`): `AUTHWALK_DATA_DIR`, else
/// the platform's data folder (`~/.local/share/authwalk` on Linux).
pub fn data_dir() -> Option<std::path::PathBuf> {
    if let Some(dir) = std::env::var_os("AUTHWALK_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(dir.into());
    }
    directories::ProjectDirs::from("", "", "authwalk").map(|d| d.data_dir().to_owned())
}

/// The one folder where the sandbox keeps its keys, appsecrets and `sandbox.json`, shared by
/// `authwalk run` (the embedded sandbox) and `authwalk sandbox`: `<data>/sandbox`, where `<data>`
/// is [`data_dir`] (so `AUTHWALK_DATA_DIR` moves it too). Creating it is left to the sandbox,
/// which makes it with [`create_private_dir`].
pub fn sandbox_state_dir() -> Option<std::path::PathBuf> {
    data_dir().map(|d| d.join("sandbox"))
}

/// Create `dir` and any missing parents, each new folder with mode 0700 whatever the umask,
/// so keys and secrets are never put in a folder others can list. Several processes may call
/// it at once: a folder that another one created first is fine.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
        builder.mode(0o700);
        let existed = dir.is_dir();
        builder.create(dir)?;
        if !existed {
            // The mode given to mkdir is masked by the umask; 0700 is only ever narrowed by it,
            // but set it explicitly so the folder is exactly owner-only.
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        builder.create(dir)
    }
}

pub mod profile;

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn overwrite_replaces_a_symlink_instead_of_following_it() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let key = dir.path().join("app_private_key.pem");
        std::os::unix::fs::symlink(&victim, &key).unwrap();

        write_secret_file(&key, b"KEY", true).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!fs::symlink_metadata(&key).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&key).unwrap(), "KEY");
        assert_eq!(mode(&key), 0o600);

        let public = dir.path().join("app_public_key.pem");
        std::os::unix::fs::symlink(&victim, &public).unwrap();
        write_public_file(&public, b"PUB", true).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(fs::read_to_string(&public).unwrap(), "PUB");
        // Nothing left beside it.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn without_overwrite_a_symlink_is_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.pem");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &key).unwrap();
        let e = write_secret_file(&key, b"KEY", false).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn an_overwritten_secret_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.pem");
        fs::write(&key, "old").unwrap();
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        write_secret_file(&key, b"new", true).unwrap();
        assert_eq!(mode(&key), 0o600);
        assert_eq!(fs::read_to_string(&key).unwrap(), "new");
    }

    #[test]
    fn loose_files_get_the_ssh_style_warning() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.pem");
        fs::write(&key, "x").unwrap();
        fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(loose_file_warning(&key, "PRIVATE KEY"), None);
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        let warning = loose_file_warning(&key, "PRIVATE KEY").unwrap();
        assert!(
            warning.starts_with("WARNING: UNPROTECTED PRIVATE KEY FILE!"),
            "{warning}"
        );
        assert!(warning.contains("0644"), "{warning}");
        assert!(
            warning.contains(&format!("chmod 600 '{}'", key.display())),
            "{warning}"
        );
        fs::set_permissions(&key, fs::Permissions::from_mode(0o640)).unwrap();
        assert!(loose_file_warning(&key, "SECRET").unwrap().contains("0640"));
    }

    #[test]
    fn new_private_folders_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        create_private_dir(&deep).unwrap();
        for p in [dir.path().join("a"), dir.path().join("a/b"), deep] {
            assert_eq!(mode(&p) & 0o077, 0, "{}", p.display());
        }
    }
}
