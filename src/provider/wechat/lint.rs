//! The WeChat authorize-URL linter: every way a hand-built or copied link goes wrong that can be
//! seen in the link itself. Codes are stable (`lint.wechat.*`); tests and scripts match on them.

use super::{AUTHORIZE_PATH, FRAGMENT, QRCONNECT_PATH, SCOPE_BASE, SCOPE_LOGIN, SCOPE_USERINFO};
use crate::finding::{Finding, Severity, Text};
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
            Text::key("provider.wechat.lint.response-type-must-be-code"),
            Text::with(
                "provider.wechat.lint.the-url-has-response-type",
                &[("value", &p.value)],
            ),
            Text::key("provider.wechat.lint.write-response-type-code"),
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
            Text::key("provider.wechat.lint.the-authorize-url-uses-http"),
            Text::key("provider.wechat.lint.wechat-s-authorize-pages-are"),
            Text::key("provider.wechat.lint.use-https-open-weixin-qq"),
        ));
    }
    if url.host != OPEN_HOST && !local {
        out.push(finding(
            Severity::Warning,
            "lint.wechat.host",
            Text::key("provider.wechat.lint.not-wechat-s-authorize-host"),
            Text::with(
                "provider.wechat.lint.the-host-is-not-that",
                &[("host", &url.host), ("open_host", &OPEN_HOST)],
            ),
            Text::key("provider.wechat.lint.use-https-open-weixin-qq-2"),
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
            Text::key("provider.wechat.lint.unknown-authorize-path"),
            Text::with(
                "provider.wechat.lint.the-path-is-official-account",
                &[
                    ("path", &url.path),
                    ("authorize_path", &AUTHORIZE_PATH),
                    ("qrconnect_path", &QRCONNECT_PATH),
                ],
            ),
            Text::key("provider.wechat.lint.use-connect-oauth2-authorize-official"),
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
                    Text::key("provider.wechat.lint.wechat-redirect-is-inside-the"),
                    Text::key("provider.wechat.lint.the-text-wechat-redirect-appears"),
                    Text::key("provider.wechat.lint.end-the-url-with-a"),
                )
            } else {
                finding(
                    Severity::Error,
                    "lint.wechat.missing-fragment",
                    Text::key("provider.wechat.lint.wechat-redirect-is-missing"),
                    Text::key("provider.wechat.lint.the-wechat-client-needs-wechat"),
                    Text::key("provider.wechat.lint.append-wechat-redirect-to-the"),
                )
            });
        }
        Some(fragment) => {
            let after = fragment.strip_prefix(FRAGMENT).unwrap_or(fragment);
            if after.contains('=') {
                out.push(finding(
                    Severity::Error,
                    "lint.wechat.params-after-fragment",
                    Text::key("provider.wechat.lint.parameters-after-the-are-ignored"),
                    Text::with(
                        "provider.wechat.lint.is-a-fragment-browsers-never",
                        &[("fragment", &fragment), ("after", &after)],
                    ),
                    Text::key("provider.wechat.lint.move-the-parameters-before-wechat"),
                ));
            } else {
                out.push(finding(
                    Severity::Error,
                    "lint.wechat.fragment-wrong",
                    Text::key("provider.wechat.lint.the-fragment-is-not-wechat"),
                    Text::with(
                        "provider.wechat.lint.the-url-ends-with-instead",
                        &[("fragment", &fragment)],
                    ),
                    Text::key("provider.wechat.lint.end-the-url-with-exactly"),
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
                Text::with(
                    "provider.wechat.lint.is-not-a-wechat-parameter",
                    &[("wrong", &wrong)],
                ),
                Text::with(
                    "provider.wechat.lint.wechat-calls-the-app-id",
                    &[("wrong", &wrong)],
                ),
                Text::with("provider.wechat.lint.rename-to-appid", &[("wrong", &wrong)]),
            ));
        }
    }
    for dup in url.duplicates() {
        out.push(finding(
            Severity::Error,
            "lint.wechat.duplicate-param",
            Text::with(
                "provider.wechat.lint.appears-more-than-once",
                &[("dup", &dup)],
            ),
            Text::key("provider.wechat.lint.wechat-matches-the-link-against"),
            Text::key("provider.wechat.lint.keep-one-of-each-parameter"),
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
            Text::key("provider.wechat.lint.the-appid-does-not-look"),
            Text::with("provider.wechat.lint.is-not-wx-followed-by", &[("id", &id)]),
            Text::key("provider.wechat.lint.copy-the-appid-from-the"),
        ));
    }
}

fn wecom_finding() -> Finding {
    finding(
        Severity::Warning,
        "lint.wechat.wecom",
        Text::key("provider.wechat.lint.this-looks-like-a-wecom"),
        Text::key("provider.wechat.lint.a-corp-id-ww-an"),
        Text::key("provider.wechat.lint.for-official-account-login-use"),
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
                Text::key("provider.wechat.lint.snsapi-login-does-not-work"),
                Text::key("provider.wechat.lint.snsapi-login-is-the-open"),
                Text::key("provider.wechat.lint.use-snsapi-userinfo-profile-or"),
            )),
            (SCOPE_BASE | SCOPE_USERINFO, true) => out.push(finding(
                Severity::Error,
                "lint.wechat.scope-not-login",
                Text::key("provider.wechat.lint.qrconnect-needs-scope-snsapi-login"),
                Text::with(
                    "provider.wechat.lint.is-an-official-account-scope",
                    &[("scope", &scope)],
                ),
                Text::key("provider.wechat.lint.use-scope-snsapi-login-or"),
            )),
            ("snsapi_privateinfo", _) => out.push(wecom_finding()),
            ("auth_user" | "auth_base", _) => out.push(finding(
                Severity::Error,
                "lint.wechat.scope-alipay",
                Text::key("provider.wechat.lint.an-alipay-scope-on-a"),
                Text::with(
                    "provider.wechat.lint.is-an-alipay-scope-wechat",
                    &[("scope", &scope)],
                ),
                Text::key("provider.wechat.lint.use-snsapi-userinfo-or-snsapi"),
            )),
            (other, _) => out.push(finding(
                Severity::Error,
                "lint.wechat.scope-unknown",
                Text::with("provider.wechat.lint.unknown-scope", &[("other", &other)]),
                Text::key("provider.wechat.lint.wechat-web-authorization-knows-snsapi"),
                Text::key("provider.wechat.lint.use-snsapi-userinfo-or-snsapi"),
            )),
        }
    }
}

fn lint_state(url: &RawUrl<'_>, out: &mut Vec<Finding>) {
    let Some(p) = url.get("state") else {
        out.push(finding(
            Severity::Warning,
            "lint.wechat.missing-state",
            Text::key("provider.wechat.lint.no-state-parameter"),
            Text::key("provider.wechat.lint.the-docs-mark-state-optional"),
            Text::key("provider.wechat.lint.send-a-random-alphanumeric-state"),
        ));
        return;
    };
    let state = p.value.as_str();
    if state.is_empty() {
        out.push(finding(
            Severity::Error,
            "lint.wechat.state-empty",
            Text::key("provider.wechat.lint.state-is-empty"),
            Text::key("provider.wechat.lint.the-authorize-page-rejects-an"),
            Text::key("provider.wechat.lint.send-a-non-empty-alphanumeric"),
        ));
    } else if state.len() > 128 {
        out.push(finding(
            Severity::Error,
            "lint.wechat.state-too-long",
            Text::key("provider.wechat.lint.state-is-longer-than-128"),
            Text::with(
                "provider.wechat.lint.state-is-bytes-wechat-allows",
                &[("state", &state.len())],
            ),
            Text::key("provider.wechat.lint.keep-a-short-random-key"),
        ));
    }
    if !state.is_empty() && !is_alphanumeric(state) {
        out.push(finding(
            Severity::Warning,
            "lint.wechat.state-charset",
            Text::key("provider.wechat.lint.state-has-characters-other-than"),
            Text::with(
                "provider.wechat.lint.state-is-not-a-za",
                &[("state", &state)],
            ),
            Text::key("provider.wechat.lint.use-only-letters-and-digits"),
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
        Text::key("provider.wechat.lint.parameters-are-not-in-the"),
        Text::with(
            "provider.wechat.lint.the-order-is-wechat-s",
            &[("actual", &actual)],
        ),
        Text::key("provider.wechat.lint.build-the-url-in-the"),
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
                Text::with("provider.wechat.lint.is-not-true-false", &[("name", &name)]),
                Text::with(
                    "provider.wechat.lint.is-not-a-documented-value",
                    &[("name", &name), ("value", &p.value)],
                ),
                Text::with(
                    "provider.wechat.lint.write-true-or-leave-it",
                    &[("name", &name)],
                ),
            ));
        }
    }
}

fn missing(name: &str, page_code: &str) -> Finding {
    let code = if page_code.is_empty() {
        Text::default()
    } else {
        Text::with(
            "provider.wechat.lint.authorize-page-error",
            &[("page_code", &page_code)],
        )
    };
    finding(
        Severity::Error,
        &format!("lint.wechat.missing-{}", name.replace('_', "-")),
        Text::with("provider.wechat.lint.is-missing", &[("name", &name)]),
        Text::with(
            "provider.wechat.lint.the-authorize-url-has-no",
            &[("name", &name)],
        )
        .fill_text("code", &code),
        Text::with(
            "provider.wechat.lint.add-in-its-documented-place",
            &[("name", &name)],
        ),
    )
}
