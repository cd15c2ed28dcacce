//! RSA-2048 SHA-256 PKCS#1 v1.5 signatures per second on one thread: authwalk's own signing
//! and verification (`keys::PrivateKey::sign`, `keys::PublicKey::verify`, what the client and
//! the sandbox use) against the `rsa` crate called directly (`pkcs1v15::SigningKey<Sha256>`,
//! without and with blinding, and `VerifyingKey`). The message is a real canonical string (an
//! `alipay.system.oauth.token` request's, from the test vectors), the key the published test
//! key. Compare with `openssl speed rsa2048` (it signs a 36-byte digest, no hashing).
//!
//! Run with `cargo bench --bench rsa_speed`. `RSA_SECONDS` sets each window (default 1); each
//! figure is the median of 5 windows, the operations taking turns. Lines starting with
//! `FIGURE` are for scripts.

use std::path::Path;
use std::time::{Duration, Instant};

use authwalk::keys::{HashAlg, PrivateKey};
use rsa::pkcs1v15::{SigningKey, VerifyingKey};
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _, Signer as _, Verifier as _};
use sha2::Sha256;

const WINDOWS: usize = 5;

/// Operations per second of `op`, run back to back for `window`.
fn rate(window: Duration, op: &mut dyn FnMut()) -> f64 {
    let started = Instant::now();
    let mut n = 0u32;
    while started.elapsed() < window {
        op();
        n += 1;
    }
    f64::from(n) / started.elapsed().as_secs_f64()
}

/// One window of each operation in turn, [`WINDOWS`] times (so a slower or busier moment of
/// the machine falls on all of them alike); each one's median, min and max.
fn measure(window: Duration, ops: &mut [(&str, &str, &mut dyn FnMut())]) {
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); ops.len()];
    for _ in 0..WINDOWS {
        for (i, (_, _, op)) in ops.iter_mut().enumerate() {
            rates[i].push(rate(window, *op));
        }
    }
    for ((name, label, _), rates) in ops.iter().zip(&mut rates) {
        rates.sort_by(f64::total_cmp);
        let (median, min, max) = (rates[WINDOWS / 2], rates[0], rates[WINDOWS - 1]);
        println!("{label:<58} {median:>9.1} /s (min {min:.1}, max {max:.1})");
        println!("FIGURE rsa.{name} {median:.1} ops/s");
        println!("FIGURE rsa.{name}.min {min:.1} ops/s");
        println!("FIGURE rsa.{name}.max {max:.1} ops/s");
    }
}

fn main() {
    let seconds: u64 = std::env::var("RSA_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let window = Duration::from_secs(seconds);
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/alipay");
    let pem = std::fs::read_to_string(vectors.join("app_private_key_pkcs8.pem")).expect("test key");
    let message = std::fs::read(vectors.join("v1_req_oauth_token_code_rsa2.canonical.txt"))
        .expect("a canonical string");

    let ours = PrivateKey::parse(&pem).expect("authwalk parses the key");
    assert_eq!(ours.info().bits, 2048);
    let our_public = ours.public_key();
    let our_signature = ours.sign(HashAlg::Sha256, &message);

    let raw = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).expect("rsa parses the key");
    let signing = SigningKey::<Sha256>::new(raw.clone());
    let verifying = VerifyingKey::<Sha256>::new(raw.to_public_key());
    let raw_signature = signing.sign(&message);
    assert_eq!(
        raw_signature.to_bytes().as_ref(),
        our_signature.as_slice(),
        "PKCS#1 v1.5 is deterministic: both sign alike"
    );

    println!(
        "RSA-2048, SHA-256, PKCS#1 v1.5, one thread, {}-byte message, median of {WINDOWS} × {seconds} s",
        message.len()
    );
    println!("FIGURE rsa.message {} bytes", message.len());
    let mut rng = rsa::rand_core::OsRng;
    measure(
        window,
        &mut [
            (
                "authwalk.sign",
                "authwalk keys::PrivateKey::sign",
                &mut || {
                    std::hint::black_box(ours.sign(HashAlg::Sha256, &message));
                },
            ),
            (
                "crate.sign",
                "rsa crate pkcs1v15::SigningKey<Sha256>::sign",
                &mut || {
                    std::hint::black_box(signing.sign(&message));
                },
            ),
            (
                "crate.sign_blinded",
                "rsa crate SigningKey::sign_with_rng (blinded)",
                &mut || {
                    std::hint::black_box(signing.sign_with_rng(&mut rng, &message));
                },
            ),
            (
                "authwalk.verify",
                "authwalk keys::PublicKey::verify",
                &mut || {
                    assert!(our_public.verify(HashAlg::Sha256, &message, &our_signature));
                },
            ),
            (
                "crate.verify",
                "rsa crate pkcs1v15::VerifyingKey<Sha256>::verify",
                &mut || {
                    assert!(verifying.verify(&message, &raw_signature).is_ok());
                },
            ),
        ],
    );
}
