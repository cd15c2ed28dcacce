//! The WeChat authorize-URL linter: every way a hand-built or copied link goes wrong that can be
//! seen in the link itself. Codes are stable (`lint.wechat.*`); tests and scripts match on them.

use super::{AUTHORIZE_PATH, FRAGMENT, QRCONNECT_PATH, SCOPE_BASE, SCOPE_LOGIN, SCOPE_USERINFO};
use crate::finding::{Finding, Severity};
use crate::provider::urlcheck::{
    RawUrl, finding, invalid_url, is_alphanumeric, is_loopback, lint_redirect, lint_unknown_params,
};

/// The documented parameters, in the documented order.
const ORDER: [&str; 5] = ["appid", "redirect_uri", "response_type", "scope", "state"];
/// Optional parameters that belong after `state`, before the fragment.
const OPTIONAL: [&str; 4] = [
    "forcePopup",
    "forceSnapShot",
    "connect_redirect",
    "component_appid",
];
/// Parameters that have their own checks elsewhere (other providers' names, WeCom's agentid).
const RECOGNISED: [&str; 3] = ["client_id", "app_id", "agentid"];
/// The real host of the authorize pages.
const OPEN_HOST: &str = "open.weixin.qq.com";

/// Lint a WeChat authorize URL (`/connect/oauth2/authorize` or `/connect/qrconnect`).
///
/// Returns an empty list for a canonical URL. Never panics, whatever the input.
pub fn lint_authorize_url(input: &str) -> Vec<Finding> {
    let url = match RawUrl::parse(input) {
        Ok(url) => url,
        Err(reason) => return vec![invalid_url("wechat", &reason.to_string())],
    };
    let mut out = Vec::new();
    let qrconnect = lint_host_and_path(&url, &mut out);
    lint_fragment(&url, &mut out);
    lint_names(&url, &mut out);
    lint_appid(&url, &mut out);
    match url.get("redirect_uri") {
        Some(p) => lint_redirect("wechat", p.raw, &mut out),
        None => out.push(missing("redirect_uri", "10011")),
    }
    match url.get("response_type") {
        None => out.push(missing("response_type", "")),
        Some(p) if p.value != "code" => out.push(finding(
            Severity::Error,
            "lint.wechat.response-type",
            ["response_type must be 'code'", "response_type 必须是 code"],
            [
                &format!(
                    "The URL has response_type={}; WeChat only supports 'code'.",
                    p.value
                ),
                &format!("链接里是 response_type={}；微信只支持 code。", p.value),
            ],
            ["Write response_type=code.", "改为 response_type=code。"],
        )),
        Some(_) => {}
    }
    lint_scope(&url, qrconnect, &mut out);
    lint_state(&url, &mut out);
    lint_order(&url, &mut out);
    lint_force_values(&url, &mut out);
    let known: Vec<&str> = ORDER
        .iter()
        .chain(&OPTIONAL)
        .chain(&RECOGNISED)
        .copied()
        .collect();
    lint_unknown_params("wechat", &url, &known, &mut out);
    out
}

/// Host and path checks; returns whether this is the qrconnect page.
fn lint_host_and_path(url: &RawUrl<'_>, out: &mut Vec<Finding>) -> bool {
    let local = is_loopback(&url.host);
    if url.scheme == "http" && !local {
        out.push(finding(
            Severity::Warning,
            "lint.wechat.http",
            ["The authorize URL uses http", "授权链接使用的是 http"],
            [
                "WeChat's authorize pages are served over https; an http link is redirected or \
                 blocked and leaks the parameters.",
                "微信授权页使用 https；http 链接会被跳转或拦截，且参数明文传输。",
            ],
            [
                "Use https://open.weixin.qq.com.",
                "改用 https://open.weixin.qq.com。",
            ],
        ));
    }
    if url.host != OPEN_HOST && !local {
        out.push(finding(
            Severity::Warning,
            "lint.wechat.host",
            ["Not WeChat's authorize host", "不是微信的授权域名"],
            [
                &format!(
                    "The host is '{}', not {OPEN_HOST}. That is expected only for the embedded \
                     sandbox (127.0.0.1) or a test double.",
                    url.host
                ),
                &format!(
                    "域名是 '{}'，不是 {OPEN_HOST}。只有内置沙箱（127.0.0.1）或测试替身才应如此。",
                    url.host
                ),
            ],
            [
                "Use https://open.weixin.qq.com for the real WeChat.",
                "真实环境请使用 https://open.weixin.qq.com。",
            ],
        ));
    }
    let path = url.path.trim_end_matches('/');
    if path.ends_with(QRCONNECT_PATH) {
        return true;
    }
    if !path.ends_with(AUTHORIZE_PATH) {
        out.push(finding(
            Severity::Error,
            "lint.wechat.path",
            ["Unknown authorize path", "未知的授权路径"],
            [
                &format!(
                    "The path is '{}'; Official Account login uses {AUTHORIZE_PATH} and website \
                     QR login uses {QRCONNECT_PATH}.",
                    url.path
                ),
                &format!(
                    "路径是 '{}'；公众号网页授权用 {AUTHORIZE_PATH}，网站应用扫码登录用 {QRCONNECT_PATH}。",
                    url.path
                ),
            ],
            [
                "Use /connect/oauth2/authorize (Official Account) or /connect/qrconnect (website app).",
                "改用 /connect/oauth2/authorize（公众号）或 /connect/qrconnect（网站应用）。",
            ],
        ));
    }
    false
}

fn lint_fragment(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    match url.fragment {
        Some(FRAGMENT) => {}
        None => {
            let in_query = url
                .query
                .unwrap_or_default()
                .to_ascii_lowercase()
                .contains(FRAGMENT);
            out.push(if in_query {
                finding(
                    Severity::Error,
                    "lint.wechat.fragment-misplaced",
                    ["wechat_redirect is inside the query", "wechat_redirect 写进了查询参数里"],
                    [
                        "The text 'wechat_redirect' appears in the query (as '&wechat_redirect' or \
                         an encoded '%23wechat_redirect'), so there is no '#wechat_redirect' \
                         fragment for the WeChat client to see.",
                        "'wechat_redirect' 出现在查询串中（写成了 '&wechat_redirect' 或被编码成 \
                         '%23wechat_redirect'），链接末尾没有微信客户端需要的 '#wechat_redirect'。",
                    ],
                    [
                        "End the URL with a literal, unencoded '#wechat_redirect'.",
                        "在链接最末尾加上未编码的 '#wechat_redirect'。",
                    ],
                )
            } else {
                finding(
                    Severity::Error,
                    "lint.wechat.missing-fragment",
                    ["#wechat_redirect is missing", "缺少 #wechat_redirect"],
                    [
                        "The WeChat client needs '#wechat_redirect' at the very end of the link, \
                         whether it is opened directly or reached through a 302.",
                        "无论直接打开还是经 302 跳转，微信客户端都要求链接最末尾带 '#wechat_redirect'。",
                    ],
                    ["Append '#wechat_redirect' to the URL.", "在链接末尾追加 '#wechat_redirect'。"],
                )
            });
        }
        Some(fragment) => {
            let after = fragment.strip_prefix(FRAGMENT).unwrap_or(fragment);
            if after.contains('=') {
                out.push(finding(
                    Severity::Error,
                    "lint.wechat.params-after-fragment",
                    ["Parameters after the '#' are ignored", "'#' 之后的参数不会生效"],
                    [
                        &format!(
                            "'#{fragment}' is a fragment: browsers never send it, so '{after}' \
                             never reaches WeChat."
                        ),
                        &format!("'#{fragment}' 是片段，浏览器不会发送它，'{after}' 到不了微信。"),
                    ],
                    [
                        "Move the parameters before '#wechat_redirect', which must be the last thing.",
                        "把这些参数移到 '#wechat_redirect' 之前，'#wechat_redirect' 必须在最后。",
                    ],
                ));
            } else {
                out.push(finding(
                    Severity::Error,
                    "lint.wechat.fragment-wrong",
                    [
                        "The fragment is not #wechat_redirect",
                        "片段不是 #wechat_redirect",
                    ],
                    [
                        &format!("The URL ends with '#{fragment}' instead of '#wechat_redirect'."),
                        &format!("链接以 '#{fragment}' 结尾，而不是 '#wechat_redirect'。"),
                    ],
                    [
                        "End the URL with exactly '#wechat_redirect'.",
                        "链接末尾必须正好是 '#wechat_redirect'。",
                    ],
                ));
            }
        }
    }
}

/// Parameter names borrowed from other providers, and duplicates.
fn lint_names(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    for (wrong, code) in [
        ("client_id", "lint.wechat.client-id"),
        ("app_id", "lint.wechat.appid-spelling"),
    ] {
        if url.get(wrong).is_some() {
            out.push(finding(
                Severity::Error,
                code,
                [
                    &format!("'{wrong}' is not a WeChat parameter"),
                    &format!("'{wrong}' 不是微信的参数"),
                ],
                [
                    &format!(
                        "WeChat calls the app id 'appid'. '{wrong}' comes from generic OAuth 2.0 \
                         or Alipay and is ignored, so WeChat sees no appid (10012)."
                    ),
                    &format!(
                        "微信的应用标识参数名是 'appid'。'{wrong}' 来自通用 OAuth 2.0 或支付宝，会被忽略，\
                         微信认为缺少 appid（10012）。"
                    ),
                ],
                [&format!("Rename '{wrong}' to 'appid'."), &format!("把 '{wrong}' 改名为 'appid'。")],
            ));
        }
    }
    for dup in url.duplicates() {
        out.push(finding(
            Severity::Error,
            "lint.wechat.duplicate-param",
            [&format!("'{dup}' appears more than once"), &format!("'{dup}' 出现了多次")],
            [
                "WeChat matches the link against a fixed pattern; a repeated parameter (often a \
                 callback query that was not encoded) makes the result unpredictable.",
                "微信按固定格式匹配链接；重复的参数（常见原因是回调地址没有编码）会导致结果不可预期。",
            ],
            ["Keep one of each parameter.", "每个参数只保留一个。"],
        ));
    }
}

fn lint_appid(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    let Some(p) = url.get("appid") else {
        if url.get("client_id").is_none() && url.get("app_id").is_none() {
            out.push(missing("appid", "10012"));
        }
        return;
    };
    let id = p.value.as_str();
    let wecom = id.starts_with("ww") || id.starts_with("wl") || url.get("agentid").is_some();
    if wecom {
        out.push(wecom_finding());
    } else if !(id.len() == 18
        && id.starts_with("wx")
        && id[2..].bytes().all(|b| b.is_ascii_hexdigit()))
    {
        out.push(finding(
            Severity::Warning,
            "lint.wechat.appid-format",
            ["The appid does not look like a WeChat AppID", "appid 看起来不像微信 AppID"],
            [
                &format!(
                    "'{id}' is not 'wx' followed by 16 hex digits, the shape of every Official \
                     Account and website-app AppID (a heuristic: stray spaces and Alipay app ids \
                     are the usual causes)."
                ),
                &format!(
                    "'{id}' 不是 'wx' 加 16 位十六进制数字（公众号和网站应用 AppID 的格式；此为经验判断，\
                     常见原因是多了空格或误用了支付宝 app_id）。"
                ),
            ],
            [
                "Copy the AppID from the console (设置与开发 → 基本配置).",
                "从后台（设置与开发 → 基本配置）复制 AppID。",
            ],
        ));
    }
}

fn wecom_finding() -> Finding {
    finding(
        Severity::Warning,
        "lint.wechat.wecom",
        [
            "This looks like a WeCom (企业微信) link",
            "这像是企业微信的链接",
        ],
        [
            "A corp id ('ww…'), an 'agentid' or the scope snsapi_privateinfo belong to WeCom, \
             which shares the host but exchanges the code on qyapi.weixin.qq.com with a corp \
             token: a different API from Official Account login.",
            "企业 ID（ww 开头）、agentid 或 snsapi_privateinfo 属于企业微信：域名相同，但授权码要在 \
             qyapi.weixin.qq.com 用企业 access_token 换取，与公众号网页授权是两套接口。",
        ],
        [
            "For Official Account login use the OA's AppID (wx…) and snsapi_base/snsapi_userinfo.",
            "公众号网页授权请使用公众号 AppID（wx 开头）和 snsapi_base / snsapi_userinfo。",
        ],
    )
}

fn lint_scope(url: &RawUrl<'_>, qrconnect: bool, out: &mut Vec<Finding>) {
    let Some(p) = url.get("scope") else {
        out.push(missing("scope", "10010"));
        return;
    };
    let scopes: Vec<&str> = p.value.split(',').map(str::trim).collect();
    for scope in scopes {
        match (scope, qrconnect) {
            (SCOPE_BASE | SCOPE_USERINFO, false) | (SCOPE_LOGIN, true) => {}
            (SCOPE_LOGIN, false) => out.push(finding(
                Severity::Error,
                "lint.wechat.scope-login-on-oauth2",
                ["snsapi_login does not work on oauth2/authorize", "snsapi_login 不能用于 oauth2/authorize"],
                [
                    "snsapi_login is the Open Platform website-app QR login scope (/connect/qrconnect). \
                     The Official Account page answers 'Scope 参数错误或没有 Scope 权限' (10005).",
                    "snsapi_login 是开放平台网站应用扫码登录（/connect/qrconnect）的 scope，\
                     公众号授权页会报“Scope 参数错误或没有 Scope 权限”（10005）。",
                ],
                [
                    "Use snsapi_userinfo (profile) or snsapi_base (openid only) here, or switch to \
                     /connect/qrconnect with a website-app AppID.",
                    "这里改用 snsapi_userinfo（获取资料）或 snsapi_base（仅 openid），或换用网站应用 AppID \
                     访问 /connect/qrconnect。",
                ],
            )),
            (SCOPE_BASE | SCOPE_USERINFO, true) => out.push(finding(
                Severity::Error,
                "lint.wechat.scope-not-login",
                ["qrconnect needs scope snsapi_login", "qrconnect 只接受 snsapi_login"],
                [
                    &format!(
                        "'{scope}' is an Official Account scope; the website QR login page only \
                         accepts snsapi_login and shows '该链接无法访问' otherwise."
                    ),
                    &format!("'{scope}' 是公众号的 scope；网站扫码登录页只接受 snsapi_login，否则显示“该链接无法访问”。"),
                ],
                [
                    "Use scope=snsapi_login, or use /connect/oauth2/authorize for Official Account login.",
                    "改为 scope=snsapi_login，或公众号登录改用 /connect/oauth2/authorize。",
                ],
            )),
            ("snsapi_privateinfo", _) => out.push(wecom_finding()),
            ("auth_user" | "auth_base", _) => out.push(finding(
                Severity::Error,
                "lint.wechat.scope-alipay",
                ["An Alipay scope on a WeChat link", "在微信链接里用了支付宝的 scope"],
                [
                    &format!("'{scope}' is an Alipay scope; WeChat does not know it (10005)."),
                    &format!("'{scope}' 是支付宝的 scope，微信不认识（10005）。"),
                ],
                ["Use snsapi_userinfo or snsapi_base.", "改用 snsapi_userinfo 或 snsapi_base。"],
            )),
            (other, _) => out.push(finding(
                Severity::Error,
                "lint.wechat.scope-unknown",
                [&format!("Unknown scope '{other}'"), &format!("未知的 scope '{other}'")],
                [
                    "WeChat web authorization knows snsapi_base (silent, openid only) and \
                     snsapi_userinfo (consent, profile); website QR login knows snsapi_login.",
                    "微信网页授权只有 snsapi_base（静默，仅 openid）和 snsapi_userinfo（弹窗，获取资料）；\
                     网站扫码登录只有 snsapi_login。",
                ],
                ["Use snsapi_userinfo or snsapi_base.", "改用 snsapi_userinfo 或 snsapi_base。"],
            )),
        }
    }
}

fn lint_state(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    let Some(p) = url.get("state") else {
        out.push(finding(
            Severity::Warning,
            "lint.wechat.missing-state",
            ["No state parameter", "没有 state 参数"],
            [
                "The docs mark state optional, but the authorize page has an error '10013 state \
                 不能为空', and without state the callback is open to CSRF.",
                "文档称 state 可选，但授权页存在错误“10013 state不能为空”，且没有 state 回调容易遭受 CSRF。",
            ],
            [
                "Send a random alphanumeric state tied to the user's session and check it on the callback.",
                "传一个与会话绑定的随机字母数字 state，并在回调时校验。",
            ],
        ));
        return;
    };
    let state = p.value.as_str();
    if state.is_empty() {
        out.push(finding(
            Severity::Error,
            "lint.wechat.state-empty",
            ["state is empty", "state 为空"],
            [
                "The authorize page rejects an empty state with '10013 state不能为空'.",
                "授权页会以“10013 state不能为空”拒绝空 state。",
            ],
            [
                "Send a non-empty alphanumeric state.",
                "传一个非空的字母数字 state。",
            ],
        ));
    } else if state.len() > 128 {
        out.push(finding(
            Severity::Error,
            "lint.wechat.state-too-long",
            ["state is longer than 128 bytes", "state 超过 128 字节"],
            [
                &format!(
                    "state is {} bytes; WeChat allows at most 128 and rejects longer ones on the \
                     Official Account page.",
                    state.len()
                ),
                &format!(
                    "state 长度为 {} 字节；微信最多允许 128 字节，超长会在公众号授权页报错。",
                    state.len()
                ),
            ],
            [
                "Keep a short random key in state and the real data in your session store.",
                "state 只放短随机键，真实数据放在服务端会话里。",
            ],
        ));
    }
    if !state.is_empty() && !is_alphanumeric(state) {
        out.push(finding(
            Severity::Warning,
            "lint.wechat.state-charset",
            ["state has characters other than A-Z a-z 0-9", "state 含有字母数字以外的字符"],
            [
                &format!(
                    "state '{state}' is not [A-Za-z0-9]; the docs allow only those, and other \
                     characters have come back decoded or altered."
                ),
                &format!("state '{state}' 不只由 [A-Za-z0-9] 组成；文档只允许这些字符，其他字符回调时可能被解码或改动。"),
            ],
            ["Use only letters and digits.", "只使用字母和数字。"],
        ));
    }
}

fn lint_order(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    let actual: Vec<&str> = url
        .params
        .iter()
        .map(|p| p.key.as_str())
        .filter(|k| ORDER.contains(k) || OPTIONAL.contains(k))
        .collect();
    let rank = |k: &str| ORDER.iter().position(|o| *o == k).unwrap_or(ORDER.len());
    if actual.windows(2).all(|w| rank(w[0]) <= rank(w[1])) {
        return;
    }
    let actual = actual.join(", ");
    out.push(finding(
        Severity::Error,
        "lint.wechat.param-order",
        ["Parameters are not in the documented order", "参数顺序与文档不一致"],
        [
            &format!(
                "The order is: {actual}. WeChat's docs require appid, redirect_uri, \
                 response_type, scope, state (then forcePopup/forceSnapShot) because the link is \
                 matched by a pattern; a different order has broken snsapi_userinfo with \
                 'Scope 参数错误或没有 Scope 权限'. Some current SDKs use other orders, so the \
                 strictness is unverified, but it is a likely cause."
            ),
            &format!(
                "当前顺序：{actual}。微信文档要求 appid、redirect_uri、response_type、scope、state\
                 （之后才是 forcePopup/forceSnapShot），因为链接按正则匹配；顺序不对曾导致 snsapi_userinfo \
                 报“Scope 参数错误或没有 Scope 权限”。现有部分 SDK 用了别的顺序，严格程度未经验证，但这是常见原因。"
            ),
        ],
        [
            "Build the URL in the documented order (authwalk url wechat does).",
            "按文档顺序拼接链接（authwalk url wechat 即按此顺序生成）。",
        ],
    ));
}

fn lint_force_values(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    for name in ["forcePopup", "forceSnapShot"] {
        if let Some(p) = url.get(name)
            && p.value != "true"
            && p.value != "false"
        {
            out.push(finding(
                Severity::Warning,
                "lint.wechat.force-value",
                [
                    &format!("{name} is not true/false"),
                    &format!("{name} 不是 true/false"),
                ],
                [
                    &format!("{name}={} is not a documented value.", p.value),
                    &format!("{name}={} 不是文档中的取值。", p.value),
                ],
                [
                    &format!("Write {name}=true or leave it out."),
                    &format!("写成 {name}=true 或去掉。"),
                ],
            ));
        }
    }
}

fn missing(name: &str, page_code: &str) -> Finding {
    let code_en = if page_code.is_empty() {
        String::new()
    } else {
        format!(" (authorize page error {page_code})")
    };
    let code_zh = if page_code.is_empty() {
        String::new()
    } else {
        format!("（授权页错误 {page_code}）")
    };
    finding(
        Severity::Error,
        &format!("lint.wechat.missing-{}", name.replace('_', "-")),
        [&format!("'{name}' is missing"), &format!("缺少 '{name}'")],
        [
            &format!("The authorize URL has no '{name}' parameter{code_en}."),
            &format!("授权链接里没有 '{name}' 参数{code_zh}。"),
        ],
        [
            &format!(
                "Add '{name}' in its documented place: appid, redirect_uri, response_type, scope, state."
            ),
            &format!("按文档位置补上 '{name}'：appid、redirect_uri、response_type、scope、state。"),
        ],
    )
}
