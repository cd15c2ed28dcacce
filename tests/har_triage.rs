//! `authwalk triage FILE`: a HAR of seed 002's mix-up (a basic token, then
//! `/cgi-bin/user/info`) is diagnosed as the mix-up; a HAR recorded from a good Alipay walk on
//! the sandbox verifies with the Alipay public key, and not with another key; a list of URLs
//! is linted. Nothing is sent: the captures point at hosts no test could reach.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use assert_cmd::Command;
use authwalk::flow::{FlowKind, Inputs};
use predicates::prelude::*;
use serde_json::{Value, json};

#[expect(dead_code, reason = "the shared helpers serve other test files too")]
mod common;

use common::{alipay_app, first_user, sandbox, walk};

/// A HAR entry.
fn entry(method: &str, url: &str, body: &str, status: u16, response: &str) -> Value {
    let mut request = json!({"method": method, "url": url, "headers": []});
    if !body.is_empty() {
        request["postData"] = json!({
            "mimeType": "application/x-www-form-urlencoded",
            "text": body,
        });
    }
    json!({
        "request": request,
        "response": {"status": status, "content": {"mimeType": "application/json", "text": response}},
    })
}

fn har(entries: &[Value]) -> String {
    json!({"log": {"version": "1.2", "creator": {"name": "test"}, "entries": entries}}).to_string()
}

fn triage(file: &std::path::Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_LANG", "en")
        .arg("triage")
        .arg(file)
        .args(extra)
        .assert()
}

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const BASIC: &str = "86_BASICtokenBASICtokenBASICtokenBASIC";
const WEB: &str = "86_WEBtokenWEBtokenWEBtokenWEBtokenWEB";

/// Seed 002's walk as a browser records it: the web token obtained, then a basic token and
/// the follower API (`/cgi-bin/user/info`) used for the login's profile.
fn seed_002_capture() -> String {
    let web = WEB;
    har(&[
        entry(
            "GET",
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx0123456789abcdef&redirect_uri=https%3A%2F%2Fshop.example%2Fcb&response_type=code&scope=snsapi_userinfo&state=s1#wechat_redirect",
            "",
            200,
            "",
        ),
        entry("GET", "https://cdn.example/app.js", "", 200, "x"),
        entry(
            "GET",
            "https://shop.example/cb?code=061abcdefabcdefabcdefabcdef0001&state=s1",
            "",
            200,
            "<html></html>",
        ),
        entry(
            "GET",
            &format!("https://api.weixin.qq.com/sns/oauth2/access_token?appid=wx0123456789abcdef&secret={SECRET}&code=061abcdefabcdefabcdefabcdef0001&grant_type=authorization_code"),
            "",
            200,
            &json!({"access_token": web, "expires_in": 7200, "refresh_token": "86_R", "openid": "oUSERopenidUSERopenid0001", "scope": "snsapi_userinfo"}).to_string(),
        ),
        // The mix-up of seed 002: a basic token, then the follower API for the login.
        entry(
            "GET",
            &format!("https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx0123456789abcdef&secret={SECRET}"),
            "",
            200,
            &json!({"access_token": BASIC, "expires_in": 7200}).to_string(),
        ),
        entry(
            "GET",
            &format!("https://api.weixin.qq.com/cgi-bin/user/info?access_token={BASIC}&openid=oUSERopenidUSERopenid0001&lang=zh_CN"),
            "",
            200,
            &json!({"subscribe": 0, "openid": "oUSERopenidUSERopenid0001"}).to_string(),
        ),
    ])
}

#[test]
fn seed_002_mixup_is_diagnosed_from_a_har() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("login.har");
    std::fs::write(&file, seed_002_capture()).unwrap();

    let out = triage(&file, &[])
        .code(1)
        .stdout(predicate::str::contains(
            "wechat.confusion.cgi-user-info-for-login",
        ))
        .stdout(predicate::str::contains("/cgi-bin/user/info"))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for secret in [SECRET, BASIC, WEB] {
        assert!(!text.contains(secret), "{secret} shown unmasked:\n{text}");
    }
    assert!(text.contains("1 requests of the capture"), "{text}");

    let json = triage(&file, &["--json"])
        .code(1)
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(doc["schema"], "authwalk.triage/1");
    let roles: Vec<_> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["role"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(roles, ["authorize", "callback", "api", "api", "api"]);
    assert!(!doc.to_string().contains(SECRET));
}

/// Record a good Alipay walk on the sandbox as a HAR, with the Alipay public key's path.
async fn recorded_alipay_walk() -> (String, std::path::PathBuf, std::path::PathBuf) {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let user = first_user(&m, authwalk::provider::Provider::Alipay);
    let (flow, ok) = walk(
        &h,
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        &user,
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    let mut entries = vec![
        entry(
            "GET",
            flow.ctx().authorize_url.as_deref().unwrap(),
            "",
            200,
            "",
        ),
        entry(
            "GET",
            flow.ctx().callback_url.as_deref().unwrap(),
            "",
            200,
            "<html>signed in</html>",
        ),
    ];
    for ex in flow.exchanges() {
        let response = ex.response.as_ref().unwrap();
        entries.push(entry(
            &ex.request.method.to_string(),
            &ex.request.url,
            &String::from_utf8(ex.request.body.clone()).unwrap(),
            response.status,
            &String::from_utf8(response.body.clone()).unwrap(),
        ));
    }
    let app = m
        .alipay
        .apps
        .iter()
        .find(|a| {
            a.sign_type == "RSA2"
                && a.charset == "utf-8"
                && a.id_mode == authwalk::provider::alipay::IdMode::Uid
        })
        .unwrap();
    h.shutdown().await;
    (
        har(&entries),
        app.alipay_public_key.clone(),
        app.app_public_key.clone(),
    )
}

#[tokio::test]
async fn a_good_alipay_walk_verifies_with_the_given_key() {
    let (capture, alipay_key, app_key) = recorded_alipay_walk().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alipay.har");
    std::fs::write(&file, capture).unwrap();
    let key = alipay_key.to_str().unwrap();
    let out = triage(&file, &["--alipay-public-key", key, "--json"])
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    let gateway: Vec<&Value> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["role"] == "gateway")
        .collect();
    assert_eq!(gateway.len(), 2, "{doc:#}");
    for s in &gateway {
        assert_eq!(s["signature"][0], "verified", "{s:#}");
    }
    assert_eq!(gateway[0]["endpoint"], "alipay.system.oauth.token");
    assert_eq!(gateway[1]["endpoint"], "alipay.user.info.share");
    assert!(!doc.to_string().contains("authusr"), "tokens are masked");

    // The app's own public key is not Alipay's: nothing verifies, exit 1.
    triage(&file, &["--alipay-public-key", app_key.to_str().unwrap()])
        .code(1)
        .stdout(predicate::str::contains("triage.alipay.signature"));
}

#[test]
fn a_list_of_urls_is_linted_and_not_a_capture_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("urls.txt");
    // Parameters out of order and no #wechat_redirect: the linter's findings.
    std::fs::write(
        &file,
        "# from the server log\nhttps://open.weixin.qq.com/connect/oauth2/authorize?redirect_uri=https%3A%2F%2Fshop.example%2Fcb&appid=wx0123456789abcdef&response_type=code&scope=snsapi_userinfo&state=1\n",
    )
    .unwrap();
    triage(&file, &[])
        .code(1)
        .stdout(predicate::str::contains("lint.wechat"));
    let bad = dir.path().join("notes.txt");
    std::fs::write(&bad, "hello\n").unwrap();
    triage(&bad, &[])
        .code(2)
        .stderr(predicate::str::contains("neither a HAR"));
}

/// `authwalk replay` reads a capture as the walk it recorded: seed 002's mix-up is the failed
/// user-info step with its diagnosis; a good Alipay walk is four steps done, verified.
#[tokio::test]
async fn a_capture_replays_as_the_walk_it_recorded() {
    use authwalk::flow::{ExchangeOutcome, StepKind, StepState};
    use authwalk::present::{Badge, Policy};
    use authwalk::replay::{Origin, Recording};

    let rec = Recording::read(seed_002_capture().as_bytes(), None).unwrap();
    assert_eq!(rec.origin, Origin::Capture);
    let walk = rec.walk(Policy::default());
    assert_eq!(walk.flow, FlowKind::WechatWeb);
    assert!(!walk.ok);
    let states: Vec<_> = walk.steps.iter().map(|r| (r.id, r.state)).collect();
    assert_eq!(
        states,
        [
            (StepKind::Authorize, StepState::Done),
            (StepKind::Callback, StepState::Done),
            (StepKind::Token, StepState::Done),
            (StepKind::CheckToken, StepState::Pending),
            (StepKind::UserInfo, StepState::Failed),
        ]
    );
    let info = &walk.exchanges[walk.step(StepKind::UserInfo).unwrap().exchange.unwrap()];
    assert_eq!(info.endpoint, "/cgi-bin/user/info");
    let codes: Vec<&str> = info
        .findings
        .iter()
        .chain(&walk.notes)
        .map(|f| f.code.as_str())
        .collect();
    assert!(
        codes.contains(&"wechat.confusion.cgi-user-info-for-login"),
        "{codes:?}"
    );
    let doc = serde_json::to_string(&walk).unwrap();
    for secret in [SECRET, BASIC, WEB] {
        assert!(!doc.contains(secret), "{secret} in the replay");
    }
    // `triage --json` writes a document that replays as the capture itself does.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("login.har");
    std::fs::write(&file, seed_002_capture()).unwrap();
    let triaged = triage(&file, &["--json"])
        .code(1)
        .get_output()
        .stdout
        .clone();
    let again = Recording::read(&triaged, None)
        .unwrap()
        .walk(Policy::default());
    assert_eq!(serde_json::to_string(&again).unwrap(), doc);

    let (capture, alipay_key, _) = recorded_alipay_walk().await;
    let key = authwalk::keys::PublicKey::parse_bytes(&std::fs::read(&alipay_key).unwrap()).unwrap();
    let walk = Recording::read(capture.as_bytes(), Some(&key))
        .unwrap()
        .walk(Policy::default());
    assert_eq!(walk.flow, FlowKind::AlipayWeb);
    assert!(walk.ok, "{:#?}", walk.steps);
    assert!(walk.callback.is_some());
    for ex in &walk.exchanges {
        assert_eq!(ex.outcome, ExchangeOutcome::Ok);
        assert_eq!(ex.verification.as_ref().unwrap().badge, Badge::Verified);
    }
    let fields = &walk.exchanges[1].fields;
    let user_status = fields.iter().find(|f| f.key == "user_status").unwrap();
    assert!(user_status.meaning.is_some());

    // Not on a terminal, `replay` prints the walk as `run` does, and exits as `run` would.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alipay.har");
    std::fs::write(&file, capture).unwrap();
    Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_LANG", "en")
        .args(["replay", "--alipay-public-key"])
        .arg(&alipay_key)
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("[4/4] user-info"))
        .stdout(predicate::str::contains("signature ✓ verified"))
        .stdout(predicate::str::contains("✓ succeeded"));
    let mixup = dir.path().join("login.har");
    std::fs::write(&mixup, seed_002_capture()).unwrap();
    Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_LANG", "en")
        .arg("replay")
        .arg(&mixup)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "wechat.confusion.cgi-user-info-for-login",
        ));
}

/// The callback is checked against the authorize URL that caused it: a `state` that changed
/// (a forged or foreign callback) is an error, a redirect elsewhere than `redirect_uri` a
/// warning.
#[test]
fn a_callback_with_another_state_or_place_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("login.har");
    let capture = har(&[
        entry(
            "GET",
            "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm?app_id=2021000000000001&scope=auth_user&redirect_uri=https%3A%2F%2Fshop.example%2Fcb&state=s1",
            "",
            200,
            "",
        ),
        entry(
            "GET",
            "https://www.shop.example/login/cb?app_id=2021000000000001&source=alipay_wallet&scope=auth_user&auth_code=0123abcd&state=s2",
            "",
            200,
            "<html></html>",
        ),
    ]);
    std::fs::write(&file, capture).unwrap();
    triage(&file, &[])
        .code(1)
        .stdout(predicate::str::contains("triage.state-mismatch"))
        .stdout(predicate::str::contains(
            "The callback's state 's2' is not the 's1'",
        ))
        .stdout(predicate::str::contains("triage.redirect-mismatch"))
        .stdout(predicate::str::contains(
            "https://www.shop.example/login/cb",
        ));
    // Replayed, the callback does not claim its state matches.
    Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_LANG", "en")
        .arg("replay")
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("triage.state-mismatch"))
        .stdout(predicate::str::contains("state ✓ matches").not());
    // The same walk with the state back and the right place: no such finding.
    let good = har(&[
        entry(
            "GET",
            "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm?app_id=2021000000000001&scope=auth_user&redirect_uri=https%3A%2F%2Fshop.example%2Fcb&state=s1",
            "",
            200,
            "",
        ),
        entry(
            "GET",
            "https://shop.example/cb?app_id=2021000000000001&source=alipay_wallet&scope=auth_user&auth_code=0123abcd&state=s1",
            "",
            200,
            "<html></html>",
        ),
    ]);
    std::fs::write(&file, good).unwrap();
    triage(&file, &[])
        .success()
        .stdout(predicate::str::contains("triage.state-mismatch").not())
        .stdout(predicate::str::contains("triage.redirect-mismatch").not());
}
