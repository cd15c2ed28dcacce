//! The WeChat mini program login end to end on the sandbox over real loopback HTTP: the walk,
//! the decryption doctor's scenarios, UnionID across apps bound to one Open Platform account,
//! the phone number, and the WeChat details the sandbox had wrong (refresh of a live token,
//! the snapshot user's virtual unionid, `/cgi-bin/*` errmsgs, `stable_token`).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use assert_cmd::Command;
use authwalk::flow::{App, FlowKind, Inputs, StepKind, WechatApp};
use authwalk::sandbox::Manifest;
use serde_json::{Value, json};

#[expect(dead_code, reason = "the shared helpers include the Alipay ones")]
mod common;

use common::{sandbox, state_dir, walk, wechat_app};

/// The mini program app with appid `appid` (`…03` is bound to the Open Platform, `…04` not).
fn mini(m: &Manifest, appid: &str) -> App {
    let e = m.wechat.apps.iter().find(|a| a.appid == appid).unwrap();
    App::Wechat(WechatApp {
        appid: e.appid.clone(),
        secret: e.secret.clone(),
        redirect_uri: e.redirect_uri.clone(),
        scope: "snsapi_userinfo".parse().unwrap(),
        open_base: m.wechat.open_base.clone(),
        api_base: m.wechat.api_base.clone(),
        lang: authwalk::provider::wechat::UserInfoLang::ZhCn,
        component: None,
        agentid: None,
    })
}

const BOUND: &str = "wx5a1d0c0ffee00003";
const UNBOUND: &str = "wx5a1d0c0ffee00004";

#[tokio::test]
async fn the_mini_program_walk_gives_the_decrypted_profile_and_the_phone_number() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let (flow, ok) = walk(
        &h,
        FlowKind::WechatMini,
        mini(&m, BOUND),
        "wechat-unionid",
        &Inputs::default(),
    )
    .await;
    assert!(ok, "{:#?}", flow.notes());
    let steps: Vec<_> = flow.steps().iter().map(|s| s.kind).collect();
    assert_eq!(
        steps,
        [
            StepKind::MiniAuthCode,
            StepKind::Token,
            StepKind::DecryptUserData,
            StepKind::AppToken,
            StepKind::PhoneNumber
        ]
    );
    let endpoints: Vec<_> = flow
        .exchanges()
        .iter()
        .map(|e| e.endpoint.as_str())
        .collect();
    assert_eq!(
        endpoints,
        [
            "/sns/jscode2session",
            "/cgi-bin/stable_token",
            "/wxa/business/getuserphonenumber"
        ]
    );
    let ctx = flow.ctx();
    let report = ctx.decryption.as_ref().unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.watermark.as_ref().unwrap().appid, BOUND);
    let profile = ctx.profile.as_ref().unwrap();
    assert_eq!(profile["nickName"], "Lily");
    assert_eq!(profile["openId"].as_str(), ctx.open_id.as_deref());
    assert!(profile["phoneNumber"].as_str().unwrap().starts_with("170"));
    assert_eq!(profile["countryCode"], "86");
    assert_eq!(
        ctx.union_id.as_deref(),
        Some("oU1sandboxUnion00000000000001")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn each_doctor_scenario_names_its_cause() {
    for (scenario, code, failed) in [
        (
            "mini-login-after-button",
            "wechat.decrypt.stale-key",
            Some(StepKind::DecryptUserData),
        ),
        ("mini-plus-space", "wechat.decrypt.plus-space", None),
        (
            "mini-short-iv",
            "wechat.decrypt.iv-length",
            Some(StepKind::DecryptUserData),
        ),
        (
            "mini-other-appid",
            "wechat.decrypt.watermark-appid",
            Some(StepKind::DecryptUserData),
        ),
        (
            "mini-old-watermark",
            "wechat.decrypt.watermark-timestamp",
            Some(StepKind::DecryptUserData),
        ),
        (
            "mini-cut-data",
            "wechat.decrypt.padding",
            Some(StepKind::DecryptUserData),
        ),
        (
            "mini-phone-code-reused",
            "wechat.40163",
            Some(StepKind::PhoneNumber),
        ),
        (
            "mini-phone-code-expired",
            "wechat.40029",
            Some(StepKind::PhoneNumber),
        ),
    ] {
        let h = sandbox(Some(scenario)).await;
        let m = h.manifest().clone();
        let (flow, ok) = walk(
            &h,
            FlowKind::WechatMini,
            mini(&m, BOUND),
            "wechat-unionid",
            &Inputs::default(),
        )
        .await;
        let mut found: Vec<String> = flow.notes().iter().map(|f| f.code.clone()).collect();
        found.extend(common::codes(&flow));
        assert!(found.iter().any(|c| c == code), "{scenario}: {found:?}");
        // The button's signature over rawData is evidence of the key: it fails exactly when
        // the key rotated after the button.
        let signature_failed = found
            .iter()
            .any(|c| c == "wechat.decrypt.signature-mismatch");
        assert_eq!(
            signature_failed,
            scenario == "mini-login-after-button",
            "{scenario}: {found:?}"
        );
        assert_eq!(ok, failed.is_none(), "{scenario}");
        if let Some(step) = failed {
            let state = flow.steps().iter().find(|s| s.kind == step).unwrap().state;
            assert_eq!(state, authwalk::flow::StepState::Failed, "{scenario}");
        }
        h.shutdown().await;
    }
}

#[tokio::test]
async fn unionid_is_shared_by_bound_apps_and_absent_from_an_unbound_one() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let bound: Vec<_> = m
        .wechat
        .apps
        .iter()
        .filter(|a| a.open_platform.is_some())
        .collect();
    assert_eq!(bound.len(), 3, "OA, website and a mini program share one");
    let (web, ok) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        "wechat-unionid",
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    let (qr, ok) = walk(
        &h,
        FlowKind::WechatQr,
        wechat_app(&m, "website", "snsapi_login"),
        "wechat-unionid",
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    let (mini_bound, ok) = walk(
        &h,
        FlowKind::WechatMini,
        mini(&m, BOUND),
        "wechat-unionid",
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    let union = web.ctx().union_id.clone().unwrap();
    assert_eq!(qr.ctx().union_id.as_ref(), Some(&union));
    assert_eq!(mini_bound.ctx().union_id.as_ref(), Some(&union));
    assert_ne!(web.ctx().open_id, mini_bound.ctx().open_id);
    assert_ne!(web.ctx().open_id, qr.ctx().open_id);

    let (unbound, ok) = walk(
        &h,
        FlowKind::WechatMini,
        mini(&m, UNBOUND),
        "wechat-unionid",
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    assert_eq!(unbound.ctx().union_id, None);
    let token = &unbound.exchanges()[0];
    assert!(
        token.findings.iter().any(|f| f.code == "wechat.no-unionid"),
        "the walk says why: {:?}",
        token.findings
    );
    h.shutdown().await;
}

/// A control call with the sandbox's token.
async fn control(m: &Manifest, path: &str, body: &Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/{path}", m.control))
        .header("X-Authwalk-Sandbox-Token", &m.token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn wx_login_rotates_the_session_key_so_data_taken_before_it_does_not_decrypt() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let secret = &m
        .wechat
        .apps
        .iter()
        .find(|a| a.appid == BOUND)
        .unwrap()
        .secret;
    let who = json!({"appid": BOUND, "user": "wechat-unionid"});
    let session = |code: &str| {
        format!(
            "{}/sns/jscode2session?appid={BOUND}&secret={secret}&js_code={code}&grant_type=authorization_code",
            m.wechat.api_base
        )
    };
    // Without the token, the control API refuses.
    let refused = reqwest::Client::new()
        .post(format!("{}/wechat/js-code", m.control))
        .json(&who)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);

    let (_, first) = control(&m, "wechat/js-code", &who).await;
    let (_, data) = control(&m, "wechat/user-data", &who).await;
    let (_, second) = control(&m, "wechat/js-code", &who).await;
    let old = get(&session(first["code"].as_str().unwrap())).await;
    let new = get(&session(second["code"].as_str().unwrap())).await;
    assert_ne!(old["session_key"], new["session_key"], "rotated");
    assert_eq!(old["openid"], new["openid"]);
    let decrypt = |key: &Value| {
        authwalk::provider::wechat::doctor::diagnose(
            &authwalk::provider::wechat::doctor::DecryptInput {
                session_key: key.as_str().unwrap(),
                iv: data["iv"].as_str().unwrap(),
                encrypted_data: data["encryptedData"].as_str().unwrap(),
                appid: Some(BOUND),
                now: None,
                max_age: 600,
            },
        )
    };
    assert!(decrypt(&old["session_key"]).ok());
    assert_eq!(
        decrypt(&new["session_key"]).cause,
        Some(authwalk::provider::wechat::doctor::Cause::StaleKey)
    );
    // A code works once: 40163 the second time.
    let again = get(&session(first["code"].as_str().unwrap())).await;
    assert_eq!(again["errcode"], 40163);
    h.shutdown().await;
}

#[tokio::test]
async fn phone_number_needs_the_apps_basic_token_and_a_fresh_code() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let secret = &m
        .wechat
        .apps
        .iter()
        .find(|a| a.appid == BOUND)
        .unwrap()
        .secret;
    let client = reqwest::Client::new();
    let stable = |force: bool| {
        client
            .post(format!("{}/cgi-bin/stable_token", m.wechat.api_base))
            .json(&json!({"grant_type": "client_credential", "appid": BOUND, "secret": secret, "force_refresh": force}))
            .send()
    };
    let first: Value = stable(false).await.unwrap().json().await.unwrap();
    let again: Value = stable(false).await.unwrap().json().await.unwrap();
    assert_eq!(
        first["access_token"], again["access_token"],
        "stable: the same token"
    );
    let forced: Value = stable(true).await.unwrap().json().await.unwrap();
    assert_ne!(
        first["access_token"], forced["access_token"],
        "force_refresh: a new one"
    );
    let token = forced["access_token"].as_str().unwrap();
    let phone = |token: &str, code: &str| {
        client
            .post(format!(
                "{}/wxa/business/getuserphonenumber?access_token={token}",
                m.wechat.api_base
            ))
            .json(&json!({"code": code}))
            .send()
    };
    let (_, pc) = control(&m, "wechat/phone-code", &json!({"appid": BOUND})).await;
    let code = pc["code"].as_str().unwrap();
    let wrong: Value = phone("86_not_a_basic_token", code)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(wrong["errcode"], 40001);
    let msg = wrong["errmsg"].as_str().unwrap();
    assert!(
        msg.contains("getStableAccessToken") && msg.contains(" rid: "),
        "{msg}"
    );
    assert!(
        !msg.contains(", rid:"),
        "/cgi-bin and /wxa write no comma: {msg}"
    );
    let ok: Value = phone(token, code).await.unwrap().json().await.unwrap();
    assert_eq!(ok["errcode"], 0);
    assert_eq!(ok["phone_info"]["countryCode"], "86");
    assert!(ok["phone_info"]["purePhoneNumber"].is_string());
    let twice: Value = phone(token, code).await.unwrap().json().await.unwrap();
    assert_eq!(twice["errcode"], 40163, "a phone code works once");
    let (_, pc) = control(&m, "wechat/phone-code", &json!({"appid": BOUND})).await;
    h.advance_clock(301);
    let late: Value = phone(token, pc["code"].as_str().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(late["errcode"], 40029, "after 5 minutes");
    h.shutdown().await;
}

#[tokio::test]
async fn a_refresh_of_a_live_token_keeps_it_with_a_new_expiry() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let (flow, ok) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        "wechat-unionid",
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    let token = flow.ctx().access_token.clone().unwrap().value;
    let refresh = flow.ctx().refresh_token.clone().unwrap().value;
    let appid = &m.wechat.apps[0].appid;
    let url = format!(
        "{}/sns/oauth2/refresh_token?appid={appid}&grant_type=refresh_token&refresh_token={refresh}",
        m.wechat.api_base
    );
    h.advance_clock(7000);
    let same = get(&url).await;
    assert_eq!(
        same["access_token"],
        token.as_str(),
        "unchanged while valid"
    );
    assert_eq!(same["expires_in"], 7200, "with a renewed expiry");
    // The renewed token outlives its first deadline.
    h.advance_clock(1000);
    let auth = get(&format!(
        "{}/sns/auth?access_token={token}&openid={}",
        m.wechat.api_base,
        flow.ctx().open_id.clone().unwrap()
    ))
    .await;
    assert_eq!(auth["errcode"], 0);
    h.advance_clock(7201);
    let new = get(&url).await;
    assert_ne!(
        new["access_token"],
        token.as_str(),
        "a new one once it timed out"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn a_snapshot_user_carries_a_virtual_unionid() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let (flow, ok) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        "wechat-snapshot",
        &Inputs::default(),
    )
    .await;
    assert!(!ok, "48001 on /sns/userinfo");
    let token = flow.exchanges()[0].decoded.clone().unwrap();
    assert_eq!(token["is_snapshotuser"], 1);
    let union = token["unionid"].as_str().expect("a virtual unionid");
    assert_ne!(union, "oU1sandboxUnion00000000000001");
    h.shutdown().await;
}

#[test]
fn run_wechat_mini_prints_the_decryption_and_the_phone_number() {
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_DATA_DIR", state_dir().parent().unwrap())
        .args(["run", "wechat-mini", "--lang", "en", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let walk: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(walk["flow"], "wechat-mini");
    let d = &walk["context"]["decryption"];
    assert_eq!(d["ok"], true);
    assert_eq!(d["key_bytes"], 16);
    assert_eq!(d["plaintext"]["nickName"], "Lily");
    assert!(d["key"].as_str().unwrap().ends_with('…'), "masked");
    let ids: Vec<_> = walk["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["auth-code", "token", "decrypt", "app-token", "phone-number"]
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("phoneNumber"));

    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_DATA_DIR", state_dir().parent().unwrap())
        .args([
            "run",
            "wechat-mini",
            "--lang",
            "en",
            "--scenario",
            "mini-login-after-button",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[wechat.decrypt.stale-key]"), "{text}");
    assert!(text.contains("[3/5] decrypt"), "{text}");
}

#[test]
fn the_cgi_user_info_scenario_reproduces_seed_002_and_triage_says_the_code_was_never_exchanged() {
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_DATA_DIR", state_dir().parent().unwrap())
        .args([
            "run",
            "wechat-web",
            "--lang",
            "en",
            "--scenario",
            "cgi-user-info",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("/cgi-bin/user/info?access_token="), "{text}");
    assert!(
        text.contains("&openid=&"),
        "the openid it never learnt: {text}"
    );
    assert!(text.contains("[wechat.41009]"), "{text}");
    assert!(
        text.contains("[wechat.confusion.code-never-exchanged]"),
        "{text}"
    );

    let urls = "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx5a1d0c0ffee00001&secret=S\n\
                https://api.weixin.qq.com/cgi-bin/user/info?access_token=BASIC&openid=&lang=zh_CN\n";
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .args(["triage", "-", "--lang", "en"])
        .write_stdin(urls)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("wechat.confusion.code-never-exchanged"),
        "{text}"
    );
    assert!(text.contains("The code was never exchanged"), "{text}");
}

/// The sample of WeChat's own decryption demo (the official "开放数据校验与解密" page's
/// download), decrypted by `authwalk decrypt`, and the same data damaged as a form decoder
/// damages it: repaired and said so.
#[test]
fn decrypt_reads_the_official_sample_and_repairs_a_plus_turned_space() {
    const KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
    const IV: &str = "r7BXXKkLb8qrSNn05n0qiA==";
    const DATA: &str = "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==";
    let run = |data: &str, extra: &[&str]| {
        Command::cargo_bin("authwalk")
            .unwrap()
            .env("SESSION_KEY", KEY)
            .args([
                "decrypt",
                "--lang",
                "en",
                "--session-key",
                "env:SESSION_KEY",
                "--iv",
                IV,
            ])
            .args(extra)
            .arg("-")
            .write_stdin(data.to_owned())
            .output()
            .unwrap()
    };
    let out = run(DATA, &["--appid", "wx4f4bc4dec97d474b", "--json"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["plaintext"]["openId"], "oGZUI0egBJY1zhBYw2KhdUfwVJJE");
    assert_eq!(v["watermark"]["timestamp"], 1_477_314_187);
    assert_eq!(v["key"], "tiih…");

    let out = run(&DATA.replace('+', " "), &[]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[wechat.decrypt.plus-space]"), "{text}");

    let out = run(DATA, &["--appid", "wx5a1d0c0ffee00003"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("[wechat.decrypt.watermark-appid]"));
}

#[test]
fn wechat_errcodes_cite_official_account_or_open_platform_pages_not_the_store() {
    let catalog = include_str!("../assets/catalog/wechat.toml");
    assert!(
        !catalog.contains("/doc/store/"),
        "the Store's error page lists none of them"
    );
    assert!(catalog.contains("Global_Return_Code.html"));
}

#[tokio::test]
async fn cgi_user_info_keeps_language_and_blanks_nickname_and_avatar() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let oa = &m.wechat.apps[0];
    let basic = get(&format!(
        "{}/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
        m.wechat.api_base, oa.appid, oa.secret
    ))
    .await;
    let (web, _) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        "wechat-unionid",
        &Inputs::default(),
    )
    .await;
    let info = get(&format!(
        "{}/cgi-bin/user/info?access_token={}&openid={}&lang=zh_CN",
        m.wechat.api_base,
        basic["access_token"].as_str().unwrap(),
        web.ctx().open_id.clone().unwrap()
    ))
    .await;
    assert_eq!(info["subscribe"], 1);
    assert_eq!(info["language"], "zh_CN");
    assert_eq!(info["nickname"], "");
    assert_eq!(info["headimgurl"], "");
    let bad = get(&format!(
        "{}/cgi-bin/user/info?access_token=nope&openid=x",
        m.wechat.api_base
    ))
    .await;
    let msg = bad["errmsg"].as_str().unwrap();
    assert!(
        msg.contains("getStableAccessToken") && msg.contains(" rid: ") && !msg.contains(", rid:"),
        "{msg}"
    );
    let sns = get(&format!(
        "{}/sns/userinfo?access_token=nope&openid=x",
        m.wechat.api_base
    ))
    .await;
    assert!(
        sns["errmsg"].as_str().unwrap().contains(", rid: "),
        "/sns keeps the comma"
    );
    h.shutdown().await;
}

#[test]
fn an_export_of_a_mini_program_walk_hides_the_session_key_codes_and_the_phone_number() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_DATA_DIR", state_dir().parent().unwrap())
        .current_dir(dir.path())
        .args([
            "run",
            "wechat-mini",
            "--lang",
            "en",
            "--export",
            "ticket",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let live: Value = serde_json::from_slice(&out.stdout).unwrap();
    let md = std::fs::read_to_string(dir.path().join("ticket.md")).unwrap();
    let json = std::fs::read_to_string(dir.path().join("ticket.json")).unwrap();
    let doc: Value = serde_json::from_str(&json).unwrap();
    let d = &doc["walk"]["context"]["decryption"];
    assert!(d["key"].as_str().unwrap().starts_with("secret#"), "{d}");
    assert!(
        d["plaintext"]["nickName"]
            .as_str()
            .unwrap()
            .starts_with("pii#")
    );
    let callback = &doc["walk"]["context"]["callback"];
    assert!(callback["code"].as_str().unwrap().starts_with("code#"));
    assert!(
        callback["phone_code"]
            .as_str()
            .unwrap()
            .starts_with("code#")
    );
    let phone = live["exchanges"][2]["decoded"]["phone_info"]["purePhoneNumber"]
        .as_str()
        .unwrap();
    assert!(
        !md.contains(phone) && !json.contains(phone),
        "the phone number"
    );
    assert!(md.contains("\"session_key\": \"secret#"), "{md}");
}

#[test]
fn triage_of_seed_002s_har_says_the_code_was_never_exchanged() {
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .args([
            "triage",
            "tests/fixtures/wechat/seed002_cgi_user_info.har",
            "--lang",
            "en",
            "--json",
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"wechat.confusion.code-never-exchanged"),
        "{codes:?}"
    );
}

/// A real mini program's walk: the profile names the app, and the person pastes what the mini
/// program posted to its server (`code=…&encryptedData=…&iv=…&phone_code=…`).
#[tokio::test(flavor = "multi_thread")]
async fn a_profile_walk_takes_the_pasted_bundle() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let app = m.wechat.apps.iter().find(|a| a.appid == BOUND).unwrap();
    let who = json!({"appid": BOUND, "user": "wechat-emoji"});
    let (_, code) = control(&m, "wechat/js-code", &who).await;
    let (_, data) = control(&m, "wechat/user-data", &who).await;
    let (_, phone) = control(&m, "wechat/phone-code", &who).await;
    let bundle = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", code["code"].as_str().unwrap())
        .append_pair("encryptedData", data["encryptedData"].as_str().unwrap())
        .append_pair("iv", data["iv"].as_str().unwrap())
        .append_pair("phone_code", phone["code"].as_str().unwrap())
        .finish();
    let config = tempfile::tempdir().unwrap();
    let path = config.path().join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[profiles.mini]\nprovider = \"wechat\"\nappid = \"{BOUND}\"\nsecret = \
             \"env:MINI_SECRET\"\nredirect_uri = \"https://example.com/cb\"\nscope = \
             \"snsapi_userinfo\"\nenvironment = \"{}\"\n",
            m.wechat.api_base
        ),
    )
    .unwrap();
    let secret = app.secret.clone();
    let dir = config.path().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        Command::cargo_bin("authwalk")
            .unwrap()
            .env("AUTHWALK_CONFIG_DIR", dir)
            .env("MINI_SECRET", secret)
            .args(["run", "wechat-mini", "--profile", "mini", "--json"])
            .write_stdin(bundle)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let walk: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(walk["context"]["decryption"]["ok"], true);
    assert_eq!(
        walk["context"]["decryption"]["plaintext"]["nickName"],
        "小鱼🐟🌊"
    );
    h.shutdown().await;
}
