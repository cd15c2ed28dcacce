//! Scenario presets: TOML files in `assets/scenarios/`, embedded in the binary, each setting
//! up one classic failure (a stale code, a missing scope, a frozen user, a busy gateway …) so
//! a trainer or a test can reproduce it with one call.

use serde::{Deserialize, Serialize};

use super::state::{Fault, Provider};
use crate::flow::FlowKind;

/// The embedded scenario files, by name.
const FILES: [(&str, &str); 11] = [
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
    /// Seconds the sandbox clock jumps right after each authorization code is issued.
    #[serde(default)]
    pub advance_after_code: i64,
    /// Seconds the sandbox clock jumps once, when the scenario is applied.
    #[serde(default)]
    pub advance_clock: i64,
    /// Faults armed when the scenario is applied (replacing any armed before).
    #[serde(default)]
    pub faults: Vec<Fault>,
}

/// Why a scenario could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("no scenario named '{name}'; known: {known}")]
    Unknown { name: String, known: String },
    #[error("scenario '{name}' is malformed: {detail}")]
    Malformed { name: String, detail: String },
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
        let mut wechat = self.wechat_scope.is_some() || self.tutorial_mixup;
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
