//! A profile from `config.toml` as the [`App`] a walk talks to: its environment, its keys or
//! appsecret (read with the key-file cap, loose files warned about), and the refusal of plain
//! http off this machine.

use super::*;

/// Where a profile's environment sends its calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileEnv {
    /// Alipay production or sandbox, WeChat, or a custom base URL: the real path.
    Real(String),
    /// The embedded sandbox, started for this walk.
    Embedded,
    /// An `authwalk sandbox` already running: its sandbox.json, state folder or URL (empty:
    /// the default state folder).
    Running(String),
}

impl ProfileEnv {
    /// `embedded`, `running`, `running:SPEC`, or anything else (production, sandbox, a URL).
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "embedded" | "embedded-sandbox" => Self::Embedded,
            "running" => Self::Running(String::new()),
            t => match t.strip_prefix("running:") {
                Some(spec) => Self::Running(spec.trim().to_owned()),
                None => Self::Real(t.to_owned()),
            },
        }
    }
}

/// Refuse a plain `http://` URL whose host is not loopback, unless `allow`: the app's
/// signatures, its appsecret and the user's tokens would cross the network in clear. A pure
/// check on the URL's text; nothing is resolved.
pub fn check_plain_http(url: &str, what: &str, allow: bool) -> anyhow::Result<()> {
    let Ok(parsed) = url::Url::parse(url) else {
        bail!("{what} '{url}' is not a valid URL; write it as https://host/…");
    };
    if parsed.scheme() != "http" || allow || crate::transport::is_loopback(&parsed) {
        return Ok(());
    }
    bail!(
        "{what} '{url}' is plain http:// to {}, which is not this machine: the appsecret, \
         signatures and tokens would travel in clear. Use https://, or pass --insecure-http if \
         you really mean it (a test server on your own network)",
        parsed.host_str().unwrap_or("?")
    )
}

/// ssh's warning for each key or secret file of a profile that others can read. (An inline
/// secret in a loose config file is refused by `profile::load`.)
pub(super) fn loose_files(profile: &Profile) -> Vec<String> {
    use crate::config::loose_file_warning;
    let (file, what) = match profile {
        Profile::Alipay(p) => (p.private_key_ref(), "PRIVATE KEY"),
        Profile::Wechat(p) => (p.secret_ref(), "SECRET"),
    };
    match file {
        Some(profile::SecretRef::File(path)) => {
            loose_file_warning(&path, what).into_iter().collect()
        }
        _ => Vec::new(),
    }
}

pub(super) fn app_from_profile(
    name: &str,
    profile: Profile,
    flow: FlowKind,
    choice: &Choice,
    sandbox: Option<&Manifest>,
) -> anyhow::Result<(App, TargetInfo)> {
    match (profile, flow.provider()) {
        (Profile::Alipay(p), Provider::Alipay) => alipay_from_profile(name, p, choice, sandbox),
        (Profile::Wechat(p), Provider::Wechat) => wechat_from_profile(name, p, choice, sandbox),
        (Profile::Alipay(_), Provider::Wechat) => {
            bail!("profile '{name}' is an Alipay app; run an alipay-* flow")
        }
        (Profile::Wechat(_), Provider::Alipay) => {
            bail!("profile '{name}' is a WeChat app; run a wechat-* flow")
        }
    }
}

fn alipay_from_profile(
    name: &str,
    p: profile::AlipayProfile,
    choice: &Choice,
    sandbox: Option<&Manifest>,
) -> anyhow::Result<(App, TargetInfo)> {
    let key_context = |what: &dyn std::fmt::Display| format!("profile '{name}': {what}");
    // Only the base URLs differ between a real environment and a sandbox.
    let env: Environment = match sandbox {
        Some(m) => Environment::Custom {
            base: m.base_url().to_owned(),
        },
        None => p
            .environment
            .parse()
            .map_err(|e| anyhow!("profile '{name}': {e}"))?,
    };
    check_plain_http(
        &env.gateway_url(),
        &format!("profile '{name}': the gateway"),
        choice.insecure_http,
    )?;
    let entry = sandbox.and_then(|m| m.alipay.apps.iter().find(|a| a.app_id == p.app_id));
    let key_ref = p
        .private_key_ref()
        .or_else(|| entry.map(|e| profile::SecretRef::File(e.app_private_key.clone())))
        .ok_or_else(|| profile::ProfileError::NoKey(name.to_owned()))?;
    let private_key = PrivateKey::parse_bytes(&key_ref.resolve()?)
        .with_context(|| key_context(&key_ref.describe()))?;
    let signing = profile_signing(name, &p, entry)?;
    let public_path = p
        .alipay_public_key
        .clone()
        .or_else(|| entry.map(|e| e.alipay_public_key.clone()));
    let alipay_public_key = match (public_path, &signing) {
        (Some(path), _) => {
            let key = PublicKey::parse_bytes(&read_key_file(&path)?)
                .with_context(|| key_context(&path.display()))?;
            crate::keys::check_alipay_public_key(&key, &private_key)
                .with_context(|| key_context(&path.display()))?;
            key
        }
        // Certificate mode: Alipay's key is in its certificate.
        (None, AppSigning::Cert(certs)) => certs.alipay_certs[0].1.clone(),
        (None, AppSigning::Key) => bail!(crate::lang::tr_with(
            crate::lang::Lang::EN,
            "target.no-alipay-public-key",
            &[("name", &name)]
        )),
    };
    let sign_type: SignType = p.sign_type.parse().map_err(anyhow::Error::msg)?;
    private_key.check_size_for(sign_type.hash())?;
    let info = TargetInfo {
        scenario: None,
        kind: TargetKind::Profile,
        name: name.to_owned(),
        base: env.gateway_url().into_owned(),
        app: Text::new(name, name),
        user: None,
    };
    let api = match (choice.api, p.api.as_deref()) {
        (Some(api), _) => api,
        (None, Some(text)) => text
            .parse::<ApiVersion>()
            .map_err(|e| anyhow!("profile '{name}': {e}"))?,
        (None, None) => ApiVersion::V2,
    };
    let encrypt_key = match p.encrypt_key_ref() {
        Some(r) => Some(
            String::from_utf8(r.resolve()?)
                .map_err(anyhow::Error::msg)
                .and_then(|k| Ok(EncryptKey::parse(&k)?))
                .with_context(|| key_context(&format!("encrypt_key ({})", r.describe())))?,
        ),
        None => entry
            .and_then(|e| e.encrypt_key.as_deref())
            .and_then(|k| EncryptKey::parse(k).ok()),
    };
    let app = AlipayApp {
        app_id: p.app_id,
        sign_type,
        charset: p.charset.parse::<Charset>().map_err(anyhow::Error::msg)?,
        private_key,
        alipay_public_key,
        redirect_uri: p.redirect_uri,
        scope: scope_for(
            Provider::Alipay,
            choice.scope,
            profile_scope(name, &p.scope)?,
        )?,
        gateway_url: env.gateway_url().into_owned(),
        authorize_url: env.authorize_url().into_owned(),
        signing,
        api,
        encrypt_key,
        id_mode: p
            .id_mode
            .as_deref()
            .map(str::parse::<IdMode>)
            .transpose()
            .map_err(|e| anyhow!("profile '{name}': {e}"))?
            .or_else(|| entry.map(|e| e.id_mode)),
        mini_client: sandbox.map(super::mini_client),
        // A profile describes the app's own login; the ISV walk runs on the sandbox.
        isv: None,
    };
    Ok((App::Alipay(app), info))
}

/// Certificate mode when the profile names any of the three certificate files (all three
/// are then required), or when it names none and its sandbox app is a certificate app.
fn profile_signing(
    name: &str,
    p: &profile::AlipayProfile,
    entry: Option<&crate::sandbox::AlipayAppEntry>,
) -> anyhow::Result<AppSigning> {
    let given = [&p.app_cert, &p.alipay_cert, &p.alipay_root_cert];
    if given.iter().any(|f| f.is_some()) {
        return cert_signing(
            p.app_cert.as_deref(),
            p.alipay_cert.as_deref(),
            p.alipay_root_cert.as_deref(),
        )
        .with_context(|| format!("profile '{name}'"));
    }
    match entry {
        Some(e) if e.mode == SignMode::Cert => cert_signing(
            e.app_cert.as_deref(),
            e.alipay_cert.as_deref(),
            e.alipay_root_cert.as_deref(),
        )
        .with_context(|| format!("profile '{name}': sandbox app {}", e.app_id)),
        _ => Ok(AppSigning::Key),
    }
}

fn wechat_from_profile(
    name: &str,
    p: profile::WechatProfile,
    choice: &Choice,
    sandbox: Option<&Manifest>,
) -> anyhow::Result<(App, TargetInfo)> {
    let secret = match sandbox.filter(|_| p.secret_ref().is_none()) {
        Some(m) => m
            .wechat
            .apps
            .iter()
            .find(|a| a.appid == p.appid)
            .map(|a| a.secret.clone())
            .ok_or_else(|| {
                anyhow!(
                    "profile '{name}': appid {} is not an app of the sandbox, and the \
                     profile gives no appsecret",
                    p.appid
                )
            })?,
        None => p.resolve_secret(name)?,
    };
    let custom = match p.environment.as_deref().map(str::trim) {
        None | Some("production") => None,
        Some(base) if base.starts_with("http://") || base.starts_with("https://") => {
            Some(base.trim_end_matches('/').to_owned())
        }
        Some(_) if sandbox.is_some() => None,
        Some(other) => bail!(
            "profile '{name}': environment '{other}' is not production, embedded, \
             running or a base URL (http://… or https://…)"
        ),
    };
    let (default_open, default_api) = match (sandbox, custom) {
        (Some(m), _) => (m.wechat.open_base.clone(), m.wechat.api_base.clone()),
        (None, Some(base)) => (base.clone(), base),
        (None, None) => (
            crate::provider::wechat::OPEN_BASE.to_owned(),
            crate::provider::wechat::API_BASE.to_owned(),
        ),
    };
    let open_base = p.open_base.clone().unwrap_or(default_open);
    let api_base = p.api_base.clone().unwrap_or(default_api);
    check_plain_http(
        &api_base,
        &format!("profile '{name}': api_base"),
        choice.insecure_http,
    )?;
    let info = TargetInfo {
        scenario: None,
        kind: TargetKind::Profile,
        name: name.to_owned(),
        base: api_base.clone(),
        app: Text::new(name, name),
        user: None,
    };
    let app = WechatApp {
        appid: p.appid,
        secret,
        redirect_uri: p.redirect_uri,
        scope: scope_for(
            Provider::Wechat,
            choice.scope,
            profile_scope(name, &p.scope)?,
        )?,
        open_base,
        api_base,
        lang: UserInfoLang::ZhCn,
        // A profile describes the app's own login; a component walk runs on the sandbox.
        component: None,
        agentid: None,
    };
    Ok((App::Wechat(app), info))
}

#[cfg(test)]
mod insecure_http_tests {
    use super::check_plain_http;

    #[test]
    fn plain_http_off_this_machine_is_refused() {
        for url in [
            "http://openapi.alipay.invalid/gateway.do",
            "http://192.168.1.20:8080/",
            "http://[2001:db8::1]/",
        ] {
            let e = check_plain_http(url, "the gateway", false)
                .unwrap_err()
                .to_string();
            assert!(e.contains("--insecure-http"), "{url}: {e}");
            assert!(e.contains("in clear"), "{url}: {e}");
            check_plain_http(url, "the gateway", true).unwrap();
        }
    }

    #[test]
    fn https_and_loopback_are_fine() {
        for url in [
            "https://openapi.alipay.com/gateway.do",
            "https://api.weixin.qq.com",
            "http://127.0.0.1:8080/gateway.do",
            "http://127.9.9.9/",
            "http://[::1]:9000/",
            "http://localhost:3000/",
            "http://sandbox.localhost/",
        ] {
            check_plain_http(url, "the gateway", false).unwrap();
        }
        assert!(check_plain_http("not a url", "api_base", false).is_err());
    }
}
