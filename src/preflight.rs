//! Pre-flight of a profile before any call (`authwalk keys check --profile NAME`): the private
//! key parses and is big enough, its public half's fingerprint (to compare with the console),
//! the Alipay public key is not the app's own, the key format the named SDK wants, the app id
//! against the gateway host, the redirect_uri (https, on the registered domain), and the shape
//! of a WeChat appsecret. Reads the key files and secrets the profile references; sends nothing.

use serde::Serialize;

use crate::config::profile::{AlipayProfile, Profile, SecretRef, WechatProfile};
use crate::finding::{Finding, Severity, Text};
use crate::keys::{Encoding, PrivateKey, PublicKey};
use crate::provider::alipay::{Environment, SignType, environment_mismatch};
use crate::target::ProfileEnv;

/// The SDK a developer feeds the key to: each wants its own spelling of the private key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sdk {
    Java,
    Python,
    Php,
    Dotnet,
    Node,
    Go,
}

impl Sdk {
    pub const ALL: [Self; 6] = [
        Self::Java,
        Self::Python,
        Self::Php,
        Self::Dotnet,
        Self::Node,
        Self::Go,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Java => "java",
            Self::Python => "python",
            Self::Php => "php",
            Self::Dotnet => "dotnet",
            Self::Node => "node",
            Self::Go => "go",
        }
    }

    /// The encoding this SDK reads, or `None` when it takes both (with a setting).
    fn wants(self) -> Option<Encoding> {
        match self {
            Self::Java => Some(Encoding::Pkcs8),
            Self::Python | Self::Php | Self::Dotnet => Some(Encoding::Pkcs1),
            Self::Node | Self::Go => None,
        }
    }
}

/// An SDK name that is none of [`Sdk::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown SDK '{got}'; choose one of {choices}")]
pub struct UnknownSdk {
    pub got: String,
    /// The names there are, comma-separated.
    pub choices: String,
}

impl std::str::FromStr for Sdk {
    type Err = UnknownSdk;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|sdk| sdk.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownSdk {
                got: s.to_owned(),
                choices: Self::ALL.map(Sdk::name).join(", "),
            })
    }
}

/// What to check besides the profile itself.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The SDK the key is for.
    pub sdk: Option<Sdk>,
    /// The registered callback domain (WeChat 网页授权域名) or URL (Alipay 授权回调地址).
    pub domain: Option<String>,
}

/// What the pre-flight learnt, and what is wrong.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Facts to compare with the console (fingerprints, formats), as (label, value).
    pub facts: Vec<(String, String)>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    fn fact(&mut self, label: &str, value: impl Into<String>) {
        self.facts.push((label.to_owned(), value.into()));
    }

    fn push(&mut self, severity: Severity, code: &str, title: Text, why: Text, fix: Text) {
        self.findings.push(
            Finding::new(severity, code, title)
                .explanation(why)
                .fix(fix),
        );
    }
}

/// Check profile `name`.
pub fn check(profile: &Profile, options: &Options) -> Report {
    let mut report = Report::default();
    match profile {
        Profile::Alipay(p) => check_alipay(p, options, &mut report),
        Profile::Wechat(p) => check_wechat(p, options, &mut report),
    }
    report
}

fn check_alipay(p: &AlipayProfile, options: &Options, report: &mut Report) {
    let env = ProfileEnv::parse(&p.environment);
    let private_key = if let Some(r) = p.private_key_ref() {
        private_key(&r, report)
    } else {
        report.fact("private key", "(the sandbox's key for this app)");
        None
    };
    if let Some(key) = &private_key {
        let info = key.info();
        report.fact(
            "private key",
            format!("RSA {}-bit, {}", info.bits, info.encoding.name()),
        );
        report.fact("public key fingerprint", info.fingerprint.to_string());
        if let Ok(one_line) = key
            .public_key()
            .encode(Encoding::Spki, crate::keys::Armor::OneLine)
        {
            report.fact(
                crate::lang::tr(crate::lang::Lang::EN, "preflight.app-public-key"),
                one_line,
            );
        }
        if let Ok(sign_type) = p.sign_type.parse::<SignType>()
            && key.check_size_for(sign_type.hash()).is_err()
        {
            report.push(
                Severity::Error,
                "keys.key-size",
                Text::with(
                    "preflight.the-app-key-has-bits",
                    &[("bits", &info.bits), ("sign_type", &sign_type.as_str())],
                ),
                Text::key("preflight.rsa2-sha256withrsa-needs-a-2048"),
                Text::key("preflight.generate-a-2048-bit-pair"),
            );
        }
        if let Some(sdk) = options.sdk {
            sdk_format(sdk, info.encoding, report);
        }
    }
    if let Some(path) = &p.alipay_public_key {
        alipay_public_key(path, private_key.as_ref(), report);
    }
    if let ProfileEnv::Real(real) = &env
        && let Ok(environment) = real.parse::<Environment>()
    {
        app_id_environment(&p.app_id, &environment, report);
    }
    redirect(&p.redirect_uri, &env, options, report);
}

fn private_key(r: &SecretRef, report: &mut Report) -> Option<PrivateKey> {
    let parsed = r
        .resolve()
        .map_err(|e| e.to_string())
        .and_then(|bytes| PrivateKey::parse_bytes(&bytes).map_err(|e| e.to_string()));
    match parsed {
        Ok(key) => Some(key),
        Err(reason) => {
            report.push(
                Severity::Error,
                "keys.private-key",
                Text::key("preflight.the-app-private-key-cannot"),
                Text::with(
                    "preflight.text",
                    &[("r", &r.describe()), ("reason", &reason)],
                ),
                Text::key("preflight.point-private-key-at-the"),
            );
            None
        }
    }
}

fn sdk_format(sdk: Sdk, encoding: Encoding, report: &mut Report) {
    report.fact("SDK", sdk.name());
    match sdk.wants() {
        Some(wanted) if wanted != encoding => {
            let to = if wanted == Encoding::Pkcs8 {
                "pkcs8"
            } else {
                "pkcs1"
            };
            report.push(
                Severity::Error,
                "keys.sdk-format",
                Text::with(
                    "preflight.the-sdk-wants-the-key",
                    &[
                        ("sdk", &sdk.name()),
                        ("wanted", &wanted.name()),
                        ("encoding", &encoding.name()),
                    ],
                ),
                Text::key("preflight.alipay-s-java-sdk-reads"),
                Text::with("preflight.convert-it-authwalk-keys-convert", &[("to", &to)]),
            );
        }
        Some(_) => {}
        None => report.push(
            Severity::Info,
            "keys.sdk-format",
            Text::with(
                "preflight.the-sdk-reads-both-formats",
                &[("sdk", &sdk.name())],
            ),
            Text::with(
                "preflight.this-key-is-the-node",
                &[("encoding", &encoding.name())],
            ),
            Text::key("preflight.set-the-key-type-to"),
        ),
    }
}

fn alipay_public_key(path: &std::path::Path, app: Option<&PrivateKey>, report: &mut Report) {
    let parsed = crate::limits::read_file(path, crate::limits::MAX_KEY_FILE)
        .map_err(|e| e.to_string())
        .and_then(|bytes| PublicKey::parse_bytes(&bytes).map_err(|e| e.to_string()));
    match parsed {
        Ok(key) => {
            report.fact(
                "Alipay public key fingerprint",
                key.fingerprint().to_string(),
            );
            if let Some(app) = app
                && crate::keys::check_alipay_public_key(&key, app).is_err()
            {
                report.push(
                    Severity::Error,
                    "keys.alipay-public-key-is-app-key",
                    Text::key("preflight.the-alipay-public-key-is"),
                    Text::with(
                        "preflight.has-the-fingerprint-of-the",
                        &[("path", &path.display())],
                    ),
                    Text::key("preflight.in-the-console-copy-the"),
                );
            }
        }
        Err(reason) => report.push(
            Severity::Error,
            "keys.alipay-public-key",
            Text::key("preflight.the-alipay-public-key-cannot"),
            Text::with(
                "preflight.text-2",
                &[("path", &path.display()), ("reason", &reason)],
            ),
            Text::key("preflight.save-the-from-the-console"),
        ),
    }
}

fn app_id_environment(app_id: &str, env: &Environment, report: &mut Report) {
    let on_sandbox = matches!(env, Environment::Sandbox | Environment::SandboxLegacy);
    if !matches!(env, Environment::Custom { .. }) && environment_mismatch(on_sandbox, app_id) {
        let host = if on_sandbox {
            "Alipay's sandbox"
        } else {
            "production"
        };
        report.push(
            Severity::Error,
            "keys.app-id-environment",
            Text::with(
                if on_sandbox {
                    "preflight.app-id-looks-production"
                } else {
                    "preflight.app-id-looks-sandbox"
                },
                &[("app_id", &app_id)],
            ),
            Text::with(
                "preflight.sandbox-app-ids-start-with",
                &[("env", &env.gateway_url())],
            ),
            Text::with(
                "preflight.set-environment-in-the-profile",
                &[
                    ("value", &if on_sandbox { "production" } else { "sandbox" }),
                    ("host", &host),
                ],
            ),
        );
    }
}

fn redirect(uri: &str, env: &ProfileEnv, options: &Options, report: &mut Report) {
    let Ok(url) = url::Url::parse(uri) else {
        report.push(
            Severity::Error,
            "keys.redirect-uri",
            Text::key("preflight.the-redirect-uri-is-not"),
            Text::with("preflight.cannot-be-parsed", &[("uri", &uri)]),
            Text::key("preflight.write-the-full-callback-url"),
        );
        return;
    };
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
    let real = matches!(env, ProfileEnv::Real(_));
    if url.scheme() != "https" && real && !loopback {
        report.push(
            Severity::Error,
            "keys.redirect-not-https",
            Text::key("preflight.the-redirect-uri-is-not-2"),
            Text::with(
                "preflight.carries-the-authorization-code-in",
                &[("uri", &uri)],
            ),
            Text::key("preflight.serve-the-callback-over-https"),
        );
    }
    if let Some(domain) = &options.domain {
        let on_domain = if domain.contains("://") {
            uri.starts_with(domain.as_str())
        } else {
            host == domain.trim().to_ascii_lowercase()
        };
        if !on_domain {
            report.push(
                Severity::Error,
                "keys.redirect-domain",
                Text::with(
                    "preflight.the-redirect-uri-is-not-3",
                    &[("domain", &domain)],
                ),
                Text::with(
                    "preflight.has-host-wechat-compares-the",
                    &[("uri", &uri), ("host", &host)],
                ),
                Text::key("preflight.register-the-callback-s-host"),
            );
        }
    }
}

fn check_wechat(p: &WechatProfile, options: &Options, report: &mut Report) {
    let env = ProfileEnv::parse(p.environment.as_deref().unwrap_or("production"));
    if let Some(r) = p.secret_ref() {
        match r.resolve() {
            Ok(bytes) => {
                let secret = String::from_utf8_lossy(&bytes);
                let len = secret.chars().count();
                let hex = secret.chars().all(|c| c.is_ascii_hexdigit());
                if len != 32 || !hex {
                    report.push(
                        Severity::Error,
                        "keys.wechat-secret-format",
                        Text::key("preflight.the-appsecret-is-not-32"),
                        Text::with(
                            "preflight.gives-characters-an-appsecret-is",
                            &[("r", &r.describe()), ("len", &len)],
                        )
                        .fill_text(
                            "not_hex",
                            &if hex {
                                Text::default()
                            } else {
                                Text::key("preflight.not-all-hex")
                            },
                        ),
                        Text::key("preflight.copy-the-appsecret-again-reset"),
                    );
                } else {
                    report.fact("appsecret", format!("{}: 32 hex characters", r.describe()));
                }
            }
            Err(e) => report.push(
                Severity::Error,
                "keys.wechat-secret",
                Text::key("preflight.the-appsecret-cannot-be-read"),
                Text::new(e.to_string(), e.to_string()),
                Text::key("preflight.fix-the-reference-env-var"),
            ),
        }
    }
    let appid_ok = p.appid.len() == 18
        && p.appid.starts_with("wx")
        && p.appid[2..].chars().all(|c| c.is_ascii_hexdigit());
    if !appid_ok {
        report.push(
            Severity::Warning,
            "keys.wechat-appid-format",
            Text::key("preflight.the-appid-does-not-look"),
            Text::with("preflight.is-not-wx-and-16", &[("appid", &p.appid)]),
            Text::key("preflight.copy-the-appid-from-the"),
        );
    }
    redirect(&p.redirect_uri, &env, options, report);
}
