//! The traps of each SDK that bear on a walk: when a note applies ([`When`]), the text (by key
//! in `assets/text/code.toml`, English and Chinese) and the SDK file that shows it.

use serde::Serialize;

use super::{Facts, Sdk};
use crate::finding::Text;
use crate::flow::{FlowKind, StepKind};
use crate::present::TargetKind;
use crate::provider::alipay::{ApiVersion, SignMode};

/// A trap note beside a snippet.
#[derive(Debug, Clone, Serialize)]
pub struct Trap {
    /// Stable id, e.g. `smartwalle-issuccess`.
    pub id: &'static str,
    pub text: Text,
    /// Where the trap is in the SDK: repository and file.
    pub source: &'static str,
}

/// When a trap bears on a walk.
#[derive(Debug, Clone, Copy)]
enum When {
    Always,
    /// The token answer had an `open_id` and no `user_id`.
    OpenIdOnly,
    /// The walk asked for a silent scope (`snsapi_base`, `auth_base`).
    BaseScope,
    V3,
    Cert,
    /// The walk talks to a sandbox on a loopback port.
    Sandbox,
    /// The walk is this login.
    Flow(FlowKind),
}

impl When {
    fn holds(self, facts: &Facts) -> bool {
        match self {
            Self::Always => true,
            Self::OpenIdOnly => facts.open_id_only,
            Self::BaseScope => facts.scope.ends_with("_base"),
            Self::V3 => facts.api == ApiVersion::V3,
            Self::Cert => facts.mode == SignMode::Cert,
            Self::Flow(flow) => facts.flow == flow,
            Self::Sandbox => match facts.target {
                TargetKind::Sandbox | TargetKind::RunningSandbox => true,
                TargetKind::Profile | TargetKind::Capture => false,
            },
        }
    }
}

struct Rule {
    id: &'static str,
    sdk: Sdk,
    /// The steps it is shown beside (a program shows every rule of its SDK that holds).
    steps: &'static [StepKind],
    when: When,
    source: &'static str,
}

const TOKEN: &[StepKind] = &[StepKind::Token, StepKind::Refresh];
const USER: &[StepKind] = &[StepKind::UserInfo];
const TOKEN_USER: &[StepKind] = &[StepKind::Token, StepKind::Refresh, StepKind::UserInfo];
const AUTHORIZE: &[StepKind] = &[StepKind::Authorize];
const PHONE: &[StepKind] = &[StepKind::PhoneNumber];
const APP_TOKEN: &[StepKind] = &[StepKind::AppToken];
const ISV: &[StepKind] = &[
    StepKind::AppAuth,
    StepKind::Token,
    StepKind::Refresh,
    StepKind::UserInfo,
];

/// Every trap, by SDK. The text of `id` is `code.trap.<id>` in `assets/text/code.toml`.
const RULES: &[Rule] = &[
    Rule {
        id: "smartwalle-issuccess",
        sdk: Sdk::Smartwalle,
        steps: TOKEN,
        when: When::OpenIdOnly,
        source: "smartwalle/alipay authorize_type.go (SystemOauthTokenRsp.IsSuccess)",
    },
    Rule {
        id: "gopay-v3-no-user-id",
        sdk: Sdk::Gopay,
        steps: TOKEN,
        when: When::V3,
        source: "go-pay/gopay alipay/v3/model_member.go (SystemOauthTokenRsp; UserId added in v1.5.116)",
    },
    Rule {
        id: "easywechat-base-scope",
        sdk: Sdk::Easywechat,
        steps: TOKEN_USER,
        when: When::BaseScope,
        source: "overtrue/socialite src/Providers/WeChat.php (userFromCode); w7corp/easywechat src/OfficialAccount/Application.php (getOAuth: oauth.scopes defaults to snsapi_userinfo); laravel-wechat #412",
    },
    Rule {
        id: "easywechat-no-refresh",
        sdk: Sdk::Easywechat,
        steps: &[StepKind::Refresh],
        when: When::Always,
        source: "overtrue/socialite src/Providers/Base.php (refreshToken)",
    },
    Rule {
        id: "alipay-python-auth-token",
        sdk: Sdk::AlipayPython,
        steps: USER,
        when: When::Always,
        source: "alipay/alipay-sdk-python-all alipay/aop/api/request/AlipayUserInfoShareRequest.py (add_other_text_param)",
    },
    Rule {
        id: "alipay-python-port",
        sdk: Sdk::AlipayPython,
        steps: TOKEN_USER,
        when: When::Sandbox,
        source: "alipay/alipay-sdk-python-all alipay/aop/api/util/WebUtils.py (get_http_connection)",
    },
    Rule {
        id: "alipay-python-pkcs1",
        sdk: Sdk::AlipayPython,
        steps: TOKEN,
        when: When::Always,
        source: "alipay/alipay-sdk-python-all alipay/aop/api/util/SignatureUtils.py (sign_with_rsa2)",
    },
    Rule {
        id: "alipay-local-time",
        sdk: Sdk::AlipayPython,
        steps: TOKEN,
        when: When::Always,
        source: "alipay/alipay-sdk-python-all alipay/aop/api/DefaultAlipayClient.py (timestamp)",
    },
    Rule {
        id: "alipay-node-outside-biz-content",
        sdk: Sdk::AlipayNode,
        steps: TOKEN_USER,
        when: When::Always,
        source: "alipay/alipay-sdk-nodejs-all src/alipay.ts (exec, bizContent)",
    },
    Rule {
        id: "alipay-node-v3-curl",
        sdk: Sdk::AlipayNode,
        steps: TOKEN_USER,
        when: When::V3,
        source: "alipay/alipay-sdk-nodejs-all src/alipay.ts (curl)",
    },
    Rule {
        id: "alipay-java-cert-execute",
        sdk: Sdk::AlipayJava,
        steps: TOKEN_USER,
        when: When::Cert,
        source: "alipay/alipay-sdk-java-all src/main/java/com/alipay/api/AbstractAlipayClient.java (certificateExecute)",
    },
    Rule {
        id: "alipay-php-auth-token",
        sdk: Sdk::AlipayPhp,
        steps: USER,
        when: When::Always,
        source: "alipay/alipay-sdk-php-all aop/AopClient.php (execute($request, $authToken))",
    },
    Rule {
        id: "fzlee-server-api",
        sdk: Sdk::Fzlee,
        steps: TOKEN_USER,
        when: When::Always,
        source: "fzlee/alipay alipay/__init__.py (server_api)",
    },
    Rule {
        id: "fzlee-cert-sn",
        sdk: Sdk::Fzlee,
        steps: TOKEN_USER,
        when: When::Cert,
        source: "fzlee/alipay alipay/__init__.py (DCAliPay)",
    },
    Rule {
        id: "wechatpy-state",
        sdk: Sdk::Wechatpy,
        steps: AUTHORIZE,
        when: When::Always,
        source: "wechatpy/wechatpy wechatpy/oauth.py (WeChatOAuth.authorize_url)",
    },
    Rule {
        id: "wxjava-base-userinfo",
        sdk: Sdk::Wxjava,
        steps: USER,
        when: When::BaseScope,
        source: "binarywang/WxJava weixin-java-mp/src/main/java/me/chanjar/weixin/mp/api/WxMpOAuth2Service.java",
    },
    Rule {
        id: "silenceper-base-userinfo",
        sdk: Sdk::Silenceper,
        steps: USER,
        when: When::BaseScope,
        source: "silenceper/wechat officialaccount/oauth/oauth.go (GetUserInfo)",
    },
    Rule {
        id: "wechatpy-no-phone-number",
        sdk: Sdk::Wechatpy,
        steps: PHONE,
        when: When::Always,
        source: "wechatpy/wechatpy wechatpy/client/api/wxa.py (get_phone_number, added in #689, after 1.8.18)",
    },
    Rule {
        id: "wechatpy-token-not-stable",
        sdk: Sdk::Wechatpy,
        steps: APP_TOKEN,
        when: When::Always,
        source: "wechatpy/wechatpy wechatpy/client/__init__.py (WeChatClient.fetch_access_token)",
    },
    Rule {
        id: "wechatpy-mini-token-along",
        sdk: Sdk::Wechatpy,
        steps: TOKEN,
        when: When::Flow(FlowKind::WechatMini),
        source: "wechatpy/wechatpy wechatpy/client/base.py (_request adds access_token); wechatpy/client/__init__.py (fetch_access_token)",
    },
    Rule {
        id: "wechatpy-component-ticket",
        sdk: Sdk::Wechatpy,
        steps: &[StepKind::ComponentToken],
        when: When::Always,
        source: "wechatpy/wechatpy wechatpy/component.py (component_verify_ticket, fetch_access_token)",
    },
    Rule {
        id: "wechatpy-wecom-old-getuserinfo",
        sdk: Sdk::Wechatpy,
        steps: USER,
        when: When::Flow(FlowKind::WecomWeb),
        source: "wechatpy/wechatpy wechatpy/work/client/api/oauth.py (get_user_info; wechatpy/enterprise/ in 1.8.18)",
    },
    Rule {
        id: "wechatpy-wecom-authorize-base",
        sdk: Sdk::Wechatpy,
        steps: AUTHORIZE,
        when: When::Flow(FlowKind::WecomWeb),
        source: "wechatpy/wechatpy wechatpy/work/client/api/oauth.py (authorize_url)",
    },
    Rule {
        id: "wxjava-mini-stable-token",
        sdk: Sdk::Wxjava,
        steps: APP_TOKEN,
        when: When::Always,
        source: "Wechat-Group/WxJava weixin-java-miniapp/src/main/java/cn/binarywang/wx/miniapp/api/impl/BaseWxMaServiceImpl.java (getAccessToken: isStableAccessToken)",
    },
    Rule {
        id: "wxjava-wecom-getuserinfo",
        sdk: Sdk::Wxjava,
        steps: USER,
        when: When::Flow(FlowKind::WecomWeb),
        source: "Wechat-Group/WxJava weixin-java-cp/src/main/java/me/chanjar/weixin/cp/api/impl/WxCpOAuth2ServiceImpl.java (getUserInfo, getAuthUserInfo)",
    },
    Rule {
        id: "easywechat-wecom-old-getuserinfo",
        sdk: Sdk::Easywechat,
        steps: &[StepKind::UserInfo, StepKind::UserDetail],
        when: When::Flow(FlowKind::WecomWeb),
        source: "overtrue/socialite src/Providers/WeWork.php (getUser, detailed, getUserById)",
    },
    Rule {
        id: "easywechat-token-host",
        sdk: Sdk::Easywechat,
        steps: APP_TOKEN,
        when: When::Sandbox,
        source: "w7corp/easywechat src/OfficialAccount/AccessToken.php (constructor: base_uri api.weixin.qq.com)",
    },
    Rule {
        id: "silenceper-wecom-userfromcode",
        sdk: Sdk::Silenceper,
        steps: USER,
        when: When::Flow(FlowKind::WecomWeb),
        source: "silenceper/wechat work/oauth/oauth.go (UserFromCode, GetUserInfo)",
    },
    Rule {
        id: "silenceper-no-component-refresh",
        sdk: Sdk::Silenceper,
        steps: &[StepKind::Refresh],
        when: When::Flow(FlowKind::WechatComponent),
        source: "silenceper/wechat openplatform/officialaccount/oauth/oauth.go",
    },
    Rule {
        id: "alipay-java-isv-execute",
        sdk: Sdk::AlipayJava,
        steps: ISV,
        when: When::Flow(FlowKind::AlipayIsv),
        source: "alipay/alipay-sdk-java-all src/main/java/com/alipay/api/AlipayClient.java (execute(request, accessToken, appAuthToken))",
    },
    Rule {
        id: "alipay-python-isv-param",
        sdk: Sdk::AlipayPython,
        steps: ISV,
        when: When::Flow(FlowKind::AlipayIsv),
        source: "alipay/alipay-sdk-python-all alipay/aop/api/DefaultAlipayClient.py (__get_common_params)",
    },
    Rule {
        id: "alipay-node-isv-param",
        sdk: Sdk::AlipayNode,
        steps: ISV,
        when: When::Flow(FlowKind::AlipayIsv),
        source: "alipay/alipay-sdk-nodejs-all src/alipay.ts (formatUrl urlArgs; curl options.appAuthToken)",
    },
    Rule {
        id: "alipay-php-isv-execute",
        sdk: Sdk::AlipayPhp,
        steps: ISV,
        when: When::Flow(FlowKind::AlipayIsv),
        source: "alipay/alipay-sdk-php-all v2/aop/AopClient.php (execute($request, $authToken, $appInfoAuthtoken))",
    },
    Rule {
        id: "fzlee-isv-tokens",
        sdk: Sdk::Fzlee,
        steps: ISV,
        when: When::Flow(FlowKind::AlipayIsv),
        source: "fzlee/alipay alipay/__init__.py (ISVAliPay.app_auth_token, build_body)",
    },
    Rule {
        id: "smartwalle-isv-fields",
        sdk: Sdk::Smartwalle,
        steps: &[
            StepKind::AppAuth,
            StepKind::Authorize,
            StepKind::Token,
            StepKind::Refresh,
            StepKind::UserInfo,
        ],
        when: When::Flow(FlowKind::AlipayIsv),
        source: "smartwalle/alipay authorize_type.go (SystemOauthToken, UserInfoShare, OpenAuthTokenAppRsp); authorize.go (PublicAppAuthorize)",
    },
    Rule {
        id: "gopay-isv-client-wide",
        sdk: Sdk::Gopay,
        steps: ISV,
        when: When::Flow(FlowKind::AlipayIsv),
        source: "go-pay/gopay alipay/param.go (SetAppAuthToken); alipay/client.go (pubParamsHandle)",
    },
    Rule {
        id: "gopay-decrypt-no-sign",
        sdk: Sdk::Gopay,
        steps: PHONE,
        when: When::Always,
        source: "go-pay/gopay alipay/common_api.go (DecryptOpenDataToStruct); alipay/sign.go (VerifySyncSign)",
    },
    Rule {
        id: "fzlee-no-aes",
        sdk: Sdk::Fzlee,
        steps: PHONE,
        when: When::Always,
        source: "fzlee/alipay alipay/__init__.py (_verify)",
    },
    Rule {
        id: "alipay-python-verify-bytes",
        sdk: Sdk::AlipayPython,
        steps: PHONE,
        when: When::Always,
        source: "alipay/alipay-sdk-python-all alipay/aop/api/util/SignatureUtils.py (verify_with_rsa)",
    },
];

/// The traps of `sdk` that bear on the walk, for `step` (every step for a whole program).
pub fn for_step(facts: &Facts, sdk: Sdk, step: Option<StepKind>) -> Vec<Trap> {
    RULES
        .iter()
        .filter(|r| r.sdk == sdk && r.when.holds(facts))
        .filter(|r| step.is_none_or(|s| r.steps.contains(&s)))
        .map(|r| Trap {
            id: r.id,
            text: Text::key(&format!("code.trap.{}", r.id)),
            source: r.source,
        })
        .collect()
}

/// Every trap id, for the test that each has its text.
#[cfg(test)]
pub fn ids() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|r| r.id)
}
