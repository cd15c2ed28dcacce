//! Validation of the embedded catalog: every text exists in both languages, value sets are
//! complete, every source is one a user can open, and every code the sandbox can return (and
//! every code and field of the spec tables) has an entry.

use std::collections::BTreeSet;

use authwalk::catalog::{Catalog, ErrorKind, Provider};
use authwalk::finding::Text;

/// Codes the sandbox can return: each must have an entry.
const SANDBOX_ALIPAY_SUB_CODES: &[&str] = &[
    "isv.invalid-signature",
    "isv.missing-signature",
    "isv.invalid-app-id",
    "isv.missing-app-id",
    "isv.invalid-timestamp",
    "isv.missing-timestamp",
    "isv.invalid-charset",
    "isv.missing-method",
    "isv.invalid-method",
    "isv.code-invalid",
    "isv.grant-type-invalid",
    "isv.refresh-token-invalid",
    "isv.refresh-token-time-out",
    "isv.refreshed-token-invalid",
    "aop.invalid-auth-token",
    "aop.auth-token-time-out",
    "isv.invalid-token",
    "isv.insufficient-isv-permissions",
    "isv.missing-signature-config",
    "isv.missing-encrypt-key",
    "isv.invalid-auth-relations",
    "isp.unknow-error",
    "aop.unknow-error",
    "isv.missing-app-cert-sn",
    "isv.app-cert-not-exist",
    "isv.missing-alipay-root-cert-sn",
    "isv.invalid-alipay-root-cert-sn",
    "isv.missing-nonce",
];
const SANDBOX_ALIPAY_CODES: &[&str] = &[
    "10000", "20000", "20001", "40001", "40002", "40003", "40004", "40006",
];
const SANDBOX_WECHAT_CODES: &[&str] = &[
    "-1", "0", "40001", "40003", "40013", "40029", "40125", "40163", "41001", "41002", "41003",
    "41004", "41005", "41006", "41007", "41008", "42001", "42002", "42003", "48001", "50001",
];

/// Every code of the spec's error tables (alipay §7.1, §7.2, §5.4; wechat §7.1, §7.2).
const SPEC_ALIPAY_CODES: &[&str] = &[
    "10000",
    "10003",
    "20000",
    "20001",
    "40001",
    "40002",
    "40003",
    "40004",
    "40005",
    "40006",
    "isv.missing-signature-type",
    "isv.missing-signature-key",
    "isv.missing-signature-config",
    "isv.missing-default-signature-type",
    "isv.invalid-signature-type",
    "isv.missing-version",
    "isv.invalid-format",
    "isv.invalid-parameter",
    "isv.invalid-encrypt-type",
    "isv.invalid-encrypt",
    "isv.missing-encrypt-key",
    "isv.unmatched-app-id",
    "aop.invalid-app-auth-token",
    "aop.app-auth-token-time-out",
    "aop.invalid-app-auth-token-no-api",
    "aop.no-product-reg-by-partner",
    "aop.unsupport-operation",
    "isv.insufficient-user-permissions",
];
const SPEC_WECHAT_CODES: &[&str] = &[
    "10003", "10004", "10005", "10006", "10009", "10010", "10011", "10012", "10013", "10015",
    "10016", "10017", "10018", "10020", "40002", "40014", "40030", "40164", "41009", "42007",
    "45009", "45011", "76001", "76002", "76003", "76022",
];

/// Fields of the spec's field tables, per endpoint.
const SPEC_FIELDS: &[(Provider, &str, &[&str])] = &[
    (
        Provider::Alipay,
        "alipay.system.oauth.token",
        &[
            "user_id",
            "open_id",
            "union_id",
            "access_token",
            "expires_in",
            "refresh_token",
            "re_expires_in",
            "auth_start",
            "auth_token_type",
            "alipay_user_id",
            "code",
            "msg",
            "sub_code",
            "sub_msg",
        ],
    ),
    (
        Provider::Alipay,
        "alipay.user.info.share",
        &[
            "user_id",
            "open_id",
            "user_type",
            "user_status",
            "is_certified",
            "is_student_certified",
            "is_adult",
            "age",
            "is_balance_frozen",
            "is_blocked",
            "inst_or_corp",
            "member_grade",
            "taobao_id",
            "nick_name",
            "avatar",
            "display_name",
            "gender",
            "country_code",
            "province",
            "city",
            "area",
            "address",
            "zip",
            "email",
            "mobile",
            "phone",
            "person_birthday",
            "person_birthday_without_year",
            "profession",
            "deliver_addresses",
            "college_name",
            "degree",
            "enrollment_time",
            "graduation_time",
            "user_name",
            "cert_type",
            "cert_no",
            "person_cert_expiry_date",
            "person_cert_issue_date",
            "identity_card_province",
            "identity_card_city",
            "identity_card_area",
            "identity_card_address",
            "user_nation",
            "person_pictures",
            "business_scope",
            "firm_type",
            "license_no",
            "license_expiry_date",
            "organization_code",
            "ent_license_province",
            "ent_license_city",
            "ent_license_area",
            "ent_license_address",
            "firm_legal_person_name",
            "firm_legal_person_cert_type",
            "firm_legal_person_cert_no",
            "firm_legal_person_cert_expiry_date",
            "firm_agent_person_name",
            "firm_agent_person_cert_type",
            "firm_agent_person_cert_no",
            "firm_agent_person_cert_expiry_date",
            "firm_pictures",
            "firm_legal_person_pictures",
            "code",
            "msg",
            "sub_code",
            "sub_msg",
        ],
    ),
    (
        Provider::Wechat,
        "/sns/oauth2/access_token",
        &[
            "access_token",
            "expires_in",
            "refresh_token",
            "openid",
            "scope",
            "unionid",
            "is_snapshotuser",
            "errcode",
            "errmsg",
        ],
    ),
    (
        Provider::Wechat,
        "/sns/oauth2/refresh_token",
        &[
            "access_token",
            "expires_in",
            "refresh_token",
            "openid",
            "scope",
        ],
    ),
    (Provider::Wechat, "/sns/auth", &["errcode", "errmsg"]),
    (
        Provider::Wechat,
        "/sns/userinfo",
        &[
            "openid",
            "nickname",
            "sex",
            "province",
            "city",
            "country",
            "headimgurl",
            "privilege",
            "unionid",
        ],
    ),
    (
        Provider::Wechat,
        "/cgi-bin/token",
        &["access_token", "expires_in"],
    ),
    (
        Provider::Wechat,
        "/cgi-bin/user/info",
        &[
            "subscribe",
            "openid",
            "subscribe_time",
            "unionid",
            "remark",
            "groupid",
            "tagid_list",
            "subscribe_scene",
            "qr_scene",
            "qr_scene_str",
            "nickname",
            "headimgurl",
            "sex",
            "city",
            "country",
            "province",
            "language",
        ],
    ),
];

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn check_text(what: &str, text: &Text, problems: &mut Vec<String>) {
    if text.get(authwalk::lang::Lang::EN).trim().is_empty() {
        problems.push(format!("{what}: empty en"));
    }
    if text.get(authwalk::lang::Lang::ZH).trim().is_empty() {
        problems.push(format!("{what}: empty zh"));
    }
}

/// A prose text (not a bare value like "640×640"): zh must be Chinese, en must not be.
fn check_prose(what: &str, text: &Text, problems: &mut Vec<String>) {
    check_text(what, text, problems);
    if !has_cjk(text.get(authwalk::lang::Lang::ZH)) {
        problems.push(format!(
            "{what}: zh has no Chinese: {:?}",
            text.get(authwalk::lang::Lang::ZH)
        ));
    }
    let cjk = text
        .get(authwalk::lang::Lang::EN)
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count();
    let latin = text
        .get(authwalk::lang::Lang::EN)
        .chars()
        .filter(char::is_ascii_alphabetic)
        .count();
    if cjk > latin {
        problems.push(format!(
            "{what}: en reads like Chinese: {:?}",
            text.get(authwalk::lang::Lang::EN)
        ));
    }
}

fn check_source(what: &str, source: &str, problems: &mut Vec<String>) {
    if let Err(why) = authwalk::catalog::check_source(source) {
        problems.push(format!("{what}: {why}"));
    }
}

#[test]
fn every_entry_has_both_languages_and_a_real_source() {
    let cat = Catalog::builtin();
    let mut problems = Vec::new();
    for provider in Provider::ALL {
        let pc = cat.provider(provider);
        for (id, absence) in &pc.absences {
            check_prose(
                &format!("{provider} absence {id}"),
                &absence.text,
                &mut problems,
            );
            check_source(
                &format!("{provider} absence {id}"),
                &absence.source,
                &mut problems,
            );
        }
        for e in &pc.endpoints {
            check_prose(
                &format!("{provider} endpoint {}", e.id),
                &e.title,
                &mut problems,
            );
            check_source(
                &format!("{provider} endpoint {}", e.id),
                &e.source,
                &mut problems,
            );
        }
        for f in &pc.fields {
            let what = format!("{provider} field {}", f.name);
            check_prose(&what, &f.meaning, &mut problems);
            check_source(&what, &f.source, &mut problems);
            if let Some(note) = &f.absent_note {
                check_prose(&what, note, &mut problems);
            }
            for v in &f.values {
                check_text(&format!("{what}={}", v.value), &v.meaning, &mut problems);
                if let Some(s) = &v.source {
                    check_source(&what, s, &mut problems);
                }
            }
        }
        for e in &pc.errors {
            let what = format!("{provider} error {}", e.code);
            check_prose(&what, &e.title, &mut problems);
            check_prose(&what, &e.meaning, &mut problems);
            check_prose(&what, &e.fix, &mut problems);
            for c in &e.causes {
                check_prose(&what, c, &mut problems);
            }
            if let Some(n) = &e.note {
                check_prose(&what, n, &mut problems);
            }
            for c in &e.context {
                check_prose(&what, &c.text, &mut problems);
            }
            check_source(&what, &e.source, &mut problems);
            let is_success = matches!(e.code.as_str(), "10000" | "0");
            if !is_success && e.causes.is_empty() {
                problems.push(format!("{what}: no causes"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "catalog problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_duplicate_codes_or_fields() {
    let cat = Catalog::builtin();
    for provider in Provider::ALL {
        let pc = cat.provider(provider);
        let mut codes = BTreeSet::new();
        for e in &pc.errors {
            assert!(
                codes.insert(e.code.clone()),
                "{provider}: duplicate code {}",
                e.code
            );
        }
        let mut pairs = BTreeSet::new();
        for f in &pc.fields {
            let scope = if f.endpoints.is_empty() {
                vec![String::new()]
            } else {
                f.endpoints.clone()
            };
            for e in scope {
                assert!(
                    pairs.insert((f.name.clone(), e.clone())),
                    "{provider}: field {} twice for {e:?}",
                    f.name
                );
            }
        }
    }
}

fn value_set(provider: Provider, endpoint: Option<&str>, field: &str) -> BTreeSet<String> {
    let f = Catalog::builtin()
        .field(provider, endpoint, field)
        .unwrap_or_else(|| panic!("{provider} field {field} missing"));
    assert!(
        f.values_complete,
        "{provider} {field}: value set not marked complete"
    );
    f.values.iter().map(|v| v.value.clone()).collect()
}

fn set(values: &[&str]) -> BTreeSet<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

#[test]
fn value_sets_are_complete() {
    use Provider::{Alipay, Wechat};
    assert_eq!(
        value_set(Alipay, None, "user_status"),
        set(&["Q", "T", "B", "W"])
    );
    assert_eq!(value_set(Alipay, None, "user_type"), set(&["1", "2"]));
    assert_eq!(value_set(Alipay, None, "gender"), set(&["F", "M"]));
    for flag in [
        "is_certified",
        "is_student_certified",
        "is_adult",
        "is_balance_frozen",
        "is_blocked",
    ] {
        assert_eq!(value_set(Alipay, None, flag), set(&["T", "F"]), "{flag}");
    }
    let cert: Vec<String> = (0..=16).map(|n: u8| n.to_string()).collect();
    let cert: BTreeSet<String> = cert.into_iter().collect();
    for field in [
        "cert_type",
        "firm_legal_person_cert_type",
        "firm_agent_person_cert_type",
    ] {
        assert_eq!(value_set(Alipay, None, field), cert, "{field}");
    }
    assert_eq!(
        value_set(Alipay, None, "inst_or_corp"),
        set(&["I", "C", "V", "N", "?"])
    );
    assert_eq!(
        value_set(Alipay, None, "firm_type"),
        set(&["CO", "INST", "COMM", "NGO", "STATEORGAN"])
    );
    assert_eq!(
        value_set(Alipay, None, "auth_token_type"),
        set(&["permanent"])
    );
    assert_eq!(value_set(Wechat, None, "sex"), set(&["0", "1", "2"]));
    assert_eq!(
        value_set(Wechat, None, "headimgurl"),
        // "" is documented too: the user has no avatar.
        set(&["", "0", "46", "64", "96", "132"])
    );
    assert_eq!(value_set(Wechat, None, "is_snapshotuser"), set(&["1"]));
    assert_eq!(
        value_set(Wechat, Some("/sns/oauth2/access_token"), "scope"),
        // snsapi_login: tokens of the website QR login (/connect/qrconnect).
        set(&["snsapi_base", "snsapi_userinfo", "snsapi_login"])
    );
    assert_eq!(value_set(Wechat, None, "subscribe"), set(&["0", "1"]));
    assert_eq!(
        value_set(Wechat, None, "lang"),
        set(&["zh_CN", "zh_TW", "en"])
    );
    // gender is compared case-insensitively: the sandbox sends lowercase.
    let cat = Catalog::builtin();
    assert_eq!(
        cat.value_meaning(Alipay, "gender", "m")
            .map(|t| t.get(authwalk::lang::Lang::ZH)),
        Some("男")
    );
}

#[test]
fn every_sandbox_and_spec_code_has_an_entry() {
    let cat = Catalog::builtin();
    let mut missing = Vec::new();
    for code in SANDBOX_ALIPAY_SUB_CODES {
        match cat.error(Provider::Alipay, code) {
            Some(e) if e.kind == ErrorKind::SubCode && e.code == *code => {}
            _ => missing.push(format!("alipay sub_code {code}")),
        }
    }
    for code in SANDBOX_ALIPAY_CODES.iter().chain(SPEC_ALIPAY_CODES) {
        if cat
            .error(Provider::Alipay, code)
            .is_none_or(|e| e.code != *code)
        {
            missing.push(format!("alipay {code}"));
        }
    }
    for code in SANDBOX_WECHAT_CODES.iter().chain(SPEC_WECHAT_CODES) {
        if cat
            .error(Provider::Wechat, code)
            .is_none_or(|e| e.code != *code)
        {
            missing.push(format!("wechat {code}"));
        }
    }
    for code in ["10003", "10005", "10013", "10016"] {
        assert_eq!(
            cat.error(Provider::Wechat, code).map(|e| e.kind),
            Some(ErrorKind::Page),
            "{code}"
        );
    }
    assert!(
        missing.is_empty(),
        "no catalog entry for: {}",
        missing.join(", ")
    );
}

#[test]
fn every_spec_field_has_an_entry_for_its_endpoint() {
    let cat = Catalog::builtin();
    let mut missing = Vec::new();
    for (provider, endpoint, fields) in SPEC_FIELDS {
        assert!(
            cat.provider(*provider).endpoint(endpoint).is_some(),
            "endpoint {endpoint}"
        );
        for name in *fields {
            let ok = cat
                .field(*provider, Some(endpoint), name)
                .is_some_and(|f| f.applies_to(endpoint));
            if !ok {
                missing.push(format!("{provider} {endpoint} {name}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no field entry for: {}",
        missing.join(", ")
    );
}

#[test]
fn findings_carry_provider_prefixed_codes() {
    let cat = Catalog::builtin();
    for (provider, code, expected) in [
        (Provider::Wechat, "40163", "wechat.40163"),
        (
            Provider::Alipay,
            "isv.code-invalid",
            "alipay.isv.code-invalid",
        ),
        (
            Provider::Alipay,
            "isv.invalid-token",
            "alipay.isv.invalid-token",
        ),
        (Provider::Alipay, "20001", "alipay.20001"),
    ] {
        let finding = cat.finding(provider, code).expect("entry exists");
        assert_eq!(finding.code, expected);
        assert!(
            !finding.fix.get(authwalk::lang::Lang::EN).is_empty()
                && !finding.fix.get(authwalk::lang::Lang::ZH).is_empty()
        );
    }
}

#[test]
fn catalog_files_stay_inside_the_repository() {
    for text in [
        include_str!("../assets/catalog/alipay.toml"),
        include_str!("../assets/catalog/wechat.toml"),
    ] {
        for needle in ["/work/", "/home/", "/tmp/", "/Users/", "C:\\"] {
            assert!(
                !text.contains(needle),
                "catalog mentions a path outside the repository: {needle}"
            );
        }
    }
}

#[test]
fn a_source_a_user_cannot_open_is_rejected() {
    use authwalk::catalog::check_source;
    for bad in [
        "",
        "  ",
        "spec/alipay.md §7.2",
        "see the spec",
        "Alipay docs — https://opendocs.alipay.com/x; spec/wechat.md §5",
        "seed 9_x.txt",
    ] {
        assert!(check_source(bad).is_err(), "{bad:?} was accepted");
    }
    for good in [
        "支付宝开放平台 公共错误码 — https://opendocs.alipay.com/open/common/105806",
        "alipay/alipay-sdk-java-all src/main/java/com/alipay/api/AbstractAlipayClient.java",
        "seed 000_a043a7b81cdad527.txt",
        "seed 001_ef808ad66c0a7d49.txt; 微信 公共错误码 — https://developers.weixin.qq.com/doc/store/API/basics/commErrCode.html",
    ] {
        assert!(check_source(good).is_ok(), "{good:?} was rejected");
    }
}
