//! The Alipay authorize-URL linter (`publicAppAuthorize.htm`): what can be seen wrong in the link
//! itself. Codes are stable (`lint.alipay.*`); tests and scripts match on them.

use super::AUTHORIZE_PATH;
use crate::finding::{Finding, Severity, Text};
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
            Text::key("provider.alipay.lint.the-authorize-url-uses-http"),
            Text::key("provider.alipay.lint.alipay-s-authorize-page-is"),
            Text::key("provider.alipay.lint.use-https-openauth-alipay-com"),
        ));
    }
    if ![HOST_PRODUCTION, HOST_SANDBOX, HOST_SANDBOX_LEGACY].contains(&url.host.as_str()) && !local
    {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.host",
            Text::key("provider.alipay.lint.not-an-alipay-authorize-host"),
            Text::with(
                "provider.alipay.lint.the-host-is-alipay-s",
                &[
                    ("host", &url.host),
                    ("host_production", &HOST_PRODUCTION),
                    ("host_sandbox", &HOST_SANDBOX),
                    ("host_sandbox_legacy", &HOST_SANDBOX_LEGACY),
                ],
            ),
            Text::key("provider.alipay.lint.use-the-authorize-host-of"),
        ));
    }
    if !url.path.eq_ignore_ascii_case(AUTHORIZE_PATH) {
        out.push(finding(
            Severity::Error,
            "lint.alipay.path",
            Text::key("provider.alipay.lint.unknown-authorize-path"),
            Text::with(
                "provider.alipay.lint.the-path-is-alipay-s",
                &[("path", &url.path), ("authorize_path", &AUTHORIZE_PATH)],
            ),
            Text::with(
                "provider.alipay.lint.use",
                &[("authorize_path", &AUTHORIZE_PATH)],
            ),
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
            Text::key("provider.alipay.lint.wechat-redirect-on-an-alipay"),
            Text::key("provider.alipay.lint.wechat-redirect-is-a-wechat"),
            Text::key("provider.alipay.lint.remove-the-fragment"),
        ));
    } else if fragment.contains('=') {
        out.push(finding(
            Severity::Error,
            "lint.alipay.params-after-fragment",
            Text::key("provider.alipay.lint.parameters-after-the-are-ignored"),
            Text::with(
                "provider.alipay.lint.is-a-fragment-browsers-never",
                &[("fragment", &fragment)],
            ),
            Text::key("provider.alipay.lint.move-the-parameters-into-the"),
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
                Text::with(
                    "provider.alipay.lint.is-not-an-alipay-parameter",
                    &[("wrong", &wrong)],
                ),
                Text::with(
                    "provider.alipay.lint.alipay-calls-the-app-id",
                    &[("wrong", &wrong)],
                ),
                Text::with(
                    "provider.alipay.lint.rename-to-app-id",
                    &[("wrong", &wrong)],
                ),
            ));
        }
    }
    if url.get("response_type").is_some() {
        out.push(finding(
            Severity::Info,
            "lint.alipay.response-type",
            Text::key("provider.alipay.lint.response-type-is-not-an"),
            Text::key("provider.alipay.lint.alipay-s-authorize-page-has"),
            Text::key("provider.alipay.lint.remove-it"),
        ));
    }
    for dup in url.duplicates() {
        out.push(finding(
            Severity::Error,
            "lint.alipay.duplicate-param",
            Text::with(
                "provider.alipay.lint.appears-more-than-once",
                &[("dup", &dup)],
            ),
            Text::key("provider.alipay.lint.a-repeated-parameter-often-from"),
            Text::key("provider.alipay.lint.keep-one-of-each-parameter"),
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
            Text::key("provider.alipay.lint.the-app-id-does-not"),
            Text::with("provider.alipay.lint.is-not-16-digits-the", &[("id", &id)]),
            Text::key("provider.alipay.lint.copy-the-app-id-from"),
        ));
        return;
    }
    let on_sandbox = url.host == HOST_SANDBOX || url.host == HOST_SANDBOX_LEGACY;
    if on_sandbox && environment_mismatch(true, id) {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.sandbox-host-production-app",
            Text::key("provider.alipay.lint.sandbox-page-with-what-looks"),
            Text::with(
                "provider.alipay.lint.the-host-is-alipay-s-2",
                &[("id", &id)],
            ),
            Text::key("provider.alipay.lint.use-the-sandbox-app-s"),
        ));
    } else if url.host == HOST_PRODUCTION && environment_mismatch(false, id) {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.production-host-sandbox-app",
            Text::key("provider.alipay.lint.production-page-with-what-looks"),
            Text::with(
                "provider.alipay.lint.app-id-starts-with-9021",
                &[("id", &id)],
            ),
            Text::key("provider.alipay.lint.for-a-sandbox-app-use"),
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
                Text::with("provider.alipay.lint.legacy-scope", &[("scope", &scope)]),
                Text::key("provider.alipay.lint.older-docs-listed-this-scope"),
                Text::key("provider.alipay.lint.use-auth-user-profile-or"),
            )),
            s if s.starts_with("snsapi_") => out.push(finding(
                Severity::Error,
                "lint.alipay.scope-wechat",
                Text::key("provider.alipay.lint.a-wechat-scope-on-an"),
                Text::with(
                    "provider.alipay.lint.is-a-wechat-scope-alipay",
                    &[("s", &s)],
                ),
                Text::key("provider.alipay.lint.use-auth-user-or-auth"),
            )),
            other => {
                let hint = if other.starts_with("auth_user") || other == "userinfo" {
                    Text::key("provider.alipay.lint.did-you-mean-auth-user")
                } else {
                    Text::default()
                };
                out.push(finding(
                    Severity::Error,
                    "lint.alipay.scope-unknown",
                    Text::with("provider.alipay.lint.unknown-scope", &[("other", &other)]),
                    Text::with("provider.alipay.lint.alipay-s-web-authorization-knows", &[])
                        .fill_text("hint", &hint),
                    Text::key("provider.alipay.lint.use-auth-user-or-auth"),
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
            Text::key("provider.alipay.lint.no-state-parameter"),
            Text::key("provider.alipay.lint.state-is-optional-for-alipay"),
            Text::key("provider.alipay.lint.send-a-random-state-tied"),
        ));
        return;
    };
    let state = p.value.as_str();
    if !state.is_ascii() {
        out.push(finding(
            Severity::Error,
            "lint.alipay.state-non-ascii",
            Text::key("provider.alipay.lint.state-contains-non-ascii-characters"),
            Text::key("provider.alipay.lint.alipay-s-docs-forbid-chinese"),
            Text::key("provider.alipay.lint.use-letters-digits-and-only"),
        ));
    } else if state.len() > 100 {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.state-too-long",
            Text::key("provider.alipay.lint.state-is-longer-than-100"),
            Text::with(
                "provider.alipay.lint.state-is-characters-alipay-s",
                &[("state", &state.len())],
            ),
            Text::key("provider.alipay.lint.keep-a-short-random-key"),
        ));
    }
    let raw_unencoded = p.raw.contains(['+', '/', '=']);
    if raw_unencoded {
        out.push(finding(
            Severity::Warning,
            "lint.alipay.state-not-encoded",
            Text::key("provider.alipay.lint.state-has-unencoded-or"),
            Text::key("provider.alipay.lint.standard-base64-contains-and-unencoded"),
            Text::key("provider.alipay.lint.percent-encode-state-or-use"),
        ));
    }
}

fn missing(name: &str) -> Finding {
    finding(
        Severity::Error,
        &format!("lint.alipay.missing-{}", name.replace('_', "-")),
        Text::with("provider.alipay.lint.is-missing", &[("name", &name)]),
        Text::with(
            "provider.alipay.lint.the-authorize-url-has-no",
            &[("name", &name)],
        ),
        Text::with("provider.alipay.lint.add", &[("name", &name)]),
    )
}
