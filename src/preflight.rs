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

    fn push(
        &mut self,
        severity: Severity,
        code: &str,
        title: [&str; 2],
        why: [&str; 2],
        fix: [&str; 2],
    ) {
        self.findings.push(
            Finding::new(severity, code, Text::new(title[0], title[1]))
                .explanation(Text::new(why[0], why[1]))
                .fix(Text::new(fix[0], fix[1])),
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
            report.fact("public key (compare with the console's 应用公钥)", one_line);
        }
        if let Ok(sign_type) = p.sign_type.parse::<SignType>()
            && key.check_size_for(sign_type.hash()).is_err()
        {
            report.push(
                Severity::Error,
                "keys.key-size",
                [
                    &format!("The app key has {} bits, too few for {}", info.bits, sign_type.as_str()),
                    &format!("应用私钥只有 {} 位，不足以用于 {}", info.bits, sign_type.as_str()),
                ],
                [
                    "RSA2 (SHA256withRSA) needs a 2048-bit key; the gateway answers isv.invalid-signature otherwise.",
                    "RSA2（SHA256withRSA）需要 2048 位密钥，否则网关返回 isv.invalid-signature。",
                ],
                [
                    "Generate a 2048-bit pair (authwalk keys gen) and upload the public key to the console.",
                    "重新生成 2048 位密钥（authwalk keys gen），并把公钥上传到开放平台。",
                ],
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
                ["The app private key cannot be used", "应用私钥无法使用"],
                [
                    &format!("{}: {reason}", r.describe()),
                    &format!("{}：{reason}", r.describe()),
                ],
                [
                    "Point private_key at the 应用私钥 file (PEM or one-line base64), not at a public key or certificate; `authwalk keys inspect FILE` says what a file holds.",
                    "private_key 应指向应用私钥文件（PEM 或单行 base64），而不是公钥或证书；`authwalk keys inspect FILE` 可查看文件内容。",
                ],
            );
            None
        }
    }
}

fn sdk_format(sdk: Sdk, encoding: Encoding, report: &mut Report) {
    report.fact("SDK", sdk.name());
    match sdk.wants() {
        Some(wanted) if wanted != encoding => {
            let to = if wanted == Encoding::Pkcs8 { "pkcs8" } else { "pkcs1" };
            report.push(
                Severity::Error,
                "keys.sdk-format",
                [
                    &format!("The {} SDK wants {}, the key is {}", sdk.name(), wanted.name(), encoding.name()),
                    &format!("{} SDK 需要 {} 格式，该私钥是 {}", sdk.name(), wanted.name(), encoding.name()),
                ],
                [
                    "Alipay's Java SDK reads PKCS#8 (PEM label PRIVATE KEY, one line starting MIIEv…); the Python, PHP and .NET SDKs read PKCS#1 (RSA PRIVATE KEY, starting MIIEp…). The key tool offers both: 'PKCS8 (Java)' and 'PKCS1 (non-Java)'. A key in the other format fails to load or signs nothing.",
                    "支付宝 Java SDK 读取 PKCS#8（PEM 标签 PRIVATE KEY，单行以 MIIEv 开头）；Python、PHP、.NET SDK 读取 PKCS#1（RSA PRIVATE KEY，以 MIIEp 开头）。密钥工具提供两种：「PKCS8（Java 适用）」与「PKCS1（非 Java 适用）」。格式不对时私钥无法加载。",
                ],
                [
                    &format!("Convert it: authwalk keys convert KEY --to {to} --one-line"),
                    &format!("转换格式：authwalk keys convert KEY --to {to} --one-line"),
                ],
            );
        }
        Some(_) => {}
        None => report.push(
            Severity::Info,
            "keys.sdk-format",
            [
                &format!("The {} SDK reads both formats; tell it which", sdk.name()),
                &format!("{} SDK 两种格式都能读取，需要说明是哪一种", sdk.name()),
            ],
            [
                &format!(
                    "This key is {}. The Node SDK takes keyType 'PKCS1' (its default) or 'PKCS8'; gopay and smartwalle/alipay parse either.",
                    encoding.name()
                ),
                &format!(
                    "该私钥是 {}。Node SDK 的 keyType 为 'PKCS1'（默认）或 'PKCS8'；gopay、smartwalle/alipay 两种都能解析。",
                    encoding.name()
                ),
            ],
            ["Set the key type to match.", "把 keyType 设置为对应的格式。"],
        ),
    }
}

fn alipay_public_key(path: &std::path::Path, app: Option<&PrivateKey>, report: &mut Report) {
    let parsed = crate::limits::read_file(path, crate::limits::MAX_KEY_FILE)
        .map_err(|e| e.to_string())
        .and_then(|bytes| PublicKey::parse_bytes(&bytes).map_err(|e| e.to_string()));
    match parsed {
        Ok(key) => {
            report.fact("Alipay public key fingerprint", key.fingerprint().to_string());
            if let Some(app) = app
                && crate::keys::check_alipay_public_key(&key, app).is_err()
            {
                report.push(
                    Severity::Error,
                    "keys.alipay-public-key-is-app-key",
                    [
                        "The Alipay public key is the app's own public key",
                        "支付宝公钥填成了应用公钥",
                    ],
                    [
                        &format!("{} has the fingerprint of the app private key's public half. Responses are signed by Alipay's key, so none would verify.", path.display()),
                        &format!("{} 与应用私钥的公钥指纹相同。响应由支付宝的私钥签名，用应用公钥验签一定失败。", path.display()),
                    ],
                    [
                        "In the console (开发设置 → 接口加签方式), copy the 支付宝公钥, not the 应用公钥.",
                        "在开放平台「开发设置 → 接口加签方式」中复制「支付宝公钥」，而不是「应用公钥」。",
                    ],
                );
            }
        }
        Err(reason) => report.push(
            Severity::Error,
            "keys.alipay-public-key",
            ["The Alipay public key cannot be read", "支付宝公钥无法读取"],
            [
                &format!("{}: {reason}", path.display()),
                &format!("{}：{reason}", path.display()),
            ],
            [
                "Save the 支付宝公钥 from the console (one line or PEM) and point alipay_public_key at it.",
                "从开放平台保存支付宝公钥（单行或 PEM），并让 alipay_public_key 指向该文件。",
            ],
        ),
    }
}

fn app_id_environment(app_id: &str, env: &Environment, report: &mut Report) {
    let on_sandbox = matches!(env, Environment::Sandbox | Environment::SandboxLegacy);
    if !matches!(env, Environment::Custom { .. }) && environment_mismatch(on_sandbox, app_id) {
        let (host, other) = if on_sandbox {
            ("Alipay's sandbox", "production")
        } else {
            ("production", "sandbox")
        };
        report.push(
            Severity::Error,
            "keys.app-id-environment",
            [
                &format!("App id {app_id} looks like a {other} app, but the profile goes to {host}"),
                &format!("应用 {app_id} 看起来是{}应用，但配置指向{}", if on_sandbox { "正式" } else { "沙箱" }, if on_sandbox { "沙箱环境" } else { "正式环境" }),
            ],
            [
                &format!("Sandbox app ids start with 9021000 (or 2021000/2016 for older sandboxes); the gateway {} answers isv.invalid-app-id for an app of the other environment.", env.gateway_url()),
                &format!("沙箱应用的 APPID 以 9021000（旧沙箱 2021000/2016）开头；网关 {} 对另一环境的应用返回 isv.invalid-app-id。", env.gateway_url()),
            ],
            [
                &format!("Set environment = \"{}\" in the profile, or use the app id of the {host}.", if on_sandbox { "production" } else { "sandbox" }),
                &format!("把配置中的 environment 改为 \"{}\"，或改用对应环境的 APPID。", if on_sandbox { "production" } else { "sandbox" }),
            ],
        );
    }
}

fn redirect(uri: &str, env: &ProfileEnv, options: &Options, report: &mut Report) {
    let Ok(url) = url::Url::parse(uri) else {
        report.push(
            Severity::Error,
            "keys.redirect-uri",
            [
                "The redirect_uri is not a URL",
                "redirect_uri 不是合法的 URL",
            ],
            [
                &format!("'{uri}' cannot be parsed."),
                &format!("无法解析 '{uri}'。"),
            ],
            [
                "Write the full callback URL, https://….",
                "填写完整的回调地址 https://…。",
            ],
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
            ["The redirect_uri is not https", "redirect_uri 不是 https"],
            [
                &format!("'{uri}' carries the authorization code in clear text; the providers' consoles expect an https callback for a live app."),
                &format!("'{uri}' 以明文传递授权码；线上应用的回调地址应使用 https。"),
            ],
            [
                "Serve the callback over https and register that URL.",
                "回调地址改用 https，并在平台上登记该地址。",
            ],
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
                [
                    &format!("The redirect_uri is not on the registered {domain}"),
                    &format!("redirect_uri 不在登记的 {domain} 上"),
                ],
                [
                    &format!("'{uri}' has host '{host}'. WeChat compares the whole host with the 网页授权域名 (a subdomain does not match) and answers 10003 redirect_uri 域名与后台配置不一致; Alipay refuses a callback outside the 授权回调地址."),
                    &format!("'{uri}' 的域名是 '{host}'。微信要求与「网页授权域名」完全一致（子域名不算），否则返回 10003 redirect_uri 域名与后台配置不一致；支付宝拒绝不在「授权回调地址」下的回调。"),
                ],
                [
                    "Register the callback's host in the console, or change redirect_uri to the registered one.",
                    "在平台登记回调地址的域名，或把 redirect_uri 改为已登记的地址。",
                ],
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
                        ["The appsecret is not 32 hex characters", "AppSecret 不是 32 位十六进制字符"],
                        [
                            &format!("{} gives {len} characters{}. An AppSecret is 32 hex digits; anything else gets 40001 invalid credential or 40125 invalid appsecret.", r.describe(), if hex { "" } else { ", not all hex" }),
                            &format!("{} 给出 {len} 个字符{}。AppSecret 是 32 位十六进制数，否则返回 40001 或 40125。", r.describe(), if hex { "" } else { "，且不全是十六进制" }),
                        ],
                        [
                            "Copy the AppSecret again (设置与开发 → 基本配置); reset it if lost. Check the reference gives nothing else (a label, quotes).",
                            "重新复制 AppSecret（设置与开发 → 基本配置），遗失时可重置；确认引用只输出密钥本身（没有标签或引号）。",
                        ],
                    );
                } else {
                    report.fact("appsecret", format!("{}: 32 hex characters", r.describe()));
                }
            }
            Err(e) => report.push(
                Severity::Error,
                "keys.wechat-secret",
                ["The appsecret cannot be read", "无法读取 AppSecret"],
                [&e.to_string(), &e.to_string()],
                [
                    "Fix the reference: env:VAR, cmd:COMMAND or file:PATH.",
                    "修正引用：env:VAR、cmd:COMMAND 或 file:PATH。",
                ],
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
            [
                "The appid does not look like a WeChat appid",
                "appid 不像微信的 AppID",
            ],
            [
                &format!("'{}' is not 'wx' and 16 hex digits.", p.appid),
                &format!("'{}' 不是 'wx' 加 16 位十六进制数。", p.appid),
            ],
            ["Copy the AppID from the console.", "从公众平台复制 AppID。"],
        );
    }
    redirect(&p.redirect_uri, &env, options, report);
}
