use super::*;

const APPID: &str = "wx5a1d0c0ffee00003";

fn sealed(key: &[u8; 16], iv: &[u8; 16], plain: &str) -> (String, String, String) {
    let data = crypto::encrypt(key, iv, plain.as_bytes()).expect("encrypt");
    (to_base64(key), to_base64(iv), to_base64(&data))
}

fn profile(appid: &str, ts: i64) -> String {
    format!(
        r#"{{"openId":"oMini1","nickName":"Demo","watermark":{{"appid":"{appid}","timestamp":{ts}}}}}"#
    )
}

fn run(key: &str, iv: &str, data: &str, now: i64) -> Report {
    diagnose(&DecryptInput {
        session_key: key,
        iv,
        encrypted_data: data,
        appid: Some(APPID),
        now: Some(now),
        max_age: WATERMARK_MAX_AGE,
    })
}

#[test]
fn good_data_decrypts_and_passes() {
    let (k, iv, d) = sealed(&[5; 16], &[6; 16], &profile(APPID, 1000));
    let r = run(&k, &iv, &d, 1010);
    assert!(r.ok(), "{r:?}");
    assert_eq!(r.watermark.as_ref().map(|w| w.timestamp), Some(1000));
    assert_eq!(r.key_bytes, Some(16));
    assert_eq!(r.findings()[0].code, "wechat.decrypt.ok");
}

#[test]
fn a_key_of_another_login_is_named_stale() {
    let (_, iv, d) = sealed(&[5; 16], &[6; 16], &profile(APPID, 1000));
    let r = run(&to_base64(&[8; 16]), &iv, &d, 1010);
    assert_eq!(r.cause, Some(Cause::StaleKey));
}

#[test]
fn plus_turned_space_is_repaired_and_said() {
    // Find a sealing whose base64 holds a '+', then damage it as a form decoder would.
    let (k, iv, d) = (1u8..=255)
        .map(|b| sealed(&[b; 16], &[6; 16], &profile(APPID, 1000)))
        .find(|(_, _, d)| d.contains('+'))
        .expect("some sealing has a +");
    let r = run(&k, &iv, &d.replace('+', " "), 1010);
    assert!(r.ok(), "{r:?}");
    assert!(matches!(
        r.repairs[0],
        Repair::PlusFromSpace {
            part: Part::EncryptedData,
            ..
        }
    ));
    assert_eq!(r.findings()[0].code, "wechat.decrypt.plus-space");
}

#[test]
fn lengths_and_base64_are_named() {
    let (k, iv, d) = sealed(&[5; 16], &[6; 16], &profile(APPID, 1000));
    assert_eq!(
        run(&k, &to_base64(&[6; 12]), &d, 1010).cause,
        Some(Cause::IvLength { bytes: 12 })
    );
    assert_eq!(
        run(&to_base64(&[5; 24]), &iv, &d, 1010).cause,
        Some(Cause::KeyLength { bytes: 24 })
    );
    assert_eq!(
        run(&k, &iv, "abc*def", 1010).cause,
        Some(Cause::NotBase64 {
            part: Part::EncryptedData,
            position: 3
        })
    );
}

#[test]
fn a_cut_end_is_padding_and_a_foreign_iv_is_named() {
    let key = [5; 16];
    let plain = profile(APPID, 1000);
    let data = crypto::encrypt(&key, &[6; 16], plain.as_bytes()).expect("encrypt");
    // Cut by one block on the way: what is left ends without a padding.
    let cut = data[..data.len() - 16].to_vec();
    let r = run(
        &to_base64(&key),
        &to_base64(&[6; 16]),
        &to_base64(&cut),
        1010,
    );
    assert_eq!(r.cause, Some(Cause::Padding));
    let r = run(
        &to_base64(&key),
        &to_base64(&[7; 16]),
        &to_base64(&data),
        1010,
    );
    assert_eq!(r.cause, Some(Cause::IvMismatch));
}

#[test]
fn watermark_of_another_app_or_old_is_named() {
    let (k, iv, d) = sealed(&[5; 16], &[6; 16], &profile("wxother", 1000));
    assert_eq!(
        run(&k, &iv, &d, 1010).cause,
        Some(Cause::WatermarkAppid {
            expected: APPID.to_owned(),
            got: "wxother".to_owned()
        })
    );
    let (k, iv, d) = sealed(&[5; 16], &[6; 16], &profile(APPID, 1000));
    assert_eq!(
        run(&k, &iv, &d, 1000 + WATERMARK_MAX_AGE + 1).cause,
        Some(Cause::WatermarkTimestamp {
            age: WATERMARK_MAX_AGE + 1
        })
    );
}

#[test]
fn every_cause_has_its_text() {
    let causes = [
        Cause::NotBase64 {
            part: Part::Iv,
            position: 0,
        },
        Cause::KeyLength { bytes: 1 },
        Cause::IvLength { bytes: 1 },
        Cause::DataLength { bytes: 1 },
        Cause::StaleKey,
        Cause::Padding,
        Cause::IvMismatch,
        Cause::NotJson,
        Cause::NoWatermark,
        Cause::WatermarkAppid {
            expected: "a".into(),
            got: "b".into(),
        },
        Cause::WatermarkTimestamp { age: 1 },
    ];
    for cause in causes {
        let f = cause_finding(&cause);
        for text in [&f.title, &f.explanation, &f.fix] {
            for lang in [crate::lang::Lang::EN, crate::lang::Lang::ZH] {
                assert!(
                    !text.get(lang).starts_with("provider."),
                    "{cause:?} has no {lang:?} text"
                );
            }
        }
    }
}

/// The example of WeChat's "开放数据校验与解密" page (also in gopay's README): rawData signed
/// with sha1(rawData + session_key).
#[test]
fn the_button_signature_is_checked_with_the_session_key() {
    let raw = r#"{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0"}"#;
    let sig = "75e81ceda165f4ffa64f4068af58c64b8f54b88c";
    assert!(signature_matches(raw, sig, "HyVFkGl5F5OQWJZZaNzBBg=="));
    assert!(!signature_matches(raw, sig, "tiihtNczf5v6AKRyjwEUhQ=="));
    let (k, iv, d) = sealed(&[5; 16], &[6; 16], &profile(APPID, 1000));
    let r = run(&k, &iv, &d, 1010).with_signature(raw, sig, &k);
    assert_eq!(r.signature, Some(false));
    assert_eq!(
        r.findings()[0].code,
        "wechat.decrypt.signature-mismatch",
        "evidence first"
    );
}
