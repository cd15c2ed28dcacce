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

pub mod profile;
