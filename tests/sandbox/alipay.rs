//! Alipay: consent, gateway signing both ways, every documented failure, refresh semantics.

use authwalk::provider::alipay::{
    self, METHOD_OAUTH_TOKEN, METHOD_USER_INFO, OauthToken, Outcome, UserInfo, decode,
};

use crate::common::{
    App, app, approve, authorize_url, call, client, exchange, send, send_with, start, sub_code,
    user_info,
};

const TOKEN_NODE: &str = "alipay_system_oauth_token_response";
const INFO_NODE: &str = "alipay_user_info_share_response";
const ERROR_NODE: &str = "error_response";

async fn token_for(
    sandbox: &authwalk::sandbox::SandboxHandle,
    app: &App,
    user: &str,
) -> OauthToken {
    let code = approve(sandbox, &app.entry.app_id, "auth_user", user).await;
    let reply = exchange(sandbox, app, &code).await;
    assert!(reply.verified(), "{:?}", reply.verification);
    decode::<OauthToken>(&reply.body, METHOD_OAUTH_TOKEN, app.charset)
        .expect("token decodes")
        .value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_flow_for_every_app() {
    let sandbox = start().await;
    for (index, user) in [
        (0, "alipay-certified"),
        (1, "alipay-student"),
        (2, "alipay-emoji"),
        (3, "alipay-enterprise"),
    ] {
        let app = app(&sandbox, index);
        let token = token_for(&sandbox, &app, user).await;
        assert!(token.status.is_success());
        let access = token.access_token.clone().expect("access_token");
        assert!(access.starts_with("authusrB"));
        assert_eq!(token.expires_in.map(|l| l.0), Some(1_296_000));
        let reply = user_info(&sandbox, &app, &access).await;
        assert_eq!(reply.verification.outcome, Outcome::Verified, "app {index}");
        let info = decode::<UserInfo>(&reply.body, METHOD_USER_INFO, app.charset)
            .expect("user info decodes")
            .value;
        assert_eq!(info.status.code.as_deref(), Some("10000"));
        if app.entry.open_id_only {
            assert!(token.user_id.is_none() && info.user_id.is_none());
            assert!(token.open_id.is_some());
            assert_eq!(token.open_id, info.open_id);
        } else {
            assert!(
                token
                    .user_id
                    .as_deref()
                    .is_some_and(|u| u.starts_with("2088"))
            );
            assert_eq!(token.user_id, info.user_id);
        }
        match user {
            "alipay-emoji" => assert_eq!(info.nick_name.as_deref(), Some("小红🌸")),
            "alipay-enterprise" => {
                // The open_id app is a new app: user_type is withheld from it.
                let hidden = app.entry.approved.as_str() > "2019-12-24";
                assert_eq!(info.user_type.is_none(), hidden);
                assert!(info.nick_name.is_none());
            }
            "alipay-student" => assert_eq!(info.is_student_certified.as_deref(), Some("T")),
            _ => assert_eq!(info.nick_name.as_deref(), Some("小明")),
        }
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gbk_app_answers_in_gbk_with_escaped_emoji() {
    let sandbox = start().await;
    let app = app(&sandbox, 2);
    let token = token_for(&sandbox, &app, "alipay-emoji").await;
    let reply = user_info(&sandbox, &app, &token.access_token.expect("token")).await;
    assert!(
        std::str::from_utf8(&reply.body).is_err(),
        "the body is GBK bytes"
    );
    assert!(reply.verified());
    let text = alipay::Charset::Gbk.decode(&reply.body).expect("GBK");
    assert!(text.contains("\\ud83c\\udf38"), "emoji escaped: {text}");
    assert!(
        text.contains("https:\\/\\/"),
        "slashes escaped as Alipay does"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_states_are_reported() {
    let sandbox = start().await;
    let app = app(&sandbox, 0);
    for (user, status) in [
        ("alipay-quick", "Q"),
        ("alipay-frozen", "B"),
        ("alipay-inactive", "W"),
    ] {
        let token = token_for(&sandbox, &app, user).await;
        let reply = user_info(&sandbox, &app, &token.access_token.expect("token")).await;
        assert_eq!(reply.node(INFO_NODE)["user_status"], status);
    }
    let token = token_for(&sandbox, &app, "alipay-no-avatar").await;
    let reply = user_info(&sandbox, &app, &token.access_token.expect("token")).await;
    assert!(reply.node(INFO_NODE).get("avatar").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_pages_and_errors_are_html() {
    let sandbox = start().await;
    let c = client();
    let page = c
        .get(authorize_url(
            &sandbox,
            "2021000000000001",
            "auth_user",
            "s",
        ))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    let html = page.text().await.expect("text");
    assert!(html.contains("name=\"viewport\""));
    assert!(html.contains("alipay-frozen") && html.contains("decision"));
    assert!(!html.contains("<script"));

    let base = authorize_url(&sandbox, "2021000000000001", "auth_base", "s");
    let silent = c
        .get(&base)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(silent.contains("holding the phone"));

    for bad in [
        authorize_url(&sandbox, "2099000000000009", "auth_user", "s"),
        format!(
            "{}?app_id=2021000000000001&scope=auth_user&redirect_uri={}",
            sandbox.manifest().alipay.authorize,
            crate::common::enc("https://evil.example/cb")
        ),
        authorize_url(&sandbox, "2021000000000001", "auth_everything", "s"),
    ] {
        let resp = c.get(&bad).send().await.expect("page");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .expect("ascii")
                .starts_with("text/html")
        );
        let text = resp.text().await.expect("text");
        assert!(
            text.contains("<!DOCTYPE html>") && !text.contains("decision"),
            "{bad}"
        );
        // Alipay's own wording for a redirect on another domain.
        if bad.contains("evil.example") {
            assert!(
                text.contains("授权回跳地址与系统商配置回跳地址不一致"),
                "{text}"
            );
        }
    }
    // Only the domain must match: another path (and port) on the registered host is fine.
    let base = url::Url::parse(sandbox.base_url()).expect("base");
    let other_path = format!(
        "{}?app_id=2021000000000001&scope=auth_user&state=s&redirect_uri={}",
        sandbox.manifest().alipay.authorize,
        crate::common::enc(&format!(
            "http://{}:9/somewhere/else",
            base.host_str().expect("host")
        ))
    );
    let text = c
        .get(&other_path)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(text.contains("decision"), "{text}");

    let denied = c
        .post(authorize_url(
            &sandbox,
            "2021000000000001",
            "auth_user",
            "s",
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("user=alipay-certified&decision=deny")
        .send()
        .await
        .expect("deny");
    assert_eq!(denied.status(), 200, "deny does not redirect");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_signature_echoes_the_gateway_string() {
    let sandbox = start().await;
    let app0 = app(&sandbox, 0);
    let other = app(&sandbox, 3);
    let c = call(&sandbox, &app0, METHOD_OAUTH_TOKEN)
        .param("grant_type", "authorization_code")
        .param("code", "whatever");
    let reply = send_with(&sandbox, &app0, &c, &other.key).await;
    assert!(reply.verified());
    assert_eq!(sub_code(&reply, ERROR_NODE), "isv.invalid-signature");
    let sub_msg = reply.node(ERROR_NODE)["sub_msg"].as_str().expect("sub_msg");
    let expected = alipay::canonical_string(&c.all_params()).replace('&', "&amp;");
    assert!(sub_msg.ends_with(&expected), "{sub_msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn common_parameter_failures() {
    let sandbox = start().await;
    let app0 = app(&sandbox, 0);
    let rsa_app = app(&sandbox, 1);

    let mut unknown = call(&sandbox, &app0, METHOD_OAUTH_TOKEN).param("grant_type", "x");
    unknown.app_id = "2099000000000009".into();
    let reply = send(&sandbox, &app0, &unknown).await;
    assert_eq!(sub_code(&reply, ERROR_NODE), "isv.invalid-app-id");
    // No app, no key pair to sign with: the gateway answers this one unsigned.
    assert!(!reply.verified());
    assert!(
        !String::from_utf8_lossy(&reply.body).contains("\"sign\""),
        "an unknown app's error must carry no sign"
    );

    let mut no_method = call(&sandbox, &app0, "");
    no_method.method = String::new();
    let reply = send(&sandbox, &app0, &no_method).await;
    assert_eq!(sub_code(&reply, ERROR_NODE), "isv.missing-method");

    let reply = send(&sandbox, &app0, &call(&sandbox, &app0, "alipay.no.such")).await;
    assert_eq!(sub_code(&reply, ERROR_NODE), "isv.invalid-method");

    let mut stale = call(&sandbox, &app0, METHOD_USER_INFO).param("auth_token", "x");
    stale.timestamp = alipay::format_timestamp(sandbox.now() - time::Duration::minutes(16));
    let reply = send(&sandbox, &app0, &stale).await;
    assert_eq!(sub_code(&reply, INFO_NODE), "isv.invalid-timestamp");

    let mut garbled = call(&sandbox, &app0, METHOD_USER_INFO).param("auth_token", "x");
    garbled.timestamp = "20240520123456".into();
    let reply = send(&sandbox, &app0, &garbled).await;
    assert_eq!(sub_code(&reply, INFO_NODE), "isv.invalid-timestamp");

    // The RSA (SHA1) app sending RSA2: no key configured for that sign type.
    let mut wrong_type = call(&sandbox, &rsa_app, METHOD_USER_INFO).param("auth_token", "x");
    wrong_type.sign_type = alipay::SignType::Rsa2;
    let reply = send(&sandbox, &rsa_app, &wrong_type).await;
    // The token page's code for a sign type the app has no key for: 40003, not 40001.
    assert_eq!(
        reply.node(INFO_NODE)["sub_code"],
        "isv.missing-signature-config"
    );
    assert_eq!(reply.node(INFO_NODE)["code"], "40003");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_are_read_from_query_or_body_in_any_layout() {
    let sandbox = start().await;
    let app0 = app(&sandbox, 0);
    let code = approve(
        &sandbox,
        &app0.entry.app_id,
        "auth_user",
        "alipay-certified",
    )
    .await;
    let c = call(&sandbox, &app0, METHOD_OAUTH_TOKEN)
        .param("grant_type", "authorization_code")
        .param("code", &code);
    let prepared =
        alipay::prepare(&sandbox.manifest().alipay.gateway, &c, &app0.key).expect("signs");
    // Everything in the body, as socialite and smartwalle send it.
    let (gateway, query) = prepared.url.split_once('?').expect("query");
    let body = format!("{query}&{}", String::from_utf8_lossy(&prepared.body));
    let resp = client()
        .post(gateway)
        .header(
            "content-type",
            "application/x-www-form-urlencoded;charset=utf-8",
        )
        .body(body.clone())
        .send()
        .await
        .expect("answers");
    let reply = crate::common::reply(
        200,
        resp.bytes().await.expect("b").to_vec(),
        Some(METHOD_OAUTH_TOKEN),
        &app0,
    );
    assert!(reply.verified());
    let access = reply.node(TOKEN_NODE)["access_token"]
        .as_str()
        .expect("token")
        .to_owned();

    // Everything in the query of a GET, as fzlee/alipay sends it.
    let c = call(&sandbox, &app0, METHOD_USER_INFO).param("auth_token", &access);
    let prepared =
        alipay::prepare(&sandbox.manifest().alipay.gateway, &c, &app0.key).expect("signs");
    let url = format!(
        "{}&{}",
        prepared.url,
        String::from_utf8_lossy(&prepared.body)
    );
    let resp = client()
        .get(url.trim_end_matches('&'))
        .send()
        .await
        .expect("answers");
    let reply = crate::common::reply(
        200,
        resp.bytes().await.expect("b").to_vec(),
        Some(METHOD_USER_INFO),
        &app0,
    );
    assert!(reply.verified());
    assert_eq!(reply.node(INFO_NODE)["code"], "10000");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_are_single_use_and_consumed_by_failures() {
    let sandbox = start().await;
    let app0 = app(&sandbox, 0);
    let other = app(&sandbox, 3);
    let code = approve(
        &sandbox,
        &app0.entry.app_id,
        "auth_user",
        "alipay-certified",
    )
    .await;
    assert!(
        exchange(&sandbox, &app0, &code)
            .await
            .node(TOKEN_NODE)
            .is_object()
    );
    let again = exchange(&sandbox, &app0, &code).await;
    assert_eq!(sub_code(&again, ERROR_NODE), "isv.code-invalid");
    assert!(again.verified());

    // A failed exchange (wrong app) still consumes the code.
    let code = approve(
        &sandbox,
        &app0.entry.app_id,
        "auth_user",
        "alipay-certified",
    )
    .await;
    let wrong = exchange(&sandbox, &other, &code).await;
    assert_eq!(sub_code(&wrong, ERROR_NODE), "isv.code-invalid");
    let right = exchange(&sandbox, &app0, &code).await;
    assert_eq!(sub_code(&right, ERROR_NODE), "isv.code-invalid");

    let reply = exchange(&sandbox, &app0, "not-a-code").await;
    assert_eq!(sub_code(&reply, ERROR_NODE), "isv.code-invalid");

    let c = call(&sandbox, &app0, METHOD_OAUTH_TOKEN).param("grant_type", "password");
    let reply = send(&sandbox, &app0, &c).await;
    assert_eq!(sub_code(&reply, ERROR_NODE), "isv.grant-type-invalid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_exchanges_have_exactly_one_winner_each() {
    let sandbox = std::sync::Arc::new(start().await);
    let app0 = std::sync::Arc::new(app(&sandbox, 0));
    let mut codes = Vec::new();
    for _ in 0..100 {
        codes.push(
            approve(
                &sandbox,
                &app0.entry.app_id,
                "auth_base",
                "alipay-certified",
            )
            .await,
        );
    }
    let mut tasks = Vec::new();
    for code in codes {
        for _ in 0..2 {
            let (sandbox, app0, code) = (sandbox.clone(), app0.clone(), code.clone());
            tasks.push(tokio::spawn(async move {
                let reply = exchange(&sandbox, &app0, &code).await;
                assert!(reply.verified());
                reply.node(TOKEN_NODE).is_object()
            }));
        }
    }
    let mut winners = 0;
    for task in tasks {
        if task.await.expect("task") {
            winners += 1;
        }
    }
    assert_eq!(winners, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_follows_the_sandbox_clock() {
    let sandbox = start().await;
    let app0 = app(&sandbox, 0);
    let code = approve(
        &sandbox,
        &app0.entry.app_id,
        "auth_user",
        "alipay-certified",
    )
    .await;
    sandbox.advance_clock(301);
    let reply = exchange(&sandbox, &app0, &code).await;
    assert_eq!(sub_code(&reply, ERROR_NODE), "isv.code-invalid");

    let token = token_for(&sandbox, &app0, "alipay-certified").await;
    sandbox.advance_clock(1_296_001);
    let reply = user_info(&sandbox, &app0, token.access_token.as_deref().expect("t")).await;
    assert_eq!(sub_code(&reply, INFO_NODE), "aop.auth-token-time-out");
    assert!(reply.verified());

    // Just past the refresh deadline (30 days after the exchange).
    sandbox.advance_clock(2_592_000 - 1_296_000);
    let c = call(&sandbox, &app0, METHOD_OAUTH_TOKEN)
        .param("grant_type", "refresh_token")
        .param("refresh_token", token.refresh_token.as_deref().expect("r"));
    let reply = send(&sandbox, &app0, &c).await;
    assert_eq!(sub_code(&reply, ERROR_NODE), "isv.refresh-token-time-out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_failures_of_user_info_stay_in_its_node() {
    let sandbox = start().await;
    let app0 = app(&sandbox, 0);
    let reply = user_info(&sandbox, &app0, "authusrBnope").await;
    assert_eq!(sub_code(&reply, INFO_NODE), "aop.invalid-auth-token");
    assert_eq!(reply.node(INFO_NODE)["code"], "20001");
    assert!(reply.verified());

    // An auth_base token cannot read the profile (spec §1.2: aop.invalid-auth-token).
    let code = approve(
        &sandbox,
        &app0.entry.app_id,
        "auth_base",
        "alipay-certified",
    )
    .await;
    let token = exchange(&sandbox, &app0, &code).await;
    let access = token.node(TOKEN_NODE)["access_token"]
        .as_str()
        .expect("t")
        .to_owned();
    assert!(access.starts_with("authbseB"));
    let reply = user_info(&sandbox, &app0, &access).await;
    assert_eq!(sub_code(&reply, INFO_NODE), "aop.invalid-auth-token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotates_both_tokens_and_keeps_the_deadline() {
    let sandbox = start().await;
    let app0 = app(&sandbox, 0);
    let first = token_for(&sandbox, &app0, "alipay-certified").await;
    sandbox.advance_clock(1000);
    let refresh = |token: &str| {
        call(&sandbox, &app0, METHOD_OAUTH_TOKEN)
            .param("grant_type", "refresh_token")
            .param("refresh_token", token)
    };
    let reply = send(
        &sandbox,
        &app0,
        &refresh(first.refresh_token.as_deref().expect("r")),
    )
    .await;
    assert!(reply.verified());
    let second = decode::<OauthToken>(&reply.body, METHOD_OAUTH_TOKEN, app0.charset)
        .expect("decodes")
        .value;
    assert_eq!(second.expires_in.map(|l| l.0), Some(1_296_000));
    // The deadline stays where the first token put it: 1000 s of moved clock, plus at most a
    // wall-clock second that may pass between the two calls on a loaded machine.
    let left = second.re_expires_in.map(|l| l.0).expect("re_expires_in");
    assert!(
        (2_592_000 - 1001..=2_592_000 - 1000).contains(&left),
        "re_expires_in {left}"
    );
    assert_ne!(second.access_token, first.access_token);

    let old = user_info(&sandbox, &app0, first.access_token.as_deref().expect("a")).await;
    assert_eq!(sub_code(&old, INFO_NODE), "aop.invalid-auth-token");
    let new = user_info(&sandbox, &app0, second.access_token.as_deref().expect("a")).await;
    assert_eq!(new.node(INFO_NODE)["code"], "10000");

    let reused = send(
        &sandbox,
        &app0,
        &refresh(first.refresh_token.as_deref().expect("r")),
    )
    .await;
    assert_eq!(sub_code(&reused, ERROR_NODE), "isv.refreshed-token-invalid");
    let garbage = send(&sandbox, &app0, &refresh("authusrBgarbage")).await;
    assert_eq!(sub_code(&garbage, ERROR_NODE), "isv.refresh-token-invalid");
    let other = app(&sandbox, 3);
    let c = call(&sandbox, &other, METHOD_OAUTH_TOKEN)
        .param("grant_type", "refresh_token")
        .param("refresh_token", second.refresh_token.as_deref().expect("r"));
    let foreign = send(&sandbox, &other, &c).await;
    // alipay.system.oauth.token's error table: another app's refresh token is
    // isv.invalid-app-id with this sub_msg (there is no isv.unmatched-app-id on this API).
    assert_eq!(sub_code(&foreign, ERROR_NODE), "isv.invalid-app-id");
    assert_eq!(
        foreign.node(ERROR_NODE)["sub_msg"],
        "调用接口的应用标识(app_id)与令牌授权的应用不相符"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gbk_requests_with_chinese_values_verify_in_gbk() {
    let sandbox = start().await;
    let gbk = app(&sandbox, 2);
    let token = token_for(&sandbox, &gbk, "alipay-certified").await;
    let c = call(&sandbox, &gbk, METHOD_USER_INFO)
        .param("auth_token", token.access_token.as_deref().expect("t"))
        .param("terminal_info", "中文终端");
    let prepared =
        alipay::prepare(&sandbox.manifest().alipay.gateway, &c, &gbk.key).expect("signs");
    // terminal_info travels in the query (Java layout), as GBK percent-escapes.
    assert!(
        prepared.url.contains("%D6%D0"),
        "GBK escapes: {}",
        prepared.url
    );
    let reply = send(&sandbox, &gbk, &c).await;
    assert!(reply.verified());
    assert_eq!(reply.node(INFO_NODE)["code"], "10000");

    // The same bytes sent by a UTF-8 signer while claiming GBK do not verify.
    let mut utf8 = c.clone();
    utf8.charset = alipay::Charset::Utf8;
    let prepared =
        alipay::prepare(&sandbox.manifest().alipay.gateway, &utf8, &gbk.key).expect("signs");
    let url = prepared.url.replace("charset=utf-8", "charset=GBK");
    let resp = client()
        .post(url)
        .header(
            "content-type",
            "application/x-www-form-urlencoded;charset=GBK",
        )
        .body(prepared.body)
        .send()
        .await
        .expect("answers");
    let body = resp.bytes().await.expect("body").to_vec();
    let reply = crate::common::reply(200, body, Some(METHOD_USER_INFO), &gbk);
    let sub = sub_code(&reply, INFO_NODE);
    assert!(
        sub == "isv.invalid-signature" || sub == "isv.invalid-charset",
        "{sub}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_or_too_many_parameters_are_refused() {
    let sandbox = start().await;
    let app = app(&sandbox, 0);
    let call = call(&sandbox, &app, METHOD_OAUTH_TOKEN)
        .param("grant_type", "authorization_code")
        .param("code", "AAA");
    let prepared =
        authwalk::provider::alipay::prepare(&sandbox.manifest().alipay.gateway, &call, &app.key)
            .expect("signs");
    // The signed code in the body, and another, unsigned one.
    let body = format!(
        "{}&code=BBB",
        String::from_utf8(prepared.body.clone()).expect("utf-8")
    );
    let resp = client()
        .post(&prepared.url)
        .header(
            "Content-Type",
            "application/x-www-form-urlencoded;charset=utf-8",
        )
        .body(body)
        .send()
        .await
        .expect("answers");
    let r = crate::common::reply(
        resp.status().as_u16(),
        resp.bytes().await.expect("body").to_vec(),
        Some(METHOD_OAUTH_TOKEN),
        &app,
    );
    assert_eq!(
        sub_code(&r, "error_response"),
        "isv.invalid-parameter",
        "{:?}",
        r.json
    );
    assert!(r.verified());

    // The same value twice (query and body) counts once.
    let body = format!(
        "{}&grant_type=authorization_code",
        String::from_utf8(prepared.body.clone()).expect("utf-8")
    );
    let resp = client()
        .post(&prepared.url)
        .header(
            "Content-Type",
            "application/x-www-form-urlencoded;charset=utf-8",
        )
        .body(body)
        .send()
        .await
        .expect("answers");
    let r = crate::common::reply(
        resp.status().as_u16(),
        resp.bytes().await.expect("body").to_vec(),
        Some(METHOD_OAUTH_TOKEN),
        &app,
    );
    assert_eq!(
        sub_code(&r, "error_response"),
        "isv.code-invalid",
        "{:?}",
        r.json
    );

    // Thousands of distinct names: refused at once, not hashed against each other.
    let flood = (0..5000)
        .map(|i| format!("k{i}=v"))
        .collect::<Vec<_>>()
        .join("&");
    let started = std::time::Instant::now();
    let resp = client()
        .post(&sandbox.manifest().alipay.gateway)
        .body(flood)
        .send()
        .await
        .expect("answers");
    let text = resp.text().await.expect("body");
    assert!(text.contains("isv.invalid-parameter"), "{text}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// The app with this id in the manifest.
fn app_by_id(sandbox: &authwalk::sandbox::SandboxHandle, id: &str) -> App {
    let index = sandbox
        .manifest()
        .alipay
        .apps
        .iter()
        .position(|a| a.app_id == id)
        .expect("a demo app with this id");
    app(sandbox, index)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_modes_app_groups_and_hidden_fields() {
    use authwalk::provider::alipay::IdMode;
    let sandbox = start().await;
    let manifest = sandbox.manifest().clone();
    let entry = |id: &str| {
        manifest
            .alipay
            .apps
            .iter()
            .find(|a| a.app_id == id)
            .expect("app")
            .clone()
    };
    // What sandbox.json says about each app.
    assert_eq!(entry("2021000000000001").id_mode, IdMode::Uid);
    assert!(entry("2021000000000001").approved.as_str() <= "2019-12-24");
    assert_eq!(entry("2021000000000004").id_mode, IdMode::OpenId);
    assert!(entry("2021000000000004").approved.as_str() > "2019-12-24");
    assert_eq!(entry("2021000000000006").id_mode, IdMode::Both);
    assert_eq!(entry("2021000000000007").id_mode, IdMode::OpenId);
    assert_eq!(
        entry("2021000000000006").union_group,
        entry("2021000000000007").union_group
    );
    assert!(entry("2021000000000006").union_group.is_some());
    assert!(entry("2021000000000001").encrypt_key.is_some());

    let mut union_ids = Vec::new();
    let mut open_ids = Vec::new();
    for id in ["2021000000000004", "2021000000000006", "2021000000000007"] {
        let app = app_by_id(&sandbox, id);
        let token = token_for(&sandbox, &app, "alipay-certified").await;
        let reply = user_info(&sandbox, &app, token.access_token.as_deref().expect("a")).await;
        assert!(reply.verified(), "{id}");
        let info = decode::<UserInfo>(&reply.body, METHOD_USER_INFO, app.charset)
            .expect("decodes")
            .value;
        let mode = app.entry.id_mode;
        assert_eq!(token.user_id.is_some(), mode.has_user_id(), "{id}");
        assert_eq!(info.user_id.is_some(), mode.has_user_id(), "{id}");
        assert_eq!(token.open_id.is_some(), mode.has_open_id(), "{id}");
        assert_eq!(token.open_id, info.open_id, "{id}");
        // The deprecated alipay_user_id rides with user_id on the token answer.
        assert_eq!(
            token.extra.get("alipay_user_id").and_then(|v| v.as_str()),
            token.user_id.as_deref(),
            "{id}"
        );
        assert_eq!(token.union_id.is_some(), app.entry.union_group.is_some());
        union_ids.extend(token.union_id.clone());
        open_ids.extend(token.open_id.clone());
        // Approved after 2019-12-24: the four fields are withheld.
        let node = reply.node(INFO_NODE);
        let hidden = app.entry.approved.as_str() > "2019-12-24";
        for field in [
            "user_status",
            "is_certified",
            "user_type",
            "is_student_certified",
        ] {
            assert_eq!(node.get(field).is_none(), hidden, "{id} {field}");
        }
        assert!(node.get("nick_name").is_some(), "{id}");
    }
    // One app group, one union_id; every app its own open_id.
    assert_eq!(union_ids.len(), 2);
    assert_eq!(union_ids[0], union_ids[1]);
    open_ids.sort();
    open_ids.dedup();
    assert_eq!(open_ids.len(), 3);
    sandbox.shutdown().await;
}
