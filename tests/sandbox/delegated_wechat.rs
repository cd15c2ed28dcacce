//! The WeChat third-party platform and WeCom on the sandbox, by raw HTTP: the component
//! token's checks (ticket, secret, authorizer), and WeCom's token lifetime, the two identity
//! endpoints' casing and the user_ticket.

use serde_json::{Value, json};

use crate::common::{client, post_json, start};

async fn get(url: &str) -> Value {
    client()
        .get(url)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON")
}

async fn post(url: &str, body: &Value) -> Value {
    client()
        .post(url)
        .body(body.to_string())
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_component_token_checks_ticket_secret_and_authorizer() {
    let sandbox = start().await;
    let m = sandbox.manifest().clone();
    let p = &m.wechat.components[0];
    let api = m.wechat.api_base.trim_end_matches('/');
    let token_url = format!("{api}/cgi-bin/component/api_component_token");
    let body = |secret: &str, ticket: &str| {
        json!({"component_appid": p.component_appid, "component_appsecret": secret,
               "component_verify_ticket": ticket})
    };
    let bad_ticket = post(&token_url, &body(&p.component_appsecret, "ticket@@@stale")).await;
    assert_eq!(bad_ticket["errcode"], 61006, "{bad_ticket}");
    let bad_secret = post(&token_url, &body("nope", &p.verify_ticket)).await;
    assert_eq!(bad_secret["errcode"], 40125, "{bad_secret}");
    let ok = post(&token_url, &body(&p.component_appsecret, &p.verify_ticket)).await;
    let token = ok["component_access_token"].as_str().expect("token");
    // The website app never authorized the platform.
    let website = &m.wechat.apps[1].appid;
    let exchange = get(&format!(
        "{api}/sns/oauth2/component/access_token?appid={website}&code=x&grant_type=authorization_code&component_appid={}&component_access_token={token}",
        p.component_appid
    ))
    .await;
    assert_eq!(exchange["errcode"], 61003, "{exchange}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wecom_identities_casings_ticket_and_token_lifetime() {
    let sandbox = start().await;
    let m = sandbox.manifest().clone();
    let corp = &m.wechat.wecom[0];
    let api = m.wechat.api_base.trim_end_matches('/');
    let wrong = get(&format!(
        "{api}/cgi-bin/gettoken?corpid={}&corpsecret=nope",
        corp.corpid
    ))
    .await;
    assert_eq!(wrong["errcode"], 40001, "{wrong}");
    let token = get(&format!(
        "{api}/cgi-bin/gettoken?corpid={}&corpsecret={}",
        corp.corpid, corp.corpsecret
    ))
    .await;
    assert_eq!(token["expires_in"], 7200);
    let token = token["access_token"].as_str().expect("token").to_owned();
    let approve = |scope: &'static str, user: &'static str| {
        let url = format!(
            "{}/connect/oauth2/authorize?appid={}&redirect_uri={}&response_type=code&scope={scope}&state=s&agentid={}",
            m.wechat.open_base.trim_end_matches('/'),
            corp.corpid,
            crate::common::enc(&corp.redirect_uri),
            corp.agentid
        );
        async move {
            let resp = client()
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("user={user}&decision=approve"))
                .send()
                .await
                .expect("consent answers");
            assert_eq!(resp.status(), 302);
            let location = resp.headers()["location"]
                .to_str()
                .expect("ascii")
                .to_owned();
            url::Url::parse(&location)
                .expect("URL")
                .query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
                .expect("code")
        }
    };
    // The current endpoint: lowercase keys and a user_ticket for a consenting member.
    let code = approve("snsapi_privateinfo", "wechat-unionid").await;
    let id = get(&format!(
        "{api}/cgi-bin/auth/getuserinfo?access_token={token}&code={code}"
    ))
    .await;
    assert_eq!(id["userid"], "LiLy", "{id}");
    let ticket = id["user_ticket"].as_str().expect("ticket");
    let detail = post(
        &format!("{api}/cgi-bin/auth/getuserdetail?access_token={token}"),
        &json!({"user_ticket": ticket}),
    )
    .await;
    assert_eq!(detail["userid"], "LiLy", "{detail}");
    // The older endpoint: UserId / OpenId casing; a code works once.
    let code = approve("snsapi_base", "wechat-emoji").await;
    let old = get(&format!(
        "{api}/cgi-bin/user/getuserinfo?access_token={token}&code={code}"
    ))
    .await;
    assert!(
        old["OpenId"].is_string() && old.get("openid").is_none(),
        "{old}"
    );
    let reused = get(&format!(
        "{api}/cgi-bin/user/getuserinfo?access_token={token}&code={code}"
    ))
    .await;
    assert_eq!(reused["errcode"], 40029, "{reused}");
    // Unknown token, then the token's lifetime.
    let code = approve("snsapi_base", "wechat-unionid").await;
    let unknown = get(&format!(
        "{api}/cgi-bin/auth/getuserinfo?access_token=nope&code={code}"
    ))
    .await;
    assert_eq!(unknown["errcode"], 40014, "{unknown}");
    post_json(
        &sandbox,
        &format!("{}/clock/advance", m.control),
        &json!({"seconds": 7201}),
    )
    .await;
    let expired = get(&format!(
        "{api}/cgi-bin/auth/getuserinfo?access_token={token}&code={code}"
    ))
    .await;
    assert_eq!(expired["errcode"], 42001, "{expired}");
}
