//! App profiles: a real app's ids, key files and callback, so `authwalk run --profile NAME`
//! talks to the real Alipay or WeChat. Read from `config.toml` in [`super::config_dir`], and
//! written there by `authwalk profile add`.
//!
//! Secrets are given by reference (a [`SecretRef`]): a key file, `env:VAR`, or `cmd:COMMAND`
//! whose standard output is the secret (a password manager). An inline secret is accepted
//! (people paste one) but the file must then be private (0600), or loading fails with an
//! ssh-style warning.
//!
//! The same `config.toml` holds the TUI's `[keys]` table and its `theme`; they are parsed here
//! as opaque values so that a remapped key never breaks profile loading.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod secret;

pub use secret::{SECRET_COMMAND_TIMEOUT, SecretRef};

/// The whole `config.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// The TUI's key map (`[keys]`), read by the TUI; opaque here.
    #[serde(default)]
    pub keys: Option<toml::Table>,
    /// The TUI's colour theme, read by the TUI; opaque here.
    #[serde(default)]
    pub theme: Option<String>,
    /// The SDK the inspector's code popup last showed, by provider (`[code]`); opaque here.
    #[serde(default)]
    pub code: Option<toml::Table>,
}

/// One app, tagged by provider.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "provider", rename_all = "lowercase", deny_unknown_fields)]
pub enum Profile {
    Alipay(AlipayProfile),
    Wechat(WechatProfile),
}

impl Profile {
    /// The environment as written (`production` when unset for WeChat).
    pub fn environment(&self) -> &str {
        match self {
            Self::Alipay(p) => &p.environment,
            Self::Wechat(p) => p.environment.as_deref().unwrap_or("production"),
        }
    }

    /// Whether the profile holds a secret inline (so its file must be 0600).
    pub fn has_inline_secret(&self) -> bool {
        match self {
            Self::Alipay(p) => {
                p.private_key
                    .as_deref()
                    .is_some_and(|k| matches!(SecretRef::parse_key(k), SecretRef::Inline(_)))
                    || matches!(p.encrypt_key_ref(), Some(SecretRef::Inline(_)))
            }
            Self::Wechat(p) => p
                .secret
                .as_deref()
                .is_some_and(|s| matches!(SecretRef::parse_secret(s), SecretRef::Inline(_))),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AlipayProfile {
    pub app_id: String,
    /// The app private key: a file (PEM or one-line base64), `env:VAR`, `cmd:COMMAND`, or the
    /// key inline (then the config file must be 0600). May be left out on a sandbox
    /// environment: the sandbox's own key for `app_id` is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    /// The Alipay public key file (支付宝公钥) for this app and environment. May be left out on a
    /// sandbox environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alipay_public_key: Option<PathBuf>,
    /// `RSA2` (default) or `RSA`.
    #[serde(default = "default_sign_type")]
    pub sign_type: String,
    /// `utf-8` (default) or `GBK`.
    #[serde(default = "default_charset")]
    pub charset: String,
    /// `production` (default), `sandbox` (Alipay's), `sandbox-legacy`, `embedded` (the embedded
    /// sandbox), `running` / `running:SPEC` (an `authwalk sandbox` already running), or a base
    /// URL.
    #[serde(default = "default_environment")]
    pub environment: String,
    /// The registered callback (授权回调地址).
    pub redirect_uri: String,
    /// `auth_user` (default) or `auth_base`.
    #[serde(default = "default_alipay_scope")]
    pub scope: String,
    /// Certificate mode (公钥证书): the app certificate file (`appCertPublicKey_<app_id>.crt`).
    /// Giving it, `alipay_cert` and `alipay_root_cert` puts the app in certificate mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_cert: Option<PathBuf>,
    /// Certificate mode: Alipay's certificate file (`alipayCertPublicKey_RSA2.crt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alipay_cert: Option<PathBuf>,
    /// Certificate mode: the root bundle (`alipayRootCert.crt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alipay_root_cert: Option<PathBuf>,
    /// `v2` (default: `gateway.do`) or `v3` (REST paths with header signatures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// The AES key of content encryption (接口内容加密方式), which opens `my.getPhoneNumber`'s
    /// answer: `env:VAR`, `cmd:COMMAND`, `file:PATH`, or the key itself (the config file must
    /// then be 0600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypt_key: Option<String>,
    /// Which user ids the console says the app gets: `uid`, `openid` or `both`. A walk whose
    /// token answer lacks the expected id says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_mode: Option<String>,
}

#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WechatProfile {
    pub appid: String,
    /// The appsecret: `env:VAR`, `cmd:COMMAND`, `file:PATH`, or the secret itself (the config
    /// file must then be 0600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// An environment variable holding the appsecret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<String>,
    /// A file holding the appsecret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_file: Option<PathBuf>,
    pub redirect_uri: String,
    /// `snsapi_userinfo` (default), `snsapi_base`, or `snsapi_login` (website QR login).
    #[serde(default = "default_wechat_scope")]
    pub scope: String,
    /// `production` (default), `embedded`, `running` / `running:SPEC`, or a base URL that
    /// stands in for both WeChat hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Base URLs, for a proxy; they win over `environment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_base: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
            .field("environment", &self.environment)
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
    #[error(
        "profile '{profile}' gives the appsecret more than once ({keys}); keep one, so it is \
         clear which secret is sent"
    )]
    TwoSecrets { profile: String, keys: String },
    #[error("{path} is not a valid config: {detail}; compare with assets/config.sample.toml")]
    Parse { path: PathBuf, detail: String },
    #[error("no profile named '{name}' in {path}; known: {known}")]
    Unknown {
        name: String,
        path: PathBuf,
        known: String,
    },
    /// An inline secret in a file others can read: refused, as ssh refuses such a key.
    #[error(
        "\n@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
         @      WARNING: UNPROTECTED SECRET IN CONFIG FILE!       @\n\
         @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
         Permissions {mode:04o} for '{path}' are too open.\n\
         A config file that holds a secret inline must not be accessible by others.\n\
         This secret will be ignored: run `chmod 600 {path}`, or give the secret by reference \
         (a key file, env:VAR or cmd:COMMAND)"
    )]
    Exposed { path: PathBuf, mode: u32 },
    #[error("profile '{0}' gives no appsecret; set secret (env:VAR, cmd:COMMAND, file:PATH)")]
    NoSecret(String),
    #[error("profile '{0}' gives no private_key; set it to a key file, env:VAR or cmd:COMMAND")]
    NoKey(String),
    #[error("environment variable {0} is not set")]
    MissingEnv(String),
    /// A `cmd:` secret could not be run or failed; its output is never quoted.
    #[error("the secret command `{command}` {detail}")]
    Command { command: String, detail: String },
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
        let mut hint = String::new();
        let at = e.span().map(|span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            // `secret = 0123…` parses as a broken number: name the key and ask for quotes,
            // without repeating the value.
            let line_text = text.lines().nth(line - 1).unwrap_or_default();
            if let Some((key, value)) = line_text.split_once('=') {
                let value = value.trim();
                // Only when the value itself is no TOML value (not for a duplicate key).
                let parses = toml::from_str::<toml::Table>(&format!("v = {value}")).is_ok();
                if !parses && !value.is_empty() && !value.starts_with(['"', '\'', '[', '{']) {
                    hint = format!(
                        ": the value of '{}' needs quotes, as every text does in TOML \
                         ({} = \"…\")",
                        key.trim(),
                        key.trim()
                    );
                }
            }
            format!(" at line {line}, column {column}")
        });
        // serde quotes the value of the wrong type (`invalid type: integer `98765…``), which may
        // be an unquoted appsecret: the value is masked, the key named, and quotes asked for.
        let message = mask_quoted_value(e.message().trim_end());
        if hint.is_empty()
            && message.starts_with("invalid type")
            && let Some(key) = unquoted_text_key(text)
        {
            hint = format!(
                ": the value of '{key}' needs quotes, as every text does in TOML ({key} = \"…\")"
            );
        }
        ProfileError::Parse {
            path: path.to_owned(),
            detail: format!("{message}{}{hint}", at.unwrap_or_default()),
        }
    })
}

/// `invalid type: integer `98765432109876543210`, expected …` with the value between the first
/// backticks masked; any other message as it is (it quotes key names, not values).
fn mask_quoted_value(message: &str) -> String {
    if !(message.starts_with("invalid type") || message.starts_with("invalid value")) {
        return message.to_owned();
    }
    match message.split_once('`').and_then(|(head, rest)| {
        rest.split_once('`')
            .map(|(value, tail)| (head, crate::redact::mask(value), tail))
    }) {
        Some((head, value, tail)) => format!("{head}`{value}`{tail}"),
        None => message.to_owned(),
    }
}

/// The first key of a profile whose value is a number or a boolean: every profile key holds
/// text.
fn unquoted_text_key(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let profiles = table.get("profiles")?.as_table()?;
    profiles
        .values()
        .filter_map(toml::Value::as_table)
        .find_map(|p| {
            p.iter()
                .find(|(_, v)| {
                    matches!(
                        v,
                        toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_)
                    )
                })
                .map(|(k, _)| crate::escape::visible(k).into_owned())
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
    if profile.has_inline_secret() {
        check_private(path)?;
    }
    Ok(profile)
}

/// Refuse `path` when it can be read by anyone but its owner.
#[cfg(unix)]
pub fn check_private(path: &Path) -> Result<(), ProfileError> {
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
pub fn check_private(_path: &Path) -> Result<(), ProfileError> {
    Ok(())
}

impl WechatProfile {
    /// Where the appsecret comes from: `secret_env`, `secret_file`, then `secret`.
    pub fn secret_ref(&self) -> Option<SecretRef> {
        if let Some(var) = &self.secret_env {
            return Some(SecretRef::Env(var.clone()));
        }
        if let Some(file) = &self.secret_file {
            return Some(SecretRef::File(file.clone()));
        }
        self.secret.as_deref().map(SecretRef::parse_secret)
    }

    /// The appsecret, from the environment, a file, a command, or inline.
    pub fn resolve_secret(&self, name: &str) -> Result<String, ProfileError> {
        let given: Vec<&str> = [
            ("secret_env", self.secret_env.is_some()),
            ("secret_file", self.secret_file.is_some()),
            ("secret", self.secret.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect();
        if given.len() > 1 {
            return Err(ProfileError::TwoSecrets {
                profile: name.to_owned(),
                keys: given.join(" and "),
            });
        }
        let secret = self
            .secret_ref()
            .ok_or_else(|| ProfileError::NoSecret(name.to_owned()))?
            .resolve()?;
        String::from_utf8(secret).map_err(|_| ProfileError::Command {
            command: "(appsecret)".to_owned(),
            detail: "gave text that is not UTF-8".to_owned(),
        })
    }
}

impl AlipayProfile {
    /// Where the app private key comes from, when the profile names one.
    pub fn private_key_ref(&self) -> Option<SecretRef> {
        self.private_key.as_deref().map(SecretRef::parse_key)
    }

    /// Where the AES key comes from, when the profile names one.
    pub fn encrypt_key_ref(&self) -> Option<SecretRef> {
        self.encrypt_key.as_deref().map(SecretRef::parse_secret)
    }
}

/// `config.toml` in [`super::config_dir`].
pub fn config_path() -> Result<PathBuf, ProfileError> {
    super::config_dir()
        .map(|d| d.join("config.toml"))
        .ok_or_else(|| {
            ProfileError::NoFile(PathBuf::from("(no config folder; set AUTHWALK_CONFIG_DIR)"))
        })
}

/// The whole config at `path`; an absent file is an empty config.
pub fn load_all(path: &Path) -> Result<ConfigFile, ProfileError> {
    if !path.exists() {
        return Ok(ConfigFile::default());
    }
    let text = crate::limits::read_text_file(path, crate::limits::MAX_KEY_FILE)?;
    parse(&text, path)
}

/// Why a profile could not be written or removed.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("a profile named '{0}' already exists; remove it first (authwalk profile rm {0})")]
    Exists(String),
    #[error("no profile named '{0}'")]
    Unknown(String),
    #[error("profile names are letters, digits, '-' and '_' (got '{0}')")]
    BadName(String),
    #[error(
        "profile '{0}' is not written as a [profiles.{0}] table in config.toml; remove it by \
         editing the file"
    )]
    NotATable(String),
    #[error("cannot write {path}: {io}")]
    Write { path: PathBuf, io: std::io::Error },
}

/// Whether `name` is a plain profile name (one TOML bare key).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Append profile `name` to the config at `path`, keeping everything already there (comments
/// included). A new file is created 0600; a profile with an inline secret is refused when the
/// existing file can be read by others.
pub fn add(path: &Path, name: &str, profile: &Profile) -> Result<(), EditError> {
    if !valid_name(name) {
        return Err(EditError::BadName(name.to_owned()));
    }
    let config = load_all(path)?;
    if config.profiles.contains_key(name) {
        return Err(EditError::Exists(name.to_owned()));
    }
    let existing = if path.exists() {
        if profile.has_inline_secret() {
            check_private(path)?;
        }
        crate::limits::read_text_file(path, crate::limits::MAX_KEY_FILE)
            .map_err(ProfileError::from)?
    } else {
        String::new()
    };
    let mut table = toml::Table::new();
    let mut profiles = toml::Table::new();
    profiles.insert(
        name.to_owned(),
        toml::Value::try_from(profile).map_err(|e| EditError::Write {
            path: path.to_owned(),
            io: std::io::Error::other(e.to_string()),
        })?,
    );
    table.insert("profiles".to_owned(), toml::Value::Table(profiles));
    let section = toml::to_string(&table).map_err(|e| EditError::Write {
        path: path.to_owned(),
        io: std::io::Error::other(e.to_string()),
    })?;
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&section);
    write(path, &text)
}

/// Remove profile `name` (its `[profiles.NAME]` table) from the config at `path`, keeping the
/// rest of the file as it was.
pub fn remove(path: &Path, name: &str) -> Result<(), EditError> {
    let config = load_all(path)?;
    if !config.profiles.contains_key(name) {
        return Err(EditError::Unknown(name.to_owned()));
    }
    let text = crate::limits::read_text_file(path, crate::limits::MAX_KEY_FILE)
        .map_err(ProfileError::from)?;
    let headers = [
        format!("[profiles.{name}]"),
        format!("[profiles.\"{name}\"]"),
        format!("[profiles.'{name}']"),
    ];
    let mut kept = Vec::new();
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('[') {
            let header: String = t.chars().filter(|c| !c.is_whitespace()).collect();
            skipping = headers.contains(&header);
        }
        if !skipping {
            kept.push(line);
        }
    }
    let mut out: String = kept.concat();
    while out.ends_with("\n\n") {
        out.pop();
    }
    let after = parse(&out, path)?;
    if after.profiles.contains_key(name) {
        return Err(EditError::NotATable(name.to_owned()));
    }
    write(path, &out)
}

/// Replace the config's text through a temporary file in the same folder, 0600 like any file
/// that may hold a secret.
fn write(path: &Path, text: &str) -> Result<(), EditError> {
    let err = |io| EditError::Write {
        path: path.to_owned(),
        io,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    super::create_private_dir(dir).map_err(err)?;
    let tmp = dir.join(format!(".config.toml.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    super::write_secret_file(&tmp, text.as_bytes(), false).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A secret command that never ends is stopped at its timeout, with what it started, and
    /// the message says how long it was given.
    #[cfg(unix)]
    #[test]
    fn a_secret_command_that_never_ends_is_killed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pid_file = dir.path().join("pid");
        let command = format!("sleep 300 & echo $! > '{}'; wait", pid_file.display());
        let started = std::time::Instant::now();
        let e = secret::run_secret_command_within(&command, std::time::Duration::from_secs(1))
            .expect_err("stopped");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(
            e.to_string()
                .contains("did not finish within 1 s and was stopped"),
            "{e}"
        );
        let pid = std::fs::read_to_string(&pid_file).expect("the command ran");
        let proc = Path::new("/proc").join(pid.trim());
        let gone = (0..100).any(|_| {
            let alive =
                std::fs::read_to_string(proc.join("stat")).is_ok_and(|stat| !stat.contains(") Z "));
            if alive {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            !alive
        });
        assert!(gone, "the command's child still runs");
        assert!(SECRET_COMMAND_TIMEOUT.as_secs() == 10);
        // A quick one still gives its output.
        assert_eq!(
            secret::run_secret_command("echo s3cret").expect("runs"),
            b"s3cret\n".to_vec()
        );
    }

    #[test]
    fn a_remapped_key_and_a_theme_do_not_break_profiles() {
        let text = "theme = \"light\"\n[keys]\nquit = \"x\"\nnext = [\"j\", \"down\"]\n\n\
                    [profiles.a]\nprovider = \"wechat\"\nappid = \"wx1\"\nsecret = \"env:S\"\n\
                    redirect_uri = \"https://e.com/cb\"\n";
        let config = parse(text, Path::new("config.toml")).expect("parses");
        assert_eq!(config.theme.as_deref(), Some("light"));
        assert_eq!(
            config.keys.expect("keys")["quit"].as_str(),
            Some("x"),
            "the key map is kept for the TUI"
        );
        assert!(config.profiles.contains_key("a"));
        // Any other unknown top-level entry is still a mistake worth reporting.
        assert!(parse("colour = 1\n", Path::new("config.toml")).is_err());
    }

    #[test]
    fn the_sample_config_parses() {
        let config = parse(
            include_str!("../../assets/config.sample.toml"),
            Path::new("config.sample.toml"),
        )
        .expect("the sample parses");
        assert_eq!(config.profiles.len(), 2);
        let Some(Profile::Wechat(w)) = config.profiles.get("my-wechat") else {
            panic!("my-wechat is a WeChat profile");
        };
        assert_eq!(
            w.secret_ref(),
            Some(SecretRef::Env("WECHAT_APPSECRET".into()))
        );
    }

    #[test]
    fn secret_references_are_told_apart() {
        assert_eq!(SecretRef::parse_key("env:K"), SecretRef::Env("K".into()));
        assert_eq!(
            SecretRef::parse_key("cmd:pass show k"),
            SecretRef::Command("pass show k".into())
        );
        assert_eq!(
            SecretRef::parse_key("/keys/app.pem"),
            SecretRef::File("/keys/app.pem".into())
        );
        assert!(matches!(
            SecretRef::parse_key("MIIEvQIBADANBg"),
            SecretRef::Inline(_)
        ));
        assert!(matches!(
            SecretRef::parse_secret("0123456789abcdef0123456789abcdef"),
            SecretRef::Inline(_)
        ));
        assert_eq!(
            SecretRef::parse_secret("file:/s.txt"),
            SecretRef::File("/s.txt".into())
        );
        let inline = SecretRef::parse_secret("0123456789abcdef0123456789abcdef");
        assert!(!format!("{inline:?}").contains("0123"), "{inline:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_command_secret_is_its_output_and_a_failing_one_is_named() {
        let ok = SecretRef::Command("printf 'abc\\n'".into()).resolve();
        assert_eq!(ok.expect("runs"), b"abc");
        let err = SecretRef::Command("printf 'sec%s' ret123; exit 3".into())
            .resolve()
            .expect_err("fails");
        let text = err.to_string();
        assert!(text.contains("failed"), "{text}");
        assert!(
            !text.contains("secret123"),
            "the output is never quoted: {text}"
        );
    }

    #[test]
    fn add_appends_and_rm_removes_keeping_comments() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "# my notes\ntheme = \"dark\"\n").expect("write");
        let profile = Profile::Wechat(WechatProfile {
            appid: "wx1".into(),
            secret: Some("env:WX".into()),
            secret_env: None,
            secret_file: None,
            redirect_uri: "https://e.com/cb".into(),
            scope: "snsapi_base".into(),
            environment: None,
            open_base: None,
            api_base: None,
        });
        add(&path, "wx", &profile).expect("added");
        assert!(matches!(
            add(&path, "wx", &profile),
            Err(EditError::Exists(_))
        ));
        assert!(matches!(
            add(&path, "a b", &profile),
            Err(EditError::BadName(_))
        ));
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.starts_with("# my notes\n"), "{text}");
        let loaded = load(&path, "wx").expect("loads");
        assert!(matches!(loaded, Profile::Wechat(w) if w.scope == "snsapi_base"));
        remove(&path, "wx").expect("removed");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text, "# my notes\ntheme = \"dark\"\n");
        assert!(matches!(remove(&path, "wx"), Err(EditError::Unknown(_))));
    }

    #[cfg(unix)]
    #[test]
    fn an_inline_secret_needs_a_private_file() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[profiles.w]\nprovider = \"wechat\"\nappid = \"wx1\"\n\
             secret = \"0123456789abcdef0123456789abcdef\"\nredirect_uri = \"https://e.com/cb\"\n",
        )
        .expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let err = load(&path, "w").expect_err("exposed").to_string();
        assert!(err.contains("UNPROTECTED") && err.contains("0644"), "{err}");
        assert!(!err.contains("0123456789abcdef"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert!(load(&path, "w").is_ok());
    }
}
