//! The state folder: created owner-only, and shared safely by sandboxes started at the same
//! moment on a fresh machine (one set of keys, every walk verifies).

use std::time::Duration;

use authwalk::flow::{AlipayApp, App, Flow, FlowKind, Inputs};
use authwalk::keys::{PrivateKey, PublicKey};
use authwalk::sandbox::{DEFAULT_ALIPAY_APP, Sandbox, SandboxConfig, SandboxHandle};
use authwalk::transport::{SandboxApprover, Transport};
use authwalk::walker::run_flow;

/// A whole `alipay-web` walk on `handle`, as `authwalk run` does it.
async fn alipay_walk(handle: &SandboxHandle) -> Flow {
    let m = handle.manifest();
    let e = m
        .alipay
        .apps
        .iter()
        .find(|a| a.app_id == DEFAULT_ALIPAY_APP)
        .expect("the default app");
    let read = |p: &std::path::Path| std::fs::read_to_string(p).expect("key file readable");
    let app = App::Alipay(AlipayApp {
        app_id: e.app_id.clone(),
        sign_type: e.sign_type.parse().expect("sign type"),
        charset: e.charset.parse().expect("charset"),
        private_key: PrivateKey::parse(&read(&e.app_private_key)).expect("private key"),
        alipay_public_key: PublicKey::parse(&read(&e.alipay_public_key)).expect("public key"),
        redirect_uri: e.redirect_uri.clone(),
        scope: authwalk::provider::Scope::AuthUser,
        gateway_url: m.alipay.gateway.clone(),
        authorize_url: m.alipay.authorize.clone(),
        signing: authwalk::flow::AppSigning::Key,
        api: authwalk::provider::alipay::ApiVersion::V2,
        encrypt_key: None,
        id_mode: None,
        mini_client: None,
        isv: None,
    });
    let flow = Flow::new(
        FlowKind::AlipayWeb,
        app,
        &Inputs::default(),
        "concurrentstate".into(),
        handle.now(),
    )
    .expect("a valid walk");
    let transport = Transport::new(Duration::from_secs(10)).expect("transport");
    let mut approver = SandboxApprover {
        transport: transport.clone(),
        user: "alipay-certified".to_owned(),
        control: m.control.clone(),
        token: m.token.clone(),
    };
    run_flow(flow, &transport, &mut approver, || handle.now())
        .await
        .0
}

#[test]
fn three_first_starts_at_once_share_one_set_of_keys() {
    let root = tempfile::tempdir().expect("tempdir");
    // A folder that does not exist yet, as on a fresh machine.
    let dir = root.path().join("data/sandbox");
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(3));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let dir = dir.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    barrier.wait();
                    let handle = Sandbox::start(SandboxConfig {
                        state_dir: Some(dir),
                        alipay_apps: Some(vec![DEFAULT_ALIPAY_APP.to_owned()]),
                        ..SandboxConfig::default()
                    })
                    .await
                    .expect("the sandbox starts");
                    let flow = alipay_walk(&handle).await;
                    let keys = handle.manifest().alipay.apps[0].clone();
                    let secrets: Vec<String> = handle
                        .manifest()
                        .wechat
                        .apps
                        .iter()
                        .map(|a| a.secret.clone())
                        .collect();
                    let ok = flow.succeeded();
                    handle.shutdown().await;
                    (ok, keys, secrets)
                })
            })
        })
        .collect();
    let results: Vec<_> = threads
        .into_iter()
        .map(|t| t.join().expect("the thread ends"))
        .collect();
    for (ok, _, _) in &results {
        assert!(ok, "every walk succeeds, none sees a half-made key");
    }
    let pem = |p: &std::path::Path| std::fs::read(p).expect("key file");
    let first = &results[0];
    for other in &results[1..] {
        assert_eq!(other.1.app_private_key, first.1.app_private_key);
        assert_eq!(pem(&other.1.app_private_key), pem(&first.1.app_private_key));
        assert_eq!(other.2, first.2, "one set of WeChat appsecrets");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("keys"))
        .expect("keys folder")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary files left: {leftovers:?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for folder in [root.path().join("data"), dir.clone(), dir.join("keys")] {
            let mode = std::fs::metadata(&folder)
                .expect("folder")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700, "{} is owner-only", folder.display());
        }
    }
}

async fn start_in(dir: &std::path::Path, exclusive: bool) -> anyhow::Result<SandboxHandle> {
    Sandbox::start(SandboxConfig {
        state_dir: Some(dir.to_path_buf()),
        alipay_apps: Some(vec![DEFAULT_ALIPAY_APP.to_owned()]),
        exclusive,
        ..SandboxConfig::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_sandbox_is_not_clobbered_and_a_stale_one_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = dir.path().join("sandbox.json");

    // A walk's embedded sandbox leaves its manifest behind when it stops: stale.
    let walk = start_in(dir.path(), false).await.expect("starts");
    let walk_base = walk.base_url().to_owned();
    walk.shutdown().await;
    let stale = authwalk::sandbox::running(manifest.to_str().expect("utf-8"))
        .expect_err("a stale manifest is refused");
    assert!(
        format!("{stale:#}").contains("no longer running")
            && format!("{stale:#}").contains(&walk_base),
        "{stale:#}"
    );

    // The standalone one replaces it and says so.
    let first = start_in(dir.path(), true).await.expect("starts");
    let notice = first.notice().expect("a notice about the stale manifest");
    assert!(
        notice.contains("replacing a stale sandbox.json"),
        "{notice}"
    );
    assert!(notice.contains(&walk_base), "{notice}");

    // A second standalone one refuses, naming the first one's address and the way out.
    let second = start_in(dir.path(), true)
        .await
        .expect_err("a second sandbox on the same folder is refused");
    let message = format!("{second:#}");
    assert!(message.contains(first.base_url()), "{message}");
    assert!(message.contains("--state-dir"), "{message}");

    // A walk's sandbox on the same folder leaves the live manifest alone.
    let walk = start_in(dir.path(), false).await.expect("starts");
    walk.shutdown().await;
    let on_disk = authwalk::sandbox::read_manifest(&manifest).expect("manifest");
    assert_eq!(&on_disk, first.manifest());

    // Attaching finds the live one by its file or its folder.
    for spec in [&manifest, dir.path()] {
        let m = authwalk::sandbox::running(spec.to_str().expect("utf-8")).expect("live");
        assert_eq!(&m, first.manifest());
    }

    // A clean shutdown removes the manifest; the folder is free again.
    first.shutdown().await;
    assert!(!manifest.exists(), "sandbox.json removed on shutdown");
    let missing =
        authwalk::sandbox::running(dir.path().to_str().expect("utf-8")).expect_err("nothing runs");
    assert!(
        format!("{missing:#}").contains("does not exist"),
        "{missing:#}"
    );
    let again = start_in(dir.path(), true)
        .await
        .expect("the folder is free");
    assert!(again.notice().is_none());
    again.shutdown().await;
}
