//! The Alipay authorize-URL linter (`publicAppAuthorize.htm`): what can be seen wrong in the link
//! itself. Codes are stable (`lint.alipay.*`); tests and scripts match on them.

use super::AUTHORIZE_PATH;
use crate::finding::{Finding, Severity};
use crate::provider::urlcheck::{
    RawUrl, finding, invalid_url, is_loopback, lint_redirect, lint_unknown_params,
};

const HOST_PRODUCTION: &str = "openauth.alipay.com";
const HOST_SANDBOX: &str = "openauth-sandbox.dl.alipaydev.com";
const HOST_SANDBOX_LEGACY: &str = "openauth.alipaydev.com";
/// The documented parameters, plus names that have their own finding.
const KNOWN: [&str; 7] = [
    "app_id",
    "scope",
    "redirect_uri",
    "state",
    "appid",
    "client_id",
    "response_type",
];

/// Lint an Alipay web/H5 authorize URL.
///
/// Returns an empty list for a clean URL. Never panics, whatever the input.
pub fn lint_authorize_url(input: &str) -> Vec<Finding> {
    let url = match RawUrl::parse(input) {
        Ok(url) => url,
        Err(reason) => return vec![invalid_url("alipay", &reason.to_string())],
    };
    let mut out = Vec::new();
    lint_host(&url, &mut out);
    lint_fragment(&url, &mut out);
    lint_names(&url, &mut out);
    lint_app_id(&url, &mut out);
    lint_scope(&url, &mut out);
    match url.get("redirect_uri") {
        Some(p) => lint_redirect("alipay", p.raw, &mut out),
        None => out.push(missing("redirect_uri")),
    }
    lint_state(&url, &mut out);
    lint_unknown_params("alipay", &url, &KNOWN, &mut out);
    out
}

fn lint_host(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    let local = is_loopback(&url.host);
    if url.scheme == "http" && !local {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.http",
            ["The authorize URL uses http", "授权链接使用的是 http"],
            [
                "Alipay's authorize page is served over https; over http the parameters travel \
                 in clear and the page may refuse or redirect.",
                "支付宝授权页使用 https；http 下参数明文传输，页面可能拒绝或跳转。",
            ],
            [
                "Use https://openauth.alipay.com.",
                "改用 https://openauth.alipay.com。",
            ],
        ));
    }
    if ![HOST_PRODUCTION, HOST_SANDBOX, HOST_SANDBOX_LEGACY].contains(&url.host.as_str()) && !local
    {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.host",
            ["Not an Alipay authorize host", "不是支付宝的授权域名"],
            [
                &format!(
                    "The host is '{}'. Alipay's pages are on {HOST_PRODUCTION} (production), \
                     {HOST_SANDBOX} and {HOST_SANDBOX_LEGACY} (sandbox); the embedded sandbox is \
                     on 127.0.0.1.",
                    url.host
                ),
                &format!(
                    "域名是 '{}'。支付宝授权页在 {HOST_PRODUCTION}（正式环境）、{HOST_SANDBOX} 和 \
                     {HOST_SANDBOX_LEGACY}（沙箱）；内置沙箱在 127.0.0.1。",
                    url.host
                ),
            ],
            [
                "Use the authorize host of your app's environment.",
                "使用与应用环境对应的授权域名。",
            ],
        ));
    }
    if !url.path.eq_ignore_ascii_case(AUTHORIZE_PATH) {
        out.push(finding(
            Severity::Error,
            "lint.alipay.path",
            ["Unknown authorize path", "未知的授权路径"],
            [
                &format!(
                    "The path is '{}'; Alipay's web authorize page is {AUTHORIZE_PATH}.",
                    url.path
                ),
                &format!(
                    "路径是 '{}'；支付宝网页授权页是 {AUTHORIZE_PATH}。",
                    url.path
                ),
            ],
            [
                &format!("Use {AUTHORIZE_PATH}."),
                &format!("改用 {AUTHORIZE_PATH}。"),
            ],
        ));
    }
}

fn lint_fragment(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    let Some(fragment) = url.fragment else {
        return;
    };
    if fragment.starts_with("wechat_redirect") {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.wechat-fragment",
            ["#wechat_redirect on an Alipay link", "支付宝链接带了 #wechat_redirect"],
            [
                "'#wechat_redirect' is a WeChat convention; Alipay ignores it. The URL was \
                 probably adapted from a WeChat recipe: check the other parameters too.",
                "'#wechat_redirect' 是微信的约定，支付宝会忽略它。链接可能是照着微信的写法改的，请一并检查其他参数。",
            ],
            ["Remove the fragment.", "去掉该片段。"],
        ));
    } else if fragment.contains('=') {
        out.push(finding(
            Severity::Error,
            "lint.alipay.params-after-fragment",
            [
                "Parameters after the '#' are ignored",
                "'#' 之后的参数不会生效",
            ],
            [
                &format!("'#{fragment}' is a fragment: browsers never send it to Alipay."),
                &format!("'#{fragment}' 是片段，浏览器不会把它发给支付宝。"),
            ],
            [
                "Move the parameters into the query, before any '#'.",
                "把这些参数移到 '#' 之前的查询串里。",
            ],
        ));
    }
}

fn lint_names(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    for (wrong, code) in [
        ("client_id", "lint.alipay.client-id"),
        ("appid", "lint.alipay.appid-spelling"),
    ] {
        if url.get(wrong).is_some() {
            out.push(finding(
                Severity::Error,
                code,
                [
                    &format!("'{wrong}' is not an Alipay parameter"),
                    &format!("'{wrong}' 不是支付宝的参数"),
                ],
                [
                    &format!(
                        "Alipay calls the app id 'app_id' (with an underscore). '{wrong}' comes \
                         from generic OAuth 2.0 or WeChat and is ignored."
                    ),
                    &format!("支付宝的应用标识参数名是 'app_id'（带下划线）。'{wrong}' 来自通用 OAuth 2.0 或微信，会被忽略。"),
                ],
                [&format!("Rename '{wrong}' to 'app_id'."), &format!("把 '{wrong}' 改名为 'app_id'。")],
            ));
        }
    }
    if url.get("response_type").is_some() {
        out.push(finding(
            Severity::Info,
            "lint.alipay.response-type",
            ["response_type is not an Alipay parameter", "response_type 不是支付宝的参数"],
            [
                "Alipay's authorize page has no response_type; it is ignored. It hints that the \
                 URL follows a generic OAuth or WeChat recipe.",
                "支付宝授权页没有 response_type 参数，会被忽略；这说明链接可能照搬了通用 OAuth 或微信的写法。",
            ],
            ["Remove it.", "去掉它。"],
        ));
    }
    for dup in url.duplicates() {
        out.push(finding(
            Severity::Error,
            "lint.alipay.duplicate-param",
            [
                &format!("'{dup}' appears more than once"),
                &format!("'{dup}' 出现了多次"),
            ],
            [
                "A repeated parameter (often from a callback query that was not encoded) makes \
                 it unclear which value Alipay uses.",
                "重复的参数（常见原因是回调地址没有编码）会让支付宝取哪个值变得不确定。",
            ],
            ["Keep one of each parameter.", "每个参数只保留一个。"],
        ));
    }
}

fn lint_app_id(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    let Some(p) = url.get("app_id") else {
        if url.get("appid").is_none() && url.get("client_id").is_none() {
            out.push(missing("app_id"));
        }
        return;
    };
    let id = p.value.as_str();
    if !(id.len() == 16 && id.bytes().all(|b| b.is_ascii_digit())) {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.app-id-format",
            ["The app_id does not look like an Alipay app id", "app_id 看起来不像支付宝应用 ID"],
            [
                &format!(
                    "'{id}' is not 16 digits, the shape of Alipay app ids (a heuristic: stray \
                     spaces or a WeChat 'wx…' AppID are the usual causes)."
                ),
                &format!("'{id}' 不是 16 位数字（支付宝应用 ID 的格式；此为经验判断，常见原因是多了空格或误用了微信 wx 开头的 AppID）。"),
            ],
            ["Copy the app id from the Alipay open platform console.", "从支付宝开放平台控制台复制应用 ID。"],
        ));
        return;
    }
    let on_sandbox = url.host == HOST_SANDBOX || url.host == HOST_SANDBOX_LEGACY;
    if on_sandbox && environment_mismatch(true, id) {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.sandbox-host-production-app",
            ["Sandbox page with what looks like a production app id", "沙箱授权页配了看似正式环境的 app_id"],
            [
                &format!(
                    "The host is Alipay's sandbox but app_id '{id}' does not start with 9021, \
                     2021000 or 2016, the prefixes sandbox apps have been seen with. This is an unverified \
                     heuristic; if it is right, the page fails or the code cannot be exchanged \
                     (isv.invalid-app-id)."
                ),
                &format!(
                    "域名是支付宝沙箱，但 app_id '{id}' 不以 9021、2021000 或 2016 开头（沙箱应用常见的前缀）。\
                     此为未经验证的经验判断；若判断正确，授权页会失败或 code 无法换取（isv.invalid-app-id）。"
                ),
            ],
            [
                "Use the sandbox app's own app id on the sandbox host, or the production host for a \
                 production app.",
                "沙箱域名请使用沙箱应用的 app_id；正式应用请使用正式域名。",
            ],
        ));
    } else if url.host == HOST_PRODUCTION && environment_mismatch(false, id) {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.production-host-sandbox-app",
            ["Production page with what looks like a sandbox app id", "正式授权页配了看似沙箱的 app_id"],
            [
                &format!(
                    "app_id '{id}' starts with 9021, a prefix seen on sandbox apps, but the host \
                     is production. This is an unverified heuristic."
                ),
                &format!("app_id '{id}' 以 9021 开头（沙箱应用常见前缀），但域名是正式环境。此为未经验证的经验判断。"),
            ],
            [
                "For a sandbox app use https://openauth-sandbox.dl.alipaydev.com (authwalk url alipay --env sandbox).",
                "沙箱应用请使用 https://openauth-sandbox.dl.alipaydev.com（authwalk url alipay --env sandbox）。",
            ],
        ));
    }
}

/// Whether `app_id` looks out of place on a sandbox (`on_sandbox`) or production host.
///
/// Heuristic, not documented by Alipay: sandbox app ids seen in public sample code start with
/// 9021000 (current sandbox), 2021000 (2019–2022 sandbox) or 2016 (older sandbox). Production
/// apps created in 2016 also start with 2016, and 2021000 is close to production ids, so only
/// 9021 is used to flag the production host.
pub fn environment_mismatch(on_sandbox: bool, app_id: &str) -> bool {
    if on_sandbox {
        !["9021", "2021000", "2016"]
            .iter()
            .any(|p| app_id.starts_with(p))
    } else {
        app_id.starts_with("9021")
    }
}

fn lint_scope(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    let Some(p) = url.get("scope") else {
        out.push(missing("scope"));
        return;
    };
    for scope in p.value.split(',').map(str::trim) {
        match scope {
            "auth_user" | "auth_base" => {}
            "auth_ecard" | "auth_invoice_info" | "auth_puc_charge" => out.push(finding(
                Severity::Warning,
                "lint.alipay.scope-legacy",
                [&format!("Legacy scope '{scope}'"), &format!("旧版 scope '{scope}'")],
                [
                    "Older docs listed this scope; the current page supports only auth_user and \
                     auth_base, and it is not part of the member-information login.",
                    "旧文档列出过该 scope；当前文档只支持 auth_user 和 auth_base，且它不属于会员信息授权。",
                ],
                ["Use auth_user (profile) or auth_base (user id only).", "改用 auth_user（获取资料）或 auth_base（仅用户 ID）。"],
            )),
            s if s.starts_with("snsapi_") => out.push(finding(
                Severity::Error,
                "lint.alipay.scope-wechat",
                ["A WeChat scope on an Alipay link", "在支付宝链接里用了微信的 scope"],
                [
                    &format!("'{s}' is a WeChat scope; Alipay does not know it."),
                    &format!("'{s}' 是微信的 scope，支付宝不认识。"),
                ],
                ["Use auth_user or auth_base.", "改用 auth_user 或 auth_base。"],
            )),
            other => {
                let hint_en = if other.starts_with("auth_user") || other == "userinfo" {
                    " Did you mean auth_user?"
                } else {
                    ""
                };
                let hint_zh = if hint_en.is_empty() { "" } else { "是否想写 auth_user？" };
                out.push(finding(
                    Severity::Error,
                    "lint.alipay.scope-unknown",
                    [&format!("Unknown scope '{other}'"), &format!("未知的 scope '{other}'")],
                    [
                        &format!(
                            "Alipay's web authorization knows auth_user (consent, profile) and \
                             auth_base (silent, user id only).{hint_en}"
                        ),
                        &format!("支付宝网页授权只有 auth_user（需同意，获取资料）和 auth_base（静默，仅用户 ID）。{hint_zh}"),
                    ],
                    ["Use auth_user or auth_base.", "改用 auth_user 或 auth_base。"],
                ));
            }
        }
    }
}

fn lint_state(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    let Some(p) = url.get("state") else {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.missing-state",
            ["No state parameter", "没有 state 参数"],
            [
                "state is optional for Alipay, but without it the callback cannot be tied to the \
                 session that started the login (CSRF).",
                "state 对支付宝是可选的，但没有它就无法把回调与发起登录的会话对应起来（CSRF 风险）。",
            ],
            [
                "Send a random state tied to the session and check it on the callback.",
                "传一个与会话绑定的随机 state，并在回调时校验。",
            ],
        ));
        return;
    };
    let state = p.value.as_str();
    if !state.is_ascii() {
        out.push(finding(
            Severity::Error,
            "lint.alipay.state-non-ascii",
            [
                "state contains non-ASCII characters",
                "state 含有非 ASCII 字符",
            ],
            [
                "Alipay's docs forbid Chinese characters in state.",
                "支付宝文档规定 state 不能包含中文。",
            ],
            [
                "Use letters, digits, '-' and '_' only.",
                "只使用字母、数字、'-' 和 '_'。",
            ],
        ));
    } else if state.len() > 100 {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.state-too-long",
            [
                "state is longer than 100 characters",
                "state 超过 100 个字符",
            ],
            [
                &format!(
                    "state is {} characters; Alipay's docs ask for at most 100.",
                    state.len()
                ),
                &format!(
                    "state 长度为 {}；支付宝文档要求不超过 100 个字符。",
                    state.len()
                ),
            ],
            [
                "Keep a short random key in state and the real data in your session store.",
                "state 只放短随机键，真实数据放在服务端会话里。",
            ],
        ));
    }
    let raw_unencoded = p.raw.contains(['+', '/', '=']);
    if raw_unencoded {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.state-not-encoded",
            ["state has unencoded '+', '/' or '='", "state 中的 '+'、'/'、'=' 没有编码"],
            [
                "Standard base64 contains '+', '/' and '='. Unencoded, a '+' may come back as a \
                 space, and the state check on the callback fails.",
                "标准 base64 含有 '+'、'/'、'='。不编码时 '+' 回来可能变成空格，回调时的 state 校验就会失败。",
            ],
            [
                "Percent-encode state, or use base64url without padding ([A-Za-z0-9_-]).",
                "对 state 做 URL 编码，或改用不带填充的 base64url（[A-Za-z0-9_-]）。",
            ],
        ));
    }
}

fn missing(name: &str) -> Finding {
    finding(
        Severity::Error,
        &format!("lint.alipay.missing-{}", name.replace('_', "-")),
        [&format!("'{name}' is missing"), &format!("缺少 '{name}'")],
        [
            &format!(
                "The authorize URL has no '{name}' parameter; Alipay requires app_id, scope and redirect_uri."
            ),
            &format!("授权链接里没有 '{name}' 参数；支付宝要求 app_id、scope 和 redirect_uri。"),
        ],
        [&format!("Add '{name}'."), &format!("补上 '{name}'。")],
    )
}
