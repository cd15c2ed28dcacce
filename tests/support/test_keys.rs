//! The published test keys put where the embedded sandbox looks for its keys, so a test or a
//! benchmark starts it without generating any (a 2048-bit key costs up to a second) and every
//! machine signs with the same keys (the screens and fingerprints are the same). Shared by the
//! inspector's tests, the soak test and the benchmarks with `#[path]`.

use std::path::Path;

/// The demo Alipay app the keys are for.
pub const ALIPAY_APP: &str = "2021000000000001";

/// Copy the keys into `state_dir` (0600), replacing what is there.
pub fn install_test_keys(state_dir: &Path) {
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/alipay");
    let app = state_dir.join("keys").join(ALIPAY_APP);
    std::fs::create_dir_all(&app).expect("state folder");
    for (from, to) in [
        (
            "fake_alipay_private_key_pkcs8.pem",
            state_dir.join("keys/alipay_private_key.pem"),
        ),
        (
            "fake_alipay_public_key.pem",
            state_dir.join("keys/alipay_public_key.pem"),
        ),
        ("app_private_key_pkcs8.pem", app.join("app_private_key.pem")),
        ("app_public_key.pem", app.join("app_public_key.pem")),
    ] {
        std::fs::copy(vectors.join(from), &to).expect("copy a test key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600))
                .expect("key mode");
        }
    }
}
