//! App profiles: a real app's ids, key files and callback, so `authwalk run --profile NAME`
//! talks to the real Alipay or WeChat. Read from `config.toml` in [`super::config_dir`].
//!
//! Secrets are never written inline by authwalk: a profile names a key *file*, or an
//! environment variable / file holding the WeChat appsecret. An inline `secret` is accepted
//! (people paste one) but the file must then be private (0600), or loading fails and says so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The whole `config.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One app, tagged by provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "provider", rename_all = "lowercase", deny_unknown_fields)]
pub enum Profile {
    Alipay(AlipayProfile),
    Wechat(WechatProfile),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlipayProfile {
    pub app_id: String,
    /// The app private key file (PEM or one-line base64).
    pub private_key: PathBuf,
    /// The Alipay public key file (支付宝公钥) for this app and environment.
    pub alipay_public_key: PathBuf,
    /// `RSA2` (default) or `RSA`.
    #[serde(default = "default_sign_type")]
    pub sign_type: String,
    /// `utf-8` (default) or `GBK`.
    #[serde(default = "default_charset")]
    pub charset: String,
    /// `production` (default), `sandbox`, `sandbox-legacy`, or a base URL.
    #[serde(default = "default_environment")]
    pub environment: String,
    /// The registered callback (授权回调地址).
    pub redirect_uri: String,
    /// `auth_user` (default) or `auth_base`.
    #[serde(default = "default_alipay_scope")]
    pub scope: String,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatProfile {
    pub appid: String,
    /// The appsecret itself (the config file must then be 0600).
    #[serde(default)]
    pub secret: Option<String>,
    /// An environment variable holding the appsecret.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// A file holding the appsecret.
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
    pub redirect_uri: String,
    /// `snsapi_userinfo` (default), `snsapi_base`, or `snsapi_login` (website QR login).
    #[serde(default = "default_wechat_scope")]
    pub scope: String,
    /// Base URLs, for a proxy or the sandbox; default the real hosts.
    #[serde(default)]
    pub open_base: Option<String>,
    #[serde(default)]
    pub api_base: Option<String>,
}

impl std::fmt::Debug for WechatProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatProfile")
            .field("appid", &self.appid)
            .field("secret", &self.secret.as_ref().map(|_| "(redacted)"))
            .field("secret_env", &self.secret_env)
            .field("secret_file", &self.secret_file)
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

fn default_sign_type() -> String {
    "RSA2".into()
}
fn default_charset() -> String {
    "utf-8".into()
}
fn default_environment() -> String {
    "production".into()
}
fn default_alipay_scope() -> String {
    "auth_user".into()
}
fn default_wechat_scope() -> String {
    "snsapi_userinfo".into()
}

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("no config file at {0}; create it from assets/config.sample.toml")]
    NoFile(PathBuf),
    #[error("cannot read {path}: {io}")]
    Read { path: PathBuf, io: std::io::Error },
    #[error("{path} is not a valid config: {detail}; compare with assets/config.sample.toml")]
    Parse { path: PathBuf, detail: String },
    #[error("no profile named '{name}' in {path}; known: {known}")]
    Unknown {
        name: String,
        path: PathBuf,
        known: String,
    },
    #[error(
        "{path} holds an inline appsecret but can be read by others (mode {mode:o}); run \
         `chmod 600 {path}` or use secret_env / secret_file"
    )]
    Exposed { path: PathBuf, mode: u32 },
    #[error("profile '{0}' gives no appsecret; set secret_env, secret_file or secret")]
    NoSecret(String),
    #[error("environment variable {0} (secret_env) is not set")]
    MissingEnv(String),
    /// The config or secret file is larger than any real one (`/dev/zero`, a wrong path), or
    /// could not be read.
    #[error(transparent)]
    Bounded(#[from] crate::limits::ReadError),
}

/// Parse a config file's text.
pub fn parse(text: &str, path: &Path) -> Result<ConfigFile, ProfileError> {
    // toml's Display quotes the offending line, which may hold an inline appsecret: keep only
    // the message and the position.
    toml::from_str(text).map_err(|e| {
        let at = e.span().map(|span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!(" at line {line}, column {column}")
        });
        ProfileError::Parse {
            path: path.to_owned(),
            detail: format!("{}{}", e.message().trim_end(), at.unwrap_or_default()),
        }
    })
}

/// Load profile `name` from `path`.
pub fn load(path: &Path, name: &str) -> Result<Profile, ProfileError> {
    if !path.exists() {
        return Err(ProfileError::NoFile(path.to_owned()));
    }
    let text = crate::limits::read_text_file(path, crate::limits::MAX_KEY_FILE)?;
    let config = parse(&text, path)?;
    let profile = config
        .profiles
        .get(name)
        .cloned()
        .ok_or_else(|| ProfileError::Unknown {
            name: name.to_owned(),
            path: path.to_owned(),
            known: if config.profiles.is_empty() {
                "(none)".to_owned()
            } else {
                config
                    .profiles
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })?;
    if let Profile::Wechat(w) = &profile
        && w.secret.is_some()
    {
        check_private(path)?;
    }
    Ok(profile)
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), ProfileError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path)
        .map_err(|io| ProfileError::Read {
            path: path.to_owned(),
            io,
        })?
        .permissions()
        .mode()
        & 0o777;
    if (mode & 0o077) != 0 {
        Err(ProfileError::Exposed {
            path: path.to_owned(),
            mode,
        })
    } else {
        Ok(())
    }
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), ProfileError> {
    Ok(())
}

impl WechatProfile {
    /// The appsecret, from the environment, a file, or inline (in that order).
    pub fn resolve_secret(&self, name: &str) -> Result<String, ProfileError> {
        if let Some(var) = &self.secret_env {
            return std::env::var(var).map_err(|_| ProfileError::MissingEnv(var.clone()));
        }
        if let Some(file) = &self.secret_file {
            return crate::limits::read_text_file(file, crate::limits::MAX_KEY_FILE)
                .map(|s| s.trim().to_owned())
                .map_err(ProfileError::from);
        }
        self.secret
            .clone()
            .ok_or_else(|| ProfileError::NoSecret(name.to_owned()))
    }
}
