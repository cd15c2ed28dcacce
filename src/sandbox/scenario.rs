//! Scenario presets: TOML files in `assets/scenarios/`, embedded in the binary, each setting
//! up one classic failure (a stale code, a missing scope, a frozen user, a busy gateway …) so
//! a trainer or a test can reproduce it with one call.

use serde::{Deserialize, Serialize};

use super::state::{Fault, Provider};
use crate::flow::FlowKind;

/// The embedded scenario files, by name.
const FILES: [(&str, &str); 21] = [
    (
        "expired-code",
        include_str!("../../assets/scenarios/expired-code.toml"),
    ),
    (
        "wrong-scope",
        include_str!("../../assets/scenarios/wrong-scope.toml"),
    ),
    (
        "frozen-user",
        include_str!("../../assets/scenarios/frozen-user.toml"),
    ),
    (
        "token-mixup",
        include_str!("../../assets/scenarios/token-mixup.toml"),
    ),
    (
        "gateway-busy",
        include_str!("../../assets/scenarios/gateway-busy.toml"),
    ),
    (
        "tampered-response",
        include_str!("../../assets/scenarios/tampered-response.toml"),
    ),
    (
        "gateway-html-502",
        include_str!("../../assets/scenarios/gateway-html-502.toml"),
    ),
    (
        "invalid-token",
        include_str!("../../assets/scenarios/invalid-token.toml"),
    ),
    (
        "redirect-twice",
        include_str!("../../assets/scenarios/redirect-twice.toml"),
    ),
    (
        "mini-login-after-button",
        include_str!("../../assets/scenarios/mini-login-after-button.toml"),
    ),
    (
        "mini-plus-space",
        include_str!("../../assets/scenarios/mini-plus-space.toml"),
    ),
    (
        "mini-short-iv",
        include_str!("../../assets/scenarios/mini-short-iv.toml"),
    ),
    (
        "mini-other-appid",
        include_str!("../../assets/scenarios/mini-other-appid.toml"),
    ),
    (
        "mini-old-watermark",
        include_str!("../../assets/scenarios/mini-old-watermark.toml"),
    ),
    (
        "mini-cut-data",
        include_str!("../../assets/scenarios/mini-cut-data.toml"),
    ),
    (
        "mini-phone-code-reused",
        include_str!("../../assets/scenarios/mini-phone-code-reused.toml"),
    ),
    (
        "mini-phone-code-expired",
        include_str!("../../assets/scenarios/mini-phone-code-expired.toml"),
    ),
    (
        "cgi-user-info",
        include_str!("../../assets/scenarios/cgi-user-info.toml"),
    ),
    (
        "component-token-mixup",
        include_str!("../../assets/scenarios/component-token-mixup.toml"),
    ),
    (
        "wecom-sns-mixup",
        include_str!("../../assets/scenarios/wecom-sns-mixup.toml"),
    ),
    (
        "isv-missing-app-auth-token",
        include_str!("../../assets/scenarios/isv-missing-app-auth-token.toml"),
    ),
];

/// One scenario preset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each bool is a key of the scenario files: an independent switch a trainer sets"
)]
pub struct Scenario {
    /// The file name without `.toml`.
    #[serde(default)]
    pub name: String,
    pub description_en: String,
    pub description_zh: String,
    /// Demo user preselected on consent pages and used when an API call names none.
    #[serde(default)]
    pub user: Option<String>,
    /// Alipay scope granted whatever the app asked for.
    #[serde(default)]
    pub alipay_scope: Option<String>,
    /// WeChat scope granted whatever the app asked for.
    #[serde(default)]
    pub wechat_scope: Option<String>,
    /// Not the sandbox's behaviour but the client's: a WeChat walk against this scenario makes
    /// its login's classic token mix-up. `wechat-web`: a widely copied tutorial's mistake (seed
    /// document 002_aa3bf60b0a6cfa3f.txt): it fetches the basic token from `/cgi-bin/token`
    /// instead of exchanging the code, and sends that token to `/sns/userinfo`.
    /// `wechat-component`: the component exchange sends the console's message Token as
    /// `component_access_token` (`component-token-mixup`). `wecom-web`: the WeCom code goes to
    /// the Official Account's `/sns/oauth2/access_token` (`wecom-sns-mixup`).
    #[serde(default)]
    pub tutorial_mixup: bool,
    /// Not the sandbox's behaviour but the client's: an `alipay-isv` walk leaves `app_auth_token`
    /// out of its calls for the merchant (`isv-missing-app-auth-token`).
    #[serde(default)]
    pub alipay_isv_mixup: bool,
    /// Alipay: a profile call with an `auth_base` token answers `isv.invalid-token` (40002),
    /// as the seed document on mini programs reports, instead of `aop.invalid-auth-token`.
    #[serde(default)]
    pub alipay_invalid_token: bool,
    /// WeChat: the consent page redirects twice; the first landing on the callback exchanges
    /// the code (as an app's page does on each load), so the walk's exchange gets 40163.
    #[serde(default)]
    pub redirect_twice: bool,
    /// Seconds the sandbox clock jumps right after each authorization code is issued.
    #[serde(default)]
    pub advance_after_code: i64,
    /// Seconds the sandbox clock jumps once, when the scenario is applied.
    #[serde(default)]
    pub advance_clock: i64,
    /// Faults armed when the scenario is applied (replacing any armed before).
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// WeChat mini program: what goes wrong on the mini program's side (the data its button
    /// gives, or its phone code), for the decryption doctor to name. Only `wechat-mini` fits.
    #[serde(default)]
    pub wechat_mini: Option<MiniFault>,
    /// Not the sandbox's behaviour but the client's: seed document 002's own code path. The
    /// walk fetches the basic token from `/cgi-bin/token` instead of exchanging the code, then
    /// calls `/cgi-bin/user/info` with it and the openid it never learnt (empty).
    #[serde(default)]
    pub cgi_user_info: bool,
}

/// A mistake on the mini program's side, played by the sandbox's control calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MiniFault {
    /// `wx.login` ran after the button: the data is under the session key before this code's.
    LoginAfterButton,
    /// Every `+` of `encryptedData` became a space on the way (form or URL decoding).
    PlusSpace,
    /// The IV arrives cut to 12 bytes.
    ShortIv,
    /// The data was made for another mini program (its watermark names another appid).
    OtherAppid,
    /// The data was made an hour ago (stored and replayed).
    OldWatermark,
    /// The last block of `encryptedData` was cut on the way.
    CutData,
    /// The phone code was already exchanged once (a retried request): 40163 the second time.
    PhoneCodeReused,
    /// The phone code is older than its 5 minutes.
    PhoneCodeExpired,
}

/// Why a scenario could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("no scenario named '{name}'; known: {known}")]
    Unknown { name: String, known: String },
    #[error("scenario '{name}' is malformed: {detail}")]
    Malformed { name: String, detail: String },
    #[error("scenario '{name}' is for {only} only, so {flow} cannot take it")]
    OnlyFlow {
        name: String,
        only: FlowKind,
        flow: FlowKind,
    },
    #[error("scenario '{name}' is for {provider} flows only, so {flow} cannot take it")]
    DoesNotFit {
        name: String,
        provider: Provider,
        flow: FlowKind,
    },
}

/// The names of the embedded scenarios.
pub fn scenario_names() -> Vec<&'static str> {
    FILES.iter().map(|(name, _)| *name).collect()
}

impl Scenario {
    /// Load an embedded scenario by name.
    pub fn named(name: &str) -> Result<Self, ScenarioError> {
        let (_, text) =
            FILES
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| ScenarioError::Unknown {
                    name: name.to_owned(),
                    known: scenario_names().join(", "),
                })?;
        let mut scenario: Self = toml::from_str(text).map_err(|e| ScenarioError::Malformed {
            name: name.to_owned(),
            detail: e.to_string(),
        })?;
        name.clone_into(&mut scenario.name);
        Ok(scenario)
    }

    /// The providers it concerns: the ones its user, scopes, faults and switches name, or
    /// both when it names none (a clock jump is for every login).
    pub fn providers(&self) -> Vec<Provider> {
        let mut alipay =
            self.alipay_scope.is_some() || self.alipay_invalid_token || self.alipay_isv_mixup;
        let mut wechat = self.wechat_scope.is_some()
            || self.tutorial_mixup
            || self.redirect_twice
            || self.cgi_user_info
            || self.wechat_mini.is_some();
        if let Some(user) = &self.user {
            alipay |= user.starts_with("alipay-");
            wechat |= user.starts_with("wechat-");
        }
        for fault in &self.faults {
            alipay |= fault.provider == Provider::Alipay;
            wechat |= fault.provider == Provider::Wechat;
        }
        match (alipay, wechat) {
            (true, false) => vec![Provider::Alipay],
            (false, true) => vec![Provider::Wechat],
            _ => vec![Provider::Alipay, Provider::Wechat],
        }
    }

    /// Whether it can be walked with `flow`: refused in one sentence when it concerns only
    /// the other provider.
    pub fn check_fits(&self, flow: FlowKind) -> Result<(), ScenarioError> {
        // The mini program's mistakes need its walk; the web walks' client mistakes need one
        // with a token step that can make them.
        if self.wechat_mini.is_some() && flow != FlowKind::WechatMini {
            return Err(ScenarioError::OnlyFlow {
                name: self.name.clone(),
                only: FlowKind::WechatMini,
                flow,
            });
        }
        if self.cgi_user_info && flow != FlowKind::WechatWeb {
            return Err(ScenarioError::OnlyFlow {
                name: self.name.clone(),
                only: FlowKind::WechatWeb,
                flow,
            });
        }
        let providers = self.providers();
        if providers.contains(&flow.provider()) {
            return Ok(());
        }
        Err(ScenarioError::DoesNotFit {
            name: self.name.clone(),
            provider: providers[0],
            flow,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_scenario_parses() {
        for name in scenario_names() {
            let scenario = Scenario::named(name).expect("embedded scenario parses");
            assert_eq!(scenario.name, name);
        }
        assert!(Scenario::named("nope").is_err());
    }

    #[test]
    fn each_scenario_names_its_providers_and_refuses_a_flow_of_the_other() {
        let of = |name: &str| Scenario::named(name).expect("embedded").providers();
        let both = vec![Provider::Alipay, Provider::Wechat];
        assert_eq!(of("frozen-user"), vec![Provider::Alipay]);
        assert_eq!(of("tampered-response"), vec![Provider::Alipay]);
        assert_eq!(of("invalid-token"), vec![Provider::Alipay]);
        assert_eq!(of("token-mixup"), vec![Provider::Wechat]);
        assert_eq!(of("wrong-scope"), both);
        assert_eq!(of("expired-code"), both);
        assert_eq!(of("gateway-busy"), both);
        let frozen = Scenario::named("frozen-user").expect("embedded");
        assert!(frozen.check_fits(FlowKind::AlipayWeb).is_ok());
        let refused = frozen
            .check_fits(FlowKind::WechatWeb)
            .expect_err("refused")
            .to_string();
        assert_eq!(
            refused,
            "scenario 'frozen-user' is for alipay flows only, so wechat-web cannot take it"
        );
    }
}
