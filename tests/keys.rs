//! Key loading in every spelling, every documented error, conversions, and robustness against
//! arbitrary input.

use authwalk::keys::{
    self, Armor, Encoding, HashAlg, KeyError, KeyKind, ParsedKey, PrivateKey, PublicKey,
};

const PKCS8_PEM: &str = include_str!("vectors/alipay/app_private_key_pkcs8.pem");
const PKCS1_PEM: &str = include_str!("vectors/alipay/app_private_key_pkcs1.pem");
const PKCS8_LINE: &str = include_str!("vectors/alipay/app_private_key_pkcs8_oneline.txt");
const PKCS1_LINE: &str = include_str!("vectors/alipay/app_private_key_pkcs1_oneline.txt");
const APP_PUBLIC_PEM: &str = include_str!("vectors/alipay/app_public_key.pem");
const APP_PUBLIC_LINE: &str = include_str!("vectors/alipay/app_public_key_oneline.txt");
const ALIPAY_PUBLIC_PEM: &str = include_str!("vectors/alipay/fake_alipay_public_key.pem");
const ALIPAY_CERT: &str = include_str!("vectors/alipay/certs/alipayCertPublicKey_test.crt");
const EC_PRIVATE: &str = include_str!("fixtures/keys/ec_p256_private.pem");
const EC_PUBLIC: &str = include_str!("fixtures/keys/ec_p256_public.pem");
const RSA1024: &str = include_str!("fixtures/keys/rsa1024_private_pkcs1.pem");
const ENCRYPTED: &str = include_str!("fixtures/keys/encrypted_pkcs8.pem");

fn private(text: &str) -> PrivateKey {
    PrivateKey::parse(text).expect("test key parses")
}

#[test]
fn four_private_spellings_are_one_key() {
    let reference = private(PKCS8_PEM);
    for (text, encoding, armor) in [
        (PKCS8_PEM, Encoding::Pkcs8, Armor::Pem),
        (PKCS1_PEM, Encoding::Pkcs1, Armor::Pem),
        (PKCS8_LINE, Encoding::Pkcs8, Armor::OneLine),
        (PKCS1_LINE, Encoding::Pkcs1, Armor::OneLine),
    ] {
        let key = private(text);
        assert_eq!(key.info().encoding, encoding);
        assert_eq!(key.info().armor, armor);
        assert_eq!(key.info().bits, 2048);
        assert_eq!(key.fingerprint(), reference.fingerprint());
        assert_eq!(
            key.sign(HashAlg::Sha256, b"x"),
            reference.sign(HashAlg::Sha256, b"x")
        );
    }
}

#[test]
fn pasting_noise_is_tolerated() {
    let reference = private(PKCS8_PEM);
    let crlf = PKCS8_PEM.replace('\n', "\r\n");
    let indented = PKCS8_PEM
        .lines()
        .map(|l| format!("   {l}  "))
        .collect::<Vec<_>>()
        .join("\n");
    let json_escaped = PKCS8_PEM.replace('\n', "\\n");
    let quoted = format!("\"{}\"\n", PKCS8_LINE.trim());
    let wrapped_line: String = PKCS8_LINE
        .trim()
        .as_bytes()
        .chunks(60)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    let one_line_pem = PKCS8_PEM.replace('\n', "");
    for text in [
        crlf,
        indented,
        json_escaped,
        quoted,
        wrapped_line,
        one_line_pem,
    ] {
        let key = PrivateKey::parse(&text).unwrap_or_else(|e| panic!("{e}: {text:?}"));
        assert_eq!(key.fingerprint(), reference.fingerprint());
    }
}

#[test]
fn public_key_spellings_and_certificate() {
    let app = private(PKCS8_PEM);
    let pem = PublicKey::parse(APP_PUBLIC_PEM).unwrap();
    let line = PublicKey::parse(APP_PUBLIC_LINE).unwrap();
    assert_eq!(pem.info().encoding, Encoding::Spki);
    assert_eq!(line.info().armor, Armor::OneLine);
    assert_eq!(pem.fingerprint(), app.fingerprint());
    assert_eq!(line.fingerprint(), app.fingerprint());

    let pkcs1 = app
        .public_key()
        .encode(Encoding::Pkcs1, Armor::Pem)
        .unwrap();
    assert!(pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY-----\n"));
    let parsed = PublicKey::parse(&pkcs1).unwrap();
    assert_eq!(parsed.info().encoding, Encoding::Pkcs1);
    assert_eq!(parsed.fingerprint(), app.fingerprint());

    let cert = PublicKey::parse(ALIPAY_CERT).unwrap();
    assert_eq!(cert.info().encoding, Encoding::Certificate);
    assert_eq!(
        cert.fingerprint(),
        PublicKey::parse(ALIPAY_PUBLIC_PEM).unwrap().fingerprint()
    );
}

#[test]
fn conversions_round_trip() {
    let key = private(PKCS1_PEM);
    for encoding in [Encoding::Pkcs1, Encoding::Pkcs8] {
        for armor in [Armor::Pem, Armor::OneLine] {
            let text = key.encode(encoding, armor).unwrap();
            let back = private(&text);
            assert_eq!((back.info().encoding, back.info().armor), (encoding, armor));
            assert_eq!(back.fingerprint(), key.fingerprint());
        }
    }
    // The conversions reproduce the vector files byte for byte (modulo the final newline).
    assert_eq!(
        key.encode(Encoding::Pkcs8, Armor::OneLine).unwrap(),
        PKCS8_LINE.trim()
    );
    assert_eq!(
        key.encode(Encoding::Pkcs1, Armor::OneLine).unwrap(),
        PKCS1_LINE.trim()
    );
    assert_eq!(
        key.encode(Encoding::Pkcs8, Armor::Pem).unwrap().trim(),
        PKCS8_PEM.trim()
    );
    assert_eq!(
        key.public_key()
            .encode(Encoding::Spki, Armor::OneLine)
            .unwrap(),
        APP_PUBLIC_LINE.trim()
    );
    assert!(matches!(
        key.encode(Encoding::Spki, Armor::Pem),
        Err(keys::EncodeError::Unsupported { .. })
    ));
}

#[test]
fn mislabelled_pem_is_noted() {
    // The Python SDK wraps any one-line key in an RSA PRIVATE KEY label, PKCS#8 body or not.
    let text = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        PKCS8_LINE.trim()
    );
    let key = private(&text);
    assert_eq!(key.info().encoding, Encoding::Pkcs8);
    assert!(
        key.info()
            .notes
            .iter()
            .any(|n| n.contains("label says 'RSA PRIVATE KEY'")),
        "{:?}",
        key.info().notes
    );
}

#[test]
fn generated_keys_are_2048_bit_pairs() {
    let key = PrivateKey::generate(2048).unwrap();
    assert_eq!(key.info().bits, 2048);
    let public = key.public_key();
    let sig = key.sign(HashAlg::Sha256, b"hello");
    assert!(public.verify(HashAlg::Sha256, b"hello", &sig));
    assert!(!public.verify(HashAlg::Sha256, b"hellO", &sig));
    assert!(!public.verify(HashAlg::Sha1, b"hello", &sig));
}

fn err(text: &str) -> KeyError {
    keys::parse(text).expect_err("must not parse")
}

#[test]
fn error_empty() {
    assert_eq!(err(""), KeyError::Empty);
    assert_eq!(err(" \r\n\t"), KeyError::Empty);
    assert_eq!(err("\"\""), KeyError::Empty);
}

#[test]
fn error_not_base64_names_the_character() {
    let mut line: Vec<char> = PKCS8_LINE.trim().chars().collect();
    line[56] = '…';
    let text: String = line.into_iter().collect();
    let e = err(&text);
    assert_eq!(
        e,
        KeyError::NotBase64 {
            position: 57,
            line: 1,
            column: 57,
            found: '…'
        }
    );
    assert_eq!(
        e.to_string(),
        "this is not base64 (character 57 is '…'); paste the key exactly as the key tool or \
         console shows it"
    );
    // In a PEM the line and column are given too.
    let pem = PKCS8_PEM.replacen("MII", "MI*", 1);
    let e = err(&pem);
    assert!(
        matches!(
            e,
            KeyError::NotBase64 {
                line: 2,
                column: 3,
                found: '*',
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("line 2 column 3"));
}

#[test]
fn error_bad_base64_length() {
    assert!(matches!(err("MIIEv"), KeyError::BadBase64 { .. }));
}

#[test]
fn error_truncated_key() {
    let cut = &PKCS8_LINE.trim()[..800];
    let e = err(cut);
    assert!(matches!(e, KeyError::NotAKey { .. }), "{e:?}");
    assert!(e.to_string().contains("cut off when copied"), "{e}");
}

#[test]
fn error_not_a_key_at_all() {
    let e = err("SGVsbG8sIHdvcmxkIQ==");
    assert!(e.to_string().contains("does not start like a key"), "{e}");
}

#[test]
fn error_public_where_private_expected() {
    let e = PrivateKey::parse(APP_PUBLIC_PEM).unwrap_err();
    assert_eq!(e, KeyError::ExpectedPrivate);
    assert!(
        e.to_string()
            .starts_with("this is a public key, a private key is expected here")
    );
    assert_eq!(
        PublicKey::parse(PKCS1_PEM).unwrap_err(),
        KeyError::ExpectedPublic
    );
}

#[test]
fn error_1024_bit_key_for_rsa2() {
    let key = private(RSA1024);
    assert_eq!(key.info().bits, 1024);
    let e = key.check_size_for(HashAlg::Sha256).unwrap_err();
    assert_eq!(
        e.to_string().split(';').next().unwrap(),
        "1024-bit key: Alipay requires 2048 for RSA2"
    );
    assert!(key.check_size_for(HashAlg::Sha1).is_ok());
}

#[test]
fn error_app_key_used_as_alipay_key() {
    let app = private(PKCS8_PEM);
    let wrong = PublicKey::parse(APP_PUBLIC_LINE).unwrap();
    let e = keys::check_alipay_public_key(&wrong, &app).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("this public key is the app's own, not Alipay's")
    );
    let right = PublicKey::parse(ALIPAY_PUBLIC_PEM).unwrap();
    assert!(keys::check_alipay_public_key(&right, &app).is_ok());
}

#[test]
fn error_other_algorithms_and_armour() {
    assert!(
        err(EC_PRIVATE)
            .to_string()
            .starts_with("this is an EC (ECDSA) private key, not an RSA key")
    );
    assert!(err(EC_PUBLIC).to_string().contains("EC (ECDSA) public key"));
    assert_eq!(err(ENCRYPTED), KeyError::Encrypted);
    assert!(matches!(
        err("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----"),
        KeyError::NotRsa { .. }
    ));
    let cut = &PKCS8_PEM[..PKCS8_PEM.len() - 30];
    assert_eq!(
        err(cut),
        KeyError::UnterminatedPem {
            label: "PRIVATE KEY".into()
        }
    );
}

#[test]
fn no_input_panics() {
    // Every prefix of every spelling, and a stream of pseudo-random garbage.
    for text in [
        PKCS8_PEM,
        PKCS1_PEM,
        PKCS8_LINE,
        APP_PUBLIC_PEM,
        ALIPAY_CERT,
    ] {
        for end in (0..text.len()).filter(|i| text.is_char_boundary(*i)) {
            let _ = keys::parse(&text[..end]);
        }
    }
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let alphabet: Vec<char> =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=- \n\\\"'中😀"
            .chars()
            .collect();
    for _ in 0..2000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = usize::try_from(state % 300).unwrap();
        let text: String = (0..len)
            .map(|i| {
                alphabet[usize::try_from((state >> (i % 50)) % alphabet.len() as u64).unwrap()]
            })
            .collect();
        let _ = keys::parse(&text);
        let _ = keys::parse(&format!(
            "-----BEGIN PUBLIC KEY-----\n{text}\n-----END PUBLIC KEY-----"
        ));
        let _ = keys::parse(&format!("MIIB{text}"));
    }
    // DER-shaped garbage: a SEQUENCE header with arbitrary content.
    for n in 0..=255u8 {
        let der = [0x30, 0x82, 0x01, n, 0x02, 0x01, 0x00, n, n];
        let _ = keys::parse(&keys::base64_encode(&der));
    }
    let parsed = keys::parse(PKCS8_PEM).unwrap();
    assert!(matches!(parsed, ParsedKey::Private(_)));
    assert_eq!(parsed.info().kind, KeyKind::Private);
}

#[test]
fn error_keys_too_small_or_too_large() {
    let e = err(include_str!("fixtures/keys/rsa512_private_pkcs1.pem"));
    assert_eq!(e, KeyError::TooSmall { bits: 512 });
    assert!(
        e.to_string()
            .starts_with("512-bit key: far too small to sign with")
    );
    let e = err(include_str!("fixtures/keys/rsa6144_public.pem"));
    assert_eq!(e, KeyError::TooLarge);
}

#[test]
fn binary_der_files_are_read() {
    let der = keys::base64_decode_signature(PKCS8_LINE).unwrap();
    let key = PrivateKey::parse_bytes(&der).unwrap();
    assert_eq!(key.info().armor, Armor::Der);
    assert_eq!(key.fingerprint(), private(PKCS8_PEM).fingerprint());
    // A UTF-16 file (Notepad's "Unicode") is named as such, with the fix.
    let e = keys::parse_bytes(&[0xff, 0xfe, 0x00]).unwrap_err();
    assert!(matches!(e, KeyError::NotText { .. }), "{e:?}");
    assert!(e.to_string().contains("UTF-16"), "{e}");
    let e = keys::parse_bytes(&[0x80, 0x81, 0x82]).unwrap_err();
    assert!(e.to_string().contains("neither text nor a DER key"), "{e}");
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_key() {
    let e = err("\u{feff}");
    assert_eq!(e, KeyError::Empty);
    let with_bom = format!("\u{feff}{PKCS8_PEM}");
    let parsed = keys::parse(&with_bom).unwrap();
    assert!(parsed.info().notes.is_empty(), "{:?}", parsed.info().notes);
}

#[test]
fn an_ssh_public_key_line_is_named() {
    let e = err("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 user@host");
    assert!(matches!(e, KeyError::SshPublicKey { .. }), "{e:?}");
    assert!(e.to_string().contains("ssh-keygen -e -m PKCS8"), "{e}");
}

/// Found by fuzzing (keys_parse): base64 made only of whitespace sliced a string backwards
/// and panicked; it is empty, like any other blank input.
#[test]
fn whitespace_only_base64_is_empty_not_a_panic() {
    for blank in ["\n\n   \r\n\t\n", " ", "\t", "\r\n"] {
        assert_eq!(keys::base64_decode_signature(blank), Err(KeyError::Empty));
        assert_eq!(keys::pem_blocks(blank).map(|b| b.len()), Ok(0));
    }
}
