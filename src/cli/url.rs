//! `authwalk url alipay|wechat`: print an authorize URL, and with `--qr` a scannable QR code.
//!
//! The QR code is drawn with half blocks; on a terminal it is painted black on bright white so
//! it scans on dark and light themes alike, and written plain (glyph = dark module) when
//! standard output is a file or a pipe.
//!
//! The URL is linted as it is printed: warnings and errors (e.g. `snsapi_login` without
//! `--qrconnect`, a 200-byte state) go to standard error. The URL is still printed, exactly as
//! asked, but an error-level finding makes the exit code 1: a script must not hand out a link
//! the provider will refuse.

use std::io::{self, IsTerminal as _, Write as _};
use std::process::ExitCode;

use anyhow::Context as _;
use rsa::rand_core::{OsRng, RngCore as _};

use super::Global;
use crate::finding::Severity;
use crate::provider::{alipay, wechat};
use crate::qr;

/// Arguments of `url`: which provider's authorize URL to build.
#[derive(Debug, clap::Args)]
pub struct UrlArgs {
    #[command(subcommand)]
    pub provider: UrlProvider,
}

/// The provider, each with its own parameter names (`app_id` vs `appid`).
#[derive(Debug, clap::Subcommand)]
pub enum UrlProvider {
    /// Alipay web/H5 authorize URL (publicAppAuthorize.htm).
    Alipay(AlipayUrlArgs),
    /// WeChat Official Account authorize URL (connect/oauth2/authorize), or website QR login
    /// (connect/qrconnect) with --qrconnect.
    Wechat(WechatUrlArgs),
}

/// Options of `url alipay`.
#[derive(Debug, clap::Args)]
pub struct AlipayUrlArgs {
    /// The app id (16 digits) that will later exchange the code.
    #[arg(long, value_name = "ID")]
    pub app_id: String,
    /// auth_user (consent, profile) or auth_base (silent, user id only); comma-separate several.
    #[arg(long, default_value = "auth_user")]
    pub scope: String,
    /// The callback registered in the console, as a plain URL (it is encoded here).
    #[arg(long, value_name = "URI")]
    pub redirect_uri: String,
    /// Echoed back on the callback; a random alphanumeric one is generated when omitted.
    #[arg(long)]
    pub state: Option<String>,
    /// production, sandbox, sandbox-legacy, or a base URL such as http://127.0.0.1:PORT.
    #[arg(long, default_value = "production", value_name = "ENV|URL")]
    pub env: String,
    /// Also draw the URL as a QR code.
    #[arg(long)]
    pub qr: bool,
}

/// Options of `url wechat`.
#[derive(Debug, clap::Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "clap flags: each bool is one independent command-line switch"
)]
pub struct WechatUrlArgs {
    /// The Official Account's AppID (wx…), or the website app's with --qrconnect.
    #[arg(long, value_name = "ID")]
    pub appid: String,
    /// snsapi_userinfo (consent, profile) or snsapi_base (silent, openid only); snsapi_login
    /// with --qrconnect.
    #[arg(long)]
    pub scope: Option<String>,
    /// The callback on the configured web-auth domain, as a plain URL (it is encoded here).
    #[arg(long, value_name = "URI")]
    pub redirect_uri: String,
    /// Echoed back on the callback; a random alphanumeric one is generated when omitted.
    #[arg(long)]
    pub state: Option<String>,
    /// Build the Open Platform website QR login URL (connect/qrconnect, snsapi_login).
    #[arg(long)]
    pub qrconnect: bool,
    /// Add forcePopup=true: always show the consent popup.
    #[arg(long)]
    pub force_popup: bool,
    /// Add forceSnapShot=true: force snapshot-page mode.
    #[arg(long)]
    pub force_snapshot: bool,
    /// Base of the authorize host, e.g. http://127.0.0.1:PORT for the embedded sandbox.
    #[arg(long, default_value = wechat::OPEN_BASE, value_name = "URL")]
    pub base: String,
    /// Also draw the URL as a QR code.
    #[arg(long)]
    pub qr: bool,
}

/// Print the URL (then the QR code with `--qr`); lint findings go to standard error.
pub fn run(args: &UrlArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let (url, want_qr, findings) = match &args.provider {
        UrlProvider::Alipay(a) => {
            let url = alipay_url(a)?;
            let findings = alipay::lint_authorize_url(&url);
            (url, a.qr, findings)
        }
        UrlProvider::Wechat(a) => {
            let url = wechat_url(a);
            let findings = wechat::lint_authorize_url(&url);
            (url, a.qr, findings)
        }
    };
    let findings: Vec<_> = findings
        .into_iter()
        .filter(|f| f.severity >= Severity::Warning)
        .collect();
    let refused = findings.iter().any(|f| f.severity >= Severity::Error);
    if !findings.is_empty() {
        super::lint::print_findings(&mut io::stderr().lock(), &findings, global)?;
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "{}", crate::escape::visible(&url))?;
    if want_qr {
        let lines = qr::render_half_blocks(&url).context("cannot draw the QR code")?;
        let lines = if io::stdout().is_terminal() {
            qr::paint(&lines)
        } else {
            lines
        };
        for line in lines {
            writeln!(out, "{line}")?;
        }
    }
    Ok(if refused {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn alipay_url(a: &AlipayUrlArgs) -> anyhow::Result<String> {
    let env = parse_env(&a.env)?;
    let req = alipay::AuthorizeRequest {
        app_id: a.app_id.clone(),
        scope: a.scope.clone(),
        redirect_uri: plain_redirect(&a.redirect_uri),
        state: Some(a.state.clone().unwrap_or_else(random_state)),
    };
    Ok(alipay::authorize_url(&env.authorize_url(), &req))
}

fn parse_env(s: &str) -> anyhow::Result<alipay::Environment> {
    Ok(match s.trim() {
        "production" | "prod" => alipay::Environment::Production,
        "sandbox" => alipay::Environment::Sandbox,
        "sandbox-legacy" => alipay::Environment::SandboxLegacy,
        base if base.starts_with("http://") || base.starts_with("https://") => {
            alipay::Environment::Custom {
                base: base.to_owned(),
            }
        }
        other => anyhow::bail!(
            "unknown --env '{other}': use production, sandbox, sandbox-legacy or a base URL such \
             as http://127.0.0.1:PORT"
        ),
    })
}

fn wechat_url(a: &WechatUrlArgs) -> String {
    let endpoint = if a.qrconnect {
        wechat::AuthorizeEndpoint::QrConnect
    } else {
        wechat::AuthorizeEndpoint::OAuth2
    };
    let default_scope = if a.qrconnect {
        wechat::SCOPE_LOGIN
    } else {
        wechat::SCOPE_USERINFO
    };
    let req = wechat::AuthorizeRequest {
        appid: a.appid.clone(),
        redirect_uri: plain_redirect(&a.redirect_uri),
        scope: a.scope.clone().unwrap_or_else(|| default_scope.to_owned()),
        state: Some(a.state.clone().unwrap_or_else(random_state)),
        force_popup: a.force_popup,
        force_snapshot: a.force_snapshot,
    };
    wechat::authorize_url(&a.base, endpoint, &req)
}

/// 16 random characters from `[A-Za-z0-9]`, the only alphabet WeChat keeps intact.
fn random_state() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state = String::with_capacity(16);
    let mut buf = [0u8; 32];
    while state.len() < 16 {
        OsRng.fill_bytes(&mut buf);
        // Rejection sampling keeps the distribution uniform: 248 = 4 × 62.
        for b in buf.iter().filter(|b| **b < 248) {
            if state.len() == 16 {
                break;
            }
            state.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
        }
    }
    state
}

/// The callback as a plain URL: one that was given already percent-encoded
/// (`https%3A%2F%2F…`) is decoded first, so the builder encodes it exactly once.
fn plain_redirect(given: &str) -> String {
    let lower = given.trim_start().to_ascii_lowercase();
    if lower.starts_with("http%3a") || lower.starts_with("https%3a") {
        percent_encoding::percent_decode_str(given)
            .decode_utf8_lossy()
            .into_owned()
    } else {
        given.to_owned()
    }
}
