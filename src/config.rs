//! Paths and files that hold secrets.
//!
//! Anything that holds a private key, an appsecret or a token is created with mode 0600 at the
//! moment of creation (never created readable and tightened afterwards).

use std::fs::{self, OpenOptions};
use std::io::{self, Write as _};
use std::path::Path;

/// Write `contents` to a new file that only its owner can read. With `overwrite` false an
/// existing file is an error (`AlreadyExists`), so a key is never silently replaced.
pub fn write_secret_file(path: &Path, contents: &[u8], overwrite: bool) -> io::Result<()> {
    let mut options = open_options(overwrite);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        let mut file = options.open(path)?;
        // An overwritten file keeps its old mode; tighten it before writing the secret.
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
        file.write_all(contents)?;
        file.sync_all()
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(path)?;
        file.write_all(contents)?;
        file.sync_all()
    }
}

/// Write a file that holds nothing secret (a public key).
pub fn write_public_file(path: &Path, contents: &[u8], overwrite: bool) -> io::Result<()> {
    open_options(overwrite).open(path)?.write_all(contents)
}

/// Create-new, or create-or-truncate when `overwrite`.
fn open_options(overwrite: bool) -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    options
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
