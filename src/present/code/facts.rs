//! What a snippet needs from a walk, read from the masked [`Walk`] alone (so a saved walk
//! works as well as a live one): app id, scope, redirect_uri, the hosts, the signing and the
//! modes. No secret is ever read here: the templates name secrets by reference.

use serde::Serialize;

use crate::flow::{FlowKind, StepKind};
use crate::present::{TargetKind, Walk};
use crate::provider::alipay::{ApiVersion, SignMode};

/// The facts of one walk a template is filled with.
#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    pub flow: FlowKind,
    pub target: TargetKind,
    pub app_id: String,
    /// The app on the authorize page: `app_id` but on an ISV walk, where it is the merchant's.
    pub authorize_app_id: String,
    pub scope: String,
    pub redirect_uri: String,
    /// The authorize page (no query).
    pub authorize: String,
    /// Alipay: the v2 gateway URL; WeChat: the API base.
    pub gateway: String,
    /// Scheme, host and port of the gateway (the v3 endpoint, the WeChat hosts).
    pub origin: String,
    /// WeChat: the host of the authorize page (`open.weixin.qq.com` in production).
    pub open_base: String,
    pub sign_type: String,
    pub charset: String,
    pub api: ApiVersion,
    pub mode: SignMode,
    /// The token answer carried an `open_id` and no `user_id` (an app in open_id mode).
    pub open_id_only: bool,
    /// WeChat third-party platform: the platform's appid (`component_appid`), empty elsewhere.
    pub component_appid: String,
    /// WeCom: the self-built application's `agentid`, empty elsewhere.
    pub agent_id: String,
    /// The WeChat openid the walk learnt (not a secret: it names the user to this app).
    pub openid: String,
    #[serde(skip)]
    steps: Vec<StepKind>,
    /// The API each step called (the Alipay method or the WeChat path), as the walk saw it.
    #[serde(skip)]
    pub endpoints: Vec<(StepKind, String)>,
    /// The fields whose value could not be written into code safely (a quote, a backslash, a
    /// brace, a control character: a saved walk is never trusted).
    #[serde(skip)]
    pub unsafe_fields: Vec<&'static str>,
}

/// Whether `value` can stand inside any of the SDKs' string literals as it is: URL characters
/// without quotes, backslashes, braces, spaces or control characters.
fn safe(value: &str) -> bool {
    value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&*+,;=%".contains(c))
}

/// The query parameter `name` of `url`.
fn param(url: &str, name: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `url` without its query.
fn without_query(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_owned()
}

/// Scheme, host and port of `url`.
fn origin(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| url.to_owned(), |u| u.origin().ascii_serialization())
}

/// An app id written in words ("Alipay app 2021…"): its longest word of letters and digits.
fn app_in_words(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 8 && w.chars().any(|c| c.is_ascii_digit()))
        .max_by_key(|w| w.len())
        .map(str::to_owned)
}

/// The app that signs the calls and the app on the authorize page. They differ on an ISV walk:
/// the platform's app signs (its gateway calls), the user authorizes the merchant's.
fn app_ids(walk: &Walk, authorize_url: &str, exchange_url: &str) -> (String, String) {
    let signer = match walk.flow {
        FlowKind::AlipayIsv => param(exchange_url, "app_id"),
        FlowKind::AlipayWeb
        | FlowKind::AlipayMini
        | FlowKind::WechatWeb
        | FlowKind::WechatQr
        | FlowKind::WechatMini
        | FlowKind::WechatComponent
        | FlowKind::WecomWeb => None,
    };
    let app_id = signer
        .or_else(|| {
            ["app_id", "appid"]
                .into_iter()
                .find_map(|k| param(authorize_url, k).or_else(|| param(exchange_url, k)))
        })
        .or_else(|| {
            walk.context
                .callback
                .get("app_id")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .or_else(|| app_in_words(walk.target.app.get(crate::lang::Lang::EN)))
        .unwrap_or_default();
    let authorize_app_id = param(authorize_url, "app_id").unwrap_or_else(|| app_id.clone());
    (app_id, authorize_app_id)
}

impl Facts {
    /// The facts of `walk`, with each provider's production defaults where the walk did not
    /// get that far (a walk that stopped before its token step still gets a gateway).
    pub fn of(walk: &Walk) -> Self {
        let flow = walk.flow;
        let authorize_url = walk.context.authorize_url.clone().unwrap_or_default();
        let exchange_url = walk
            .exchanges
            .first()
            .map(|e| e.request.url.clone())
            .unwrap_or_default();
        let signing = walk.exchanges.iter().find_map(|e| e.signing.as_ref());
        let (app_id, authorize_app_id) = app_ids(walk, &authorize_url, &exchange_url);
        let provider = flow.provider();
        let (default_gateway, default_authorize) = match provider {
            crate::provider::Provider::Alipay => (
                "https://openapi.alipay.com/gateway.do",
                "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm",
            ),
            crate::provider::Provider::Wechat => (
                "https://api.weixin.qq.com",
                "https://open.weixin.qq.com/connect/oauth2/authorize",
            ),
        };
        let api = if walk
            .exchanges
            .iter()
            .any(|e| e.endpoint.starts_with("/v3/"))
        {
            ApiVersion::V3
        } else {
            ApiVersion::V2
        };
        let gateway = if exchange_url.is_empty() {
            default_gateway.to_owned()
        } else {
            match (provider, api) {
                (crate::provider::Provider::Alipay, ApiVersion::V2) => without_query(&exchange_url),
                (crate::provider::Provider::Alipay, ApiVersion::V3) => {
                    format!("{}/gateway.do", origin(&exchange_url))
                }
                (crate::provider::Provider::Wechat, _) => origin(&exchange_url),
            }
        };
        let authorize = if authorize_url.is_empty() {
            default_authorize.to_owned()
        } else {
            without_query(&authorize_url)
        };
        let mode = if signing.is_some_and(|s| !s.cert_sns.is_empty()) {
            SignMode::Cert
        } else {
            SignMode::Key
        };
        let scope = walk
            .context
            .scope
            .clone()
            .or_else(|| param(&authorize_url, "scope"))
            .unwrap_or_else(|| {
                match flow {
                    FlowKind::AlipayWeb | FlowKind::AlipayMini | FlowKind::AlipayIsv => "auth_user",
                    FlowKind::WechatWeb | FlowKind::WechatComponent => "snsapi_userinfo",
                    FlowKind::WecomWeb => "snsapi_base",
                    FlowKind::WechatQr => "snsapi_login",
                    // A mini program's login asks for no scope.
                    FlowKind::WechatMini => "",
                }
                .to_owned()
            });
        Self {
            flow,
            target: walk.target.kind,
            authorize_app_id,
            app_id,
            scope,
            redirect_uri: param(&authorize_url, "redirect_uri").unwrap_or_default(),
            open_base: origin(&authorize),
            authorize,
            origin: origin(&gateway),
            gateway,
            sign_type: signing.map_or_else(|| "RSA2".to_owned(), |s| s.sign_type.to_string()),
            charset: signing.map_or_else(|| "utf-8".to_owned(), |s| s.charset.to_string()),
            api,
            mode,
            open_id_only: walk.context.open_id.is_some() && walk.context.user_id.is_none(),
            openid: walk.context.open_id.clone().unwrap_or_default(),
            component_appid: param(&authorize_url, "component_appid").unwrap_or_default(),
            agent_id: param(&authorize_url, "agentid").unwrap_or_default(),
            steps: walk.steps.iter().map(|s| s.id).collect(),
            endpoints: walk
                .exchanges
                .iter()
                .filter(|e| safe(&e.endpoint) && !e.endpoint.is_empty())
                .map(|e| (e.step, e.endpoint.clone()))
                .collect(),
            unsafe_fields: Vec::new(),
        }
        .checked()
    }

    /// `self` with every value that is not [`safe`] emptied and named in `unsafe_fields`.
    fn checked(mut self) -> Self {
        let fields: [(&'static str, &mut String); 14] = [
            ("app_id", &mut self.app_id),
            ("authorize_app_id", &mut self.authorize_app_id),
            ("scope", &mut self.scope),
            ("redirect_uri", &mut self.redirect_uri),
            ("authorize", &mut self.authorize),
            ("gateway", &mut self.gateway),
            ("origin", &mut self.origin),
            ("open_base", &mut self.open_base),
            ("sign_type", &mut self.sign_type),
            ("charset", &mut self.charset),
            ("openid", &mut self.openid),
            ("component_appid", &mut self.component_appid),
            ("agent_id", &mut self.agent_id),
            ("flow", &mut String::new()),
        ];
        let mut bad = Vec::new();
        for (name, value) in fields {
            if !safe(value) {
                value.clear();
                bad.push(name);
            }
        }
        self.unsafe_fields = bad;
        self
    }

    /// The API `step` called in the walk, if it called one.
    pub fn endpoint(&self, step: StepKind) -> Option<&str> {
        self.endpoints
            .iter()
            .find(|(s, _)| *s == step)
            .map(|(_, e)| e.as_str())
    }

    /// The walk's steps, in order (the flow's own when the walk lists none).
    pub fn steps(&self) -> Vec<StepKind> {
        if self.steps.is_empty() {
            self.flow.steps(false)
        } else {
            self.steps.clone()
        }
    }

    /// `template` with each `{name}` replaced by the walk's value.
    pub fn fill(&self, template: &str) -> String {
        let api = match self.api {
            ApiVersion::V2 => "v2",
            ApiVersion::V3 => "v3",
        };
        crate::lang::fill(
            template,
            &[
                ("app_id", &self.app_id),
                ("authorize_app_id", &self.authorize_app_id),
                ("scope", &self.scope),
                ("redirect_uri", &self.redirect_uri),
                ("authorize", &self.authorize),
                ("gateway", &self.gateway),
                ("origin", &self.origin),
                ("open_base", &self.open_base),
                ("sign_type", &self.sign_type),
                ("charset", &self.charset),
                ("api", api),
                ("openid", &self.openid),
                ("component_appid", &self.component_appid),
                ("agent_id", &self.agent_id),
                ("flow", self.flow.id()),
            ],
        )
    }
}
