//! WeChat: consent pages with order checks, the sns calls and errcodes, the token mix-up.

use authwalk::sandbox::SandboxHandle;
use serde_json::{Value, json};

use crate::common::{client, control_client, enc, post_json, start};

const OA: usize = 0;
const WEBSITE: usize = 1;

fn app(sandbox: &SandboxHandle, index: usize) -> (String, String) {
    let a = &sandbox.manifest().wechat.apps[index];
    (a.appid.clone(), a.secret.clone())
}

fn authorize_url(sandbox: &SandboxHandle, appid: &str, scope: &str, path: &str) -> String {
    let redirect = format!("{}/__sandbox/callback?from=test", sandbox.base_url());
    format!(
        "{}{path}?appid={appid}&redirect_uri={}&response_type=code&scope={scope}&state=STATE#wechat_redirect",
        sandbox.manifest().wechat.open_base,
        enc(&redirect)
    )
}

async fn approve_at(sandbox: &SandboxHandle, index: usize, scope: &str, user: &str) -> String {
    let (appid, _) = app(sandbox, index);
    let path = if index == WEBSITE {
        "/connect/qrconnect"
    } else {
        "/connect/oauth2/authorize"
    };
    let resp = client()
        .post(authorize_url(sandbox, &appid, scope, path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("user={user}&decision=approve"))
        .send()
        .await
        .expect("consent answers");
    assert_eq!(resp.status(), 302);
    let location =
        url::Url::parse(resp.headers()["location"].to_str().expect("ascii")).expect("location");
    let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert!(pairs.contains(&("from".into(), "test".into())));
    assert!(pairs.contains(&("state".into(), "STATE".into())));
    pairs
        .into_iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v)
        .expect("code in the redirect")
}

async fn approve(sandbox: &SandboxHandle, scope: &str, user: &str) -> String {
    approve_at(sandbox, OA, scope, user).await
}

/// GET an API path; returns (content type, JSON).
async fn get(sandbox: &SandboxHandle, path_and_query: &str) -> (String, Value) {
    let resp = client()
        .get(format!(
            "{}{path_and_query}",
            sandbox.manifest().wechat.api_base
        ))
        .send()
        .await
        .expect("api answers");
    assert_eq!(resp.status(), 200, "WeChat answers errors with HTTP 200");
    let content_type = resp.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let body = resp.bytes().await.expect("body");
    (
        content_type,
        serde_json::from_slice(&body).expect("JSON body"),
    )
}

async fn token(sandbox: &SandboxHandle, index: usize, code: &str) -> Value {
    let (appid, secret) = app(sandbox, index);
    get(
        sandbox,
        &format!(
            "/sns/oauth2/access_token?appid={appid}&secret={secret}&code={code}&grant_type=authorization_code"
        ),
    )
    .await
    .1
}

fn errcode(v: &Value) -> i64 {
    let msg = v["errmsg"].as_str().unwrap_or("");
    let rid = msg.rsplit("rid: ").next().unwrap_or("");
    assert!(
        rid.len() == 26 && rid.split('-').all(|g| g.len() == 8),
        "errmsg ends with a rid: {msg}"
    );
    v["errcode"].as_i64().expect("errcode")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_account_flow_with_userinfo() {
    let sandbox = start().await;
    let code = approve(&sandbox, "snsapi_userinfo", "wechat-unionid").await;
    let t = token(&sandbox, OA, &code).await;
    assert_eq!(t["expires_in"], 7200);
    assert_eq!(t["scope"], "snsapi_userinfo");
    assert!(t["unionid"].is_string());
    assert!(t.get("is_snapshotuser").is_none());
    let (access, openid) = (
        t["access_token"].as_str().expect("t"),
        t["openid"].as_str().expect("o"),
    );
    let (_, auth) = get(
        &sandbox,
        &format!("/sns/auth?access_token={access}&openid={openid}"),
    )
    .await;
    assert_eq!(auth, json!({"errcode": 0, "errmsg": "ok"}));
    let (ctype, info) = get(
        &sandbox,
        &format!("/sns/userinfo?access_token={access}&openid={openid}&lang=zh_CN"),
    )
    .await;
    assert!(ctype.starts_with("text/plain"));
    assert_eq!(info["nickname"], "Lily");
    assert_eq!(info["sex"], 0);
    assert_eq!(info["province"], "");
    assert_eq!(info["country"], "");
    assert_eq!(info["unionid"], t["unionid"]);

    let code = approve(&sandbox, "snsapi_userinfo", "wechat-emoji").await;
    let t = token(&sandbox, OA, &code).await;
    let (access, openid) = (
        t["access_token"].as_str().expect("t"),
        t["openid"].as_str().expect("o"),
    );
    let (_, info) = get(
        &sandbox,
        &format!("/sns/userinfo?access_token={access}&openid={openid}"),
    )
    .await;
    assert_eq!(info["nickname"], "小鱼🐟🌊");
    assert!(info.get("unionid").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn website_app_uses_qrconnect() {
    let sandbox = start().await;
    let code = approve_at(&sandbox, WEBSITE, "snsapi_login", "wechat-unionid").await;
    let t = token(&sandbox, WEBSITE, &code).await;
    let (access, openid) = (
        t["access_token"].as_str().expect("t"),
        t["openid"].as_str().expect("o"),
    );
    let (_, info) = get(
        &sandbox,
        &format!("/sns/userinfo?access_token={access}&openid={openid}"),
    )
    .await;
    assert_eq!(info["nickname"], "Lily");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_and_base_scope_cannot_read_the_profile() {
    let sandbox = start().await;
    let code = approve(&sandbox, "snsapi_userinfo", "wechat-snapshot").await;
    let t = token(&sandbox, OA, &code).await;
    assert_eq!(t["is_snapshotuser"], 1);
    let (access, openid) = (
        t["access_token"].as_str().expect("t"),
        t["openid"].as_str().expect("o"),
    );
    let (_, info) = get(
        &sandbox,
        &format!("/sns/userinfo?access_token={access}&openid={openid}"),
    )
    .await;
    assert_eq!(errcode(&info), 48001);

    let code = approve(&sandbox, "snsapi_base", "wechat-unionid").await;
    let t = token(&sandbox, OA, &code).await;
    assert!(
        t.get("unionid").is_none(),
        "snsapi_base never returns unionid"
    );
    let (access, openid) = (
        t["access_token"].as_str().expect("t"),
        t["openid"].as_str().expect("o"),
    );
    let (_, info) = get(
        &sandbox,
        &format!("/sns/userinfo?access_token={access}&openid={openid}"),
    )
    .await;
    assert_eq!(errcode(&info), 48001);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_errors() {
    let sandbox = start().await;
    let (appid, secret) = app(&sandbox, OA);
    let code = approve(&sandbox, "snsapi_userinfo", "wechat-unionid").await;
    assert!(token(&sandbox, OA, &code).await["access_token"].is_string());
    assert_eq!(errcode(&token(&sandbox, OA, &code).await), 40163);
    assert_eq!(errcode(&token(&sandbox, OA, "0nosuchcode").await), 40029);

    let code = approve(&sandbox, "snsapi_userinfo", "wechat-unionid").await;
    sandbox.advance_clock(301);
    assert_eq!(errcode(&token(&sandbox, OA, &code).await), 40029);

    let cases = [
        (
            format!("secret={secret}&code=x&grant_type=authorization_code"),
            41002,
        ),
        (
            format!("appid=wxnope&secret={secret}&code=x&grant_type=authorization_code"),
            40013,
        ),
        (
            format!("appid={appid}&code=x&grant_type=authorization_code"),
            41004,
        ),
        (
            format!("appid={appid}&secret=bad&code=x&grant_type=authorization_code"),
            40125,
        ),
        (
            format!("appid={appid}&secret={secret}&grant_type=authorization_code"),
            41008,
        ),
        (
            format!("appid={appid}&secret={secret}&code=x&grant_type=password"),
            40002,
        ),
    ];
    for (query, expected) in cases {
        let (ctype, v) = get(&sandbox, &format!("/sns/oauth2/access_token?{query}")).await;
        assert!(ctype.starts_with("text/plain"));
        assert_eq!(errcode(&v), expected, "{query}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_errors_refresh_and_expiry() {
    let sandbox = start().await;
    let (appid, secret) = app(&sandbox, OA);
    let code = approve(&sandbox, "snsapi_userinfo", "wechat-unionid").await;
    let t = token(&sandbox, OA, &code).await;
    let access = t["access_token"].as_str().expect("t").to_owned();
    let openid = t["openid"].as_str().expect("o").to_owned();
    let refresh = t["refresh_token"].as_str().expect("r").to_owned();

    let (_, v) = get(&sandbox, &format!("/sns/userinfo?openid={openid}")).await;
    assert_eq!(errcode(&v), 41001);
    let (_, v) = get(
        &sandbox,
        &format!("/sns/auth?access_token={access}&openid=oWrong"),
    )
    .await;
    assert_eq!(errcode(&v), 40003);
    let (_, v) = get(
        &sandbox,
        &format!("/sns/auth?access_token=86_garbage&openid={openid}"),
    )
    .await;
    assert_eq!(errcode(&v), 40001);

    sandbox.advance_clock(7201);
    let (_, v) = get(
        &sandbox,
        &format!("/sns/userinfo?access_token={access}&openid={openid}"),
    )
    .await;
    assert_eq!(errcode(&v), 42001);

    let (_, r) = get(
        &sandbox,
        &format!("/sns/oauth2/refresh_token?appid={appid}&grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await;
    let fresh = r["access_token"].as_str().expect("refreshed token");
    assert_eq!(r["refresh_token"], refresh.as_str());
    let (_, info) = get(
        &sandbox,
        &format!("/sns/userinfo?access_token={fresh}&openid={openid}"),
    )
    .await;
    assert_eq!(info["nickname"], "Lily");

    let bad = [
        (format!("appid={appid}&grant_type=refresh_token"), 41003),
        (
            format!("appid={appid}&grant_type=refresh_token&refresh_token=nope"),
            40030,
        ),
        (
            format!("grant_type=refresh_token&refresh_token={refresh}"),
            41002,
        ),
    ];
    for (query, expected) in bad {
        let (_, v) = get(&sandbox, &format!("/sns/oauth2/refresh_token?{query}")).await;
        assert_eq!(errcode(&v), expected, "{query}");
    }
    sandbox.advance_clock(30 * 24 * 3600);
    let (_, v) = get(
        &sandbox,
        &format!("/sns/oauth2/refresh_token?appid={appid}&grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await;
    assert_eq!(errcode(&v), 42002);
    let _ = secret;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_two_access_tokens_do_not_mix() {
    let sandbox = start().await;
    let (appid, secret) = app(&sandbox, OA);
    let (ctype, basic) = get(
        &sandbox,
        &format!("/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}"),
    )
    .await;
    assert!(ctype.starts_with("application/json"));
    let basic = basic["access_token"]
        .as_str()
        .expect("basic token")
        .to_owned();
    let code = approve(&sandbox, "snsapi_userinfo", "wechat-unionid").await;
    let t = token(&sandbox, OA, &code).await;
    let web = t["access_token"].as_str().expect("t");
    let openid = t["openid"].as_str().expect("o");

    let (_, v) = get(
        &sandbox,
        &format!("/sns/userinfo?access_token={basic}&openid={openid}"),
    )
    .await;
    assert_eq!(errcode(&v), 40001);
    let (_, v) = get(
        &sandbox,
        &format!("/cgi-bin/user/info?access_token={web}&openid={openid}"),
    )
    .await;
    assert_eq!(errcode(&v), 40001);
    let (_, v) = get(
        &sandbox,
        &format!("/cgi-bin/user/info?access_token={basic}&openid={openid}"),
    )
    .await;
    assert_eq!(v["subscribe"], 1);
    assert_eq!(
        v["nickname"], "",
        "blank on /cgi-bin/user/info since 2021-12-27"
    );
    // language stays on /cgi-bin/user/info (what stopped is nickname and headimgurl); the
    // catalog says the same.
    assert_eq!(v["language"], "zh_CN", "{v}");
    let field = authwalk::catalog::Catalog::builtin()
        .field(
            authwalk::catalog::Provider::Wechat,
            Some("/cgi-bin/user/info"),
            "language",
        )
        .expect("catalog entry");
    assert!(
        field
            .meaning
            .get(authwalk::lang::Lang::EN)
            .contains("still returns it"),
        "{}",
        field.meaning.get(authwalk::lang::Lang::EN)
    );

    // A new basic token retires the previous one after the five-minute overlap.
    get(
        &sandbox,
        &format!("/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}"),
    )
    .await;
    sandbox.advance_clock(301);
    let (_, v) = get(
        &sandbox,
        &format!("/cgi-bin/user/info?access_token={basic}&openid={openid}"),
    )
    .await;
    assert_eq!(errcode(&v), 42001);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorize_pages_check_parameters_like_wechat() {
    let sandbox = start().await;
    let (oa, _) = app(&sandbox, OA);
    let (web, _) = app(&sandbox, WEBSITE);
    let base = sandbox.manifest().wechat.open_base.clone();
    let redirect = enc(&format!("{}/cb", sandbox.base_url()));
    let ok = client()
        .get(authorize_url(
            &sandbox,
            &oa,
            "snsapi_userinfo",
            "/connect/oauth2/authorize",
        ))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(ok.contains("wechat-snapshot") && ok.contains("name=\"viewport\""));
    let cases = [
        (
            format!(
                "/connect/oauth2/authorize?appid={oa}&redirect_uri={redirect}&scope=snsapi_userinfo&response_type=code&state=s"
            ),
            "10005",
        ),
        (
            format!(
                "/connect/oauth2/authorize?appid={oa}&redirect_uri={redirect}&response_type=code&scope=snsapi_userinfo&state="
            ),
            "10013",
        ),
        (
            format!(
                "/connect/oauth2/authorize?appid={web}&redirect_uri={redirect}&response_type=code&scope=snsapi_userinfo&state=s"
            ),
            "10016",
        ),
        (
            format!(
                "/connect/oauth2/authorize?appid={oa}&redirect_uri={}&response_type=code&scope=snsapi_base&state=s",
                enc("https://evil.example/cb")
            ),
            "10003",
        ),
        (
            format!(
                "/connect/oauth2/authorize?redirect_uri={redirect}&response_type=code&scope=snsapi_base&state=s"
            ),
            "10012",
        ),
        (
            format!(
                "/connect/oauth2/authorize?appid={oa}&response_type=code&scope=snsapi_base&state=s"
            ),
            "10011",
        ),
        (
            format!(
                "/connect/oauth2/authorize?appid={oa}&redirect_uri={redirect}&response_type=code&state=s"
            ),
            "10010",
        ),
        (
            format!(
                "/connect/qrconnect?appid={oa}&redirect_uri={redirect}&response_type=code&scope=snsapi_login&state=s"
            ),
            "10005",
        ),
    ];
    let long_state = "s".repeat(129);
    let long = client()
        .get(format!("{base}/connect/oauth2/authorize?appid={oa}&redirect_uri={redirect}&response_type=code&scope=snsapi_base&state={long_state}"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(long.contains("128") && !long.contains("decision"));
    for (path, code) in cases {
        let resp = client()
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("page");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .expect("a")
                .starts_with("text/html")
        );
        let text = resp.text().await.expect("text");
        assert!(text.contains(&format!(">{code}<")), "{path} → {code}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wechat_faults_are_keyed_by_path() {
    let sandbox = start().await;
    let control = sandbox.manifest().control.clone();
    post_json(
        &sandbox,
        &format!("{control}/faults"),
        &json!({"provider":"wechat","path":"/sns/oauth2/access_token","fault":"service-unavailable"}),
    )
    .await;
    let code = approve(&sandbox, "snsapi_userinfo", "wechat-unionid").await;
    assert_eq!(errcode(&token(&sandbox, OA, &code).await), -1);
    assert!(
        token(&sandbox, OA, &code).await["access_token"].is_string(),
        "code survived"
    );

    post_json(
        &sandbox,
        &format!("{control}/faults"),
        &json!({"provider":"wechat","path":"/sns/oauth2/access_token","fault":"html-502"}),
    )
    .await;
    let (appid, secret) = app(&sandbox, OA);
    let resp = client()
        .get(format!(
            "{}/sns/oauth2/access_token?appid={appid}&secret={secret}&code=x&grant_type=authorization_code",
            sandbox.base_url()
        ))
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), 502);

    post_json(
        &sandbox,
        &format!("{control}/faults"),
        &json!({"provider":"wechat","path":"/sns/oauth2/access_token","fault":"truncated"}),
    )
    .await;
    let resp = client()
        .get(format!(
            "{}/sns/oauth2/access_token?appid={appid}&secret={secret}&code=x&grant_type=authorization_code",
            sandbox.base_url()
        ))
        .send()
        .await
        .expect("answers");
    let body = resp.bytes().await.expect("body");
    assert!(serde_json::from_slice::<Value>(&body).is_err());

    let refused = control_client(&sandbox)
        .post(format!("{control}/faults"))
        .json(&json!({"provider":"wechat","fault":"tampered-signature"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(refused.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_snapshot_makes_a_virtual_account() {
    let sandbox = start().await;
    let (appid, _) = app(&sandbox, OA);
    let normal = token(
        &sandbox,
        OA,
        &approve(&sandbox, "snsapi_userinfo", "wechat-unionid").await,
    )
    .await;
    let redirect = enc(&format!("{}/__sandbox/callback", sandbox.base_url()));
    let url = format!(
        "{}/connect/oauth2/authorize?appid={appid}&redirect_uri={redirect}&response_type=code&scope=snsapi_userinfo&state=STATE&forceSnapShot=true#wechat_redirect",
        sandbox.manifest().wechat.open_base
    );
    let resp = client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("user=wechat-unionid&decision=approve")
        .send()
        .await
        .expect("consent answers");
    assert_eq!(resp.status(), 302);
    let location = url::Url::parse(resp.headers()["location"].to_str().expect("a")).expect("url");
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let t = token(&sandbox, OA, &code).await;
    assert_eq!(t["is_snapshotuser"], 1);
    assert_ne!(
        t["openid"], normal["openid"],
        "a virtual account has its own openid"
    );
    // Its unionid is virtual too (WeChat's snapshot announcement): not the real user's.
    assert!(t["unionid"].is_string(), "{t}");
    assert_ne!(t["unionid"], normal["unionid"]);
    let (access, openid) = (
        t["access_token"].as_str().expect("t"),
        t["openid"].as_str().expect("o"),
    );
    let (_, info) = get(
        &sandbox,
        &format!("/sns/userinfo?access_token={access}&openid={openid}"),
    )
    .await;
    assert_eq!(errcode(&info), 48001);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_wechat_exchanges_have_exactly_one_winner_each() {
    let sandbox = std::sync::Arc::new(start().await);
    let mut codes = Vec::new();
    for _ in 0..50 {
        codes.push(approve(&sandbox, "snsapi_base", "wechat-emoji").await);
    }
    let mut tasks = Vec::new();
    for code in codes {
        for _ in 0..2 {
            let (sandbox, code) = (sandbox.clone(), code.clone());
            tasks.push(tokio::spawn(async move {
                let t = token(&sandbox, OA, &code).await;
                if t["access_token"].is_string() {
                    true
                } else {
                    assert_eq!(errcode(&t), 40163);
                    false
                }
            }));
        }
    }
    let mut winners = 0;
    for task in tasks {
        if task.await.expect("task") {
            winners += 1;
        }
    }
    assert_eq!(winners, 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorize_page_texts_follow_the_official_table() {
    let sandbox = start().await;
    let (oa, _) = app(&sandbox, OA);
    let (web, _) = app(&sandbox, WEBSITE);
    let base = sandbox.manifest().wechat.open_base.clone();
    let redirect = enc(&format!("{}/cb", sandbox.base_url()));
    let page = |query: String| {
        let url = format!("{base}/connect/oauth2/authorize?{query}");
        async move {
            client()
                .get(url)
                .send()
                .await
                .expect("page")
                .text()
                .await
                .expect("text")
        }
    };
    for (query, code, wording) in [
        (
            format!("appid={oa}&redirect_uri={redirect}&response_type=code&state=s"),
            "10010",
            "scope 不能为空",
        ),
        (
            format!("appid={oa}&response_type=code&scope=snsapi_base&state=s"),
            "10011",
            "redirect_uri 不能为空",
        ),
        (
            format!("redirect_uri={redirect}&response_type=code&scope=snsapi_base&state=s"),
            "10012",
            "appid 不能为空",
        ),
        (
            format!(
                "appid={web}&redirect_uri={redirect}&response_type=code&scope=snsapi_userinfo&state=s"
            ),
            "10016",
            "不支持微信开放平台的Appid",
        ),
    ] {
        let text = page(query).await;
        assert!(
            text.contains(&format!(">{code}<")) && text.contains(wording),
            "{code}: {text}"
        );
    }
    // An unknown appid has no code of its own: the page only says the link cannot be opened.
    let unknown = page(format!(
        "appid=wx0000000000000000&redirect_uri={redirect}&response_type=code&scope=snsapi_base&state=s"
    ))
    .await;
    assert!(
        unknown.contains("该链接无法访问") && !unknown.contains(">10016<"),
        "{unknown}"
    );
}

/// A flood of consent approvals (the browser's hop: no token needed) fills the capped code
/// store and evicts a code a walk is about to exchange: the answer keeps WeChat's 40029 but
/// says the code was evicted under load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_evicted_by_a_consent_flood_says_so() {
    let sandbox = authwalk::sandbox::Sandbox::start(authwalk::sandbox::SandboxConfig {
        max_held: 40,
        ..authwalk::sandbox::SandboxConfig::default()
    })
    .await
    .expect("starts");
    let pending = approve(&sandbox, "snsapi_userinfo", "wechat-unionid").await;
    // The flood comes a little later: the walk's code is the oldest, the first dropped.
    sandbox.advance_clock(2);
    for _ in 0..200 {
        approve(&sandbox, "snsapi_userinfo", "wechat-unionid").await;
    }
    let v = token(&sandbox, OA, &pending).await;
    assert_eq!(errcode(&v), 40029, "{v}");
    let msg = v["errmsg"].as_str().expect("errmsg");
    assert!(msg.contains(authwalk::sandbox::CODE_EVICTED_HINT), "{msg}");
    // A code never issued is still just invalid.
    let v = token(&sandbox, OA, "0".repeat(32).as_str()).await;
    assert_eq!(errcode(&v), 40029, "{v}");
    assert!(
        !v["errmsg"].as_str().expect("errmsg").contains("evicted"),
        "{v}"
    );
}
