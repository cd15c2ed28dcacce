//! Phone mode (`--lan`): the embedded sandbox listens on every interface, and the QR code
//! carries the LAN address, so a phone on the same network reaches the consent page. Nothing
//! here sends traffic off loopback: the LAN address is a documentation address (192.0.2.10,
//! TEST-NET-1) that is only ever written into URLs and read back from the QR code; the demo
//! user's consent is posted to 127.0.0.1 with the phone's Host header, as a phone would send it.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use authwalk::finding::Lang;
use authwalk::flow::FlowKind;
use authwalk::target::{Choice, Where};
use authwalk::transport::Transport;
use authwalk::tui::keymap::KeyMap;
use authwalk::tui::runtime::Command;
use authwalk::tui::testing::Runner;
use authwalk::tui::theme::ThemeSet;
use authwalk::tui::walk::{Options, Start, WalkApp};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;

const LAN: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));

/// Read the QR code back from the half-block cells, as a phone camera would.
fn decode(buffer: &Buffer) -> Vec<String> {
    let (w, h) = (
        usize::from(buffer.area.width),
        usize::from(buffer.area.height),
    );
    let dark = |x: usize, y: usize| -> bool {
        let cell = &buffer[(u16::try_from(x).unwrap(), u16::try_from(y / 2).unwrap())];
        match cell.symbol() {
            "█" => true,
            "▀" => y.is_multiple_of(2),
            "▄" => y % 2 == 1,
            _ => false,
        }
    };
    let scale = 4;
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(w * scale, h * 2 * scale, |x, y| {
            if dark(x / scale, y / scale) { 0 } else { 255 }
        });
    image
        .detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

/// The inspector in phone mode on alipay-web, its sandbox's state in `folder`, booted to its
/// first screen.
async fn phone_mode(folder: &str) -> Runner<WalkApp> {
    let opts = Options {
        start: Start {
            place: Where::Embedded {
                state_dir: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(folder)),
                scenario: None,
            },
            choice: Choice::default(),
        },
        flow: Some(FlowKind::AlipayWeb),
        lang: Lang::EN,
        present: false,
        lan: Some(LAN),
        state: None,
        export_dir: None,
    };
    let transport = Transport::new(std::time::Duration::from_secs(10)).unwrap();
    let app = WalkApp::new(opts, KeyMap::default(), ThemeSet::monochrome(), transport);
    let Command::Spawn(boot) = app.boot() else {
        panic!("boot is a task")
    };
    let mut r = Runner::new(app, 160, 48).unwrap();
    r.send(boot.await);
    r.wait_for_text("Not sent yet").await.unwrap();
    r
}

#[tokio::test]
async fn the_qr_code_carries_the_lan_address_and_the_walk_stays_on_loopback() {
    let mut r = phone_mode("tui-lan").await;

    // Bound on every interface, reached by authwalk on loopback.
    let place = r.app().place().unwrap();
    let sandbox = place.sandbox().unwrap();
    assert!(sandbox.addr().ip().is_unspecified(), "{}", sandbox.addr());
    assert!(sandbox.base_url().starts_with("http://127.0.0.1:"));
    // The header warns that the sandbox is reachable from the LAN.
    let base = format!("http://192.0.2.10:{}", sandbox.addr().port());
    assert!(
        r.screen()
            .contains(&format!("sandbox reachable from the LAN at {base}"))
    );

    // The QR code decodes to the authorize URL on the LAN address, redirect_uri included.
    let urls = decode(r.buffer());
    assert_eq!(urls.len(), 1, "{}", r.screen());
    let url = url::Url::parse(&urls[0]).unwrap();
    assert_eq!(url.host_str(), Some("192.0.2.10"), "{url}");
    let redirect = url
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    assert!(redirect.starts_with(&base), "{redirect}");
    // On a LAN address the sandbox's plain http and host are what a sandbox is: information,
    // said to be expected, not warnings.
    let walk = r.app().screen_walk().unwrap();
    let lint: Vec<_> = walk
        .context
        .authorize_lint
        .iter()
        .map(|f| (f.code.as_str(), f.severity))
        .collect();
    for code in [
        "lint.alipay.http",
        "lint.alipay.host",
        "lint.alipay.redirect-http",
    ] {
        assert!(
            lint.contains(&(code, authwalk::finding::Severity::Info)),
            "{code}: {lint:?}"
        );
    }
    assert!(
        r.screen()
            .contains("The authorize URL uses http (expected on the sandbox)"),
        "{}",
        r.screen()
    );
    // Full screen, the QR code says to scan it with a phone: it carries the LAN address.
    r.key(KeyCode::Char('f'));
    r.wait_for_text("Scan with a phone").await.unwrap();
    r.key(KeyCode::Esc);
    r.settle();

    // Approving as a demo user goes to loopback, with the phone's Host; the callback arrives.
    r.key(KeyCode::Char('n'));
    r.wait_for_text("Approve as demo user").await.unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("Code received").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("✓ 3").await.unwrap();
}

/// What a phone does with the QR code: GET the authorize URL, POST the consent as a demo user,
/// follow the 302 to the callback. Every request goes to 127.0.0.1 with the phone's Host (the
/// LAN address), as `curl --resolve` would send it. Returns the callback URL it landed on.
async fn phone_approves(authorize_url: &str, port: u16) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let on_loopback = |url: &str| {
        let mut u = url::Url::parse(url).unwrap();
        let host = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
        u.set_host(Some("127.0.0.1")).unwrap();
        u.set_port(Some(port)).unwrap();
        (u.to_string(), host)
    };
    let (url, host) = on_loopback(authorize_url);
    let page = client.get(&url).header("Host", &host).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("decision"), "{page}");
    let approved = client
        .post(&url)
        .header("Host", &host)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("user=alipay-certified&decision=approve")
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 302);
    let location = approved.headers()["location"].to_str().unwrap().to_owned();
    let (url, host) = on_loopback(&location);
    let landed = client.get(&url).header("Host", &host).send().await.unwrap();
    assert_eq!(landed.status(), 200);
    let page = landed.text().await.unwrap();
    assert!(page.contains("Callback received"), "{page}");
    location
}

#[tokio::test]
async fn a_phone_that_approves_on_the_consent_page_brings_the_code_to_the_inspector() {
    let mut r = phone_mode("tui-lan-phone").await;
    let port = r.app().place().unwrap().sandbox().unwrap().addr().port();
    // The URL as the screen shows it: the QR code's.
    let urls = decode(r.buffer());
    assert_eq!(urls.len(), 1, "{}", r.screen());

    r.key(KeyCode::Char('n'));
    r.wait_for_text("Approve as demo user").await.unwrap();
    let landed = phone_approves(&urls[0], port).await;
    assert!(landed.starts_with("http://192.0.2.10:"), "{landed}");

    // Nobody pressed Enter: the phone's redirect reached the inspector.
    r.wait_for_text("Code received").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("✓ 3").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("✓ 4").await.unwrap();
    let walk = r.app().screen_walk().unwrap();
    assert!(walk.ok, "{}", r.screen());
}
