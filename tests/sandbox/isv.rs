//! Third-party (ISV) calls on the gateway: the merchant's `app_auth_code` exchanged once for an
//! `app_auth_token`, the merchant's member code and token used with it, and Alipay's sub-codes
//! when the token is missing, unknown, another ISV's or expired.

use authwalk::provider::alipay;
use serde_json::{Value, json};

use crate::common::{self, App, approve, call, send, start, sub_code};

const TOKEN_NODE: &str = "alipay_open_auth_token_app_response";

async fn app_auth(
    sandbox: &authwalk::sandbox::SandboxHandle,
    isv: &App,
    code: &str,
) -> common::Reply {
    let biz = json!({"grant_type": "authorization_code", "code": code}).to_string();
    let c = call(sandbox, isv, "alipay.open.auth.token.app").param("biz_content", &biz);
    send(sandbox, isv, &c).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_isv_acts_for_the_merchant_only_with_its_app_auth_token() {
    let sandbox = start().await;
    let entry = sandbox.manifest().alipay.isv[0].clone();
    let isv = common::app(&sandbox, 0);
    let other_isv = common::app(&sandbox, 3);
    assert_eq!(isv.entry.app_id, entry.isv_app_id);

    // The merchant's authorization: signed like every answer, a token for the merchant's app.
    let grant = app_auth(&sandbox, &isv, &entry.app_auth_code).await;
    assert!(grant.verified(), "{}", String::from_utf8_lossy(&grant.body));
    let tokens = &grant.node(TOKEN_NODE)["tokens"][0];
    assert_eq!(
        tokens["auth_app_id"],
        Value::from(entry.merchant_app_id.clone())
    );
    let app_auth_token = tokens["app_auth_token"].as_str().expect("token").to_owned();
    // Single use.
    let again = app_auth(&sandbox, &isv, &entry.app_auth_code).await;
    assert_eq!(sub_code(&again, "error_response"), "isv.code-invalid");

    // The member authorizes the merchant's app; without app_auth_token the code is another
    // app's (and is spent).
    let code = approve(
        &sandbox,
        &entry.merchant_app_id,
        "auth_user",
        "alipay-certified",
    )
    .await;
    let without = common::exchange(&sandbox, &isv, &code).await;
    assert_eq!(sub_code(&without, "error_response"), "isv.code-invalid");

    // With it, the ISV's signed call is the merchant's.
    let code = approve(
        &sandbox,
        &entry.merchant_app_id,
        "auth_user",
        "alipay-certified",
    )
    .await;
    let c = call(&sandbox, &isv, alipay::METHOD_OAUTH_TOKEN)
        .param("grant_type", "authorization_code")
        .param("code", &code)
        .param("app_auth_token", &app_auth_token);
    let token = send(&sandbox, &isv, &c).await;
    assert!(token.verified());
    let node = token.node("alipay_system_oauth_token_response");
    let access = node["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    let info = |token: &str| {
        call(&sandbox, &isv, alipay::METHOD_USER_INFO)
            .param("auth_token", &access)
            .param("app_auth_token", token)
    };
    let profile = send(&sandbox, &isv, &info(&app_auth_token)).await;
    assert_eq!(
        profile.node("alipay_user_info_share_response")["code"],
        "10000"
    );

    // An unknown token, and the token of another ISV's merchant authorization.
    let unknown = send(&sandbox, &isv, &info("202612BBnot-a-token")).await;
    assert_eq!(
        sub_code(&unknown, "alipay_user_info_share_response"),
        "aop.invalid-app-auth-token"
    );
    let c = call(&sandbox, &other_isv, alipay::METHOD_USER_INFO)
        .param("auth_token", &access)
        .param("app_auth_token", &app_auth_token);
    let foreign = send(&sandbox, &other_isv, &c).await;
    assert_eq!(
        sub_code(&foreign, "alipay_user_info_share_response"),
        "aop.invalid-app-auth-token"
    );

    // A year and a day later the authorization has run out.
    common::post_json(
        &sandbox,
        &format!("{}/clock/advance", sandbox.manifest().control),
        &json!({"seconds": 366 * 24 * 3600}),
    )
    .await;
    let expired = send(&sandbox, &isv, &info(&app_auth_token)).await;
    assert_eq!(
        sub_code(&expired, "alipay_user_info_share_response"),
        "aop.app-auth-token-time-out"
    );
}
