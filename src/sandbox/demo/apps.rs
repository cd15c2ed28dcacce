//! The demo apps as registered: what makes each Alipay app and WeChat app different from the
//! others. New apps go at the end, as separate entries.

use super::{ALIPAY_APP_IDS, CERT_ALIPAY_APP, WechatKind};
use crate::provider::alipay::{AppIdentity, Charset, IdMode, SignMode, SignType};

/// The "获取会员手机号" feature of an app: `my.getPhoneNumber` answers an app without it
/// `isv.insufficient-isv-permissions`, inside the ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PhoneProduct {
    Approved,
    NotApplied,
}

/// One demo Alipay app as registered: what makes it different from the others.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AlipaySpec {
    pub app_id: &'static str,
    pub label: &'static str,
    pub sign_type: SignType,
    pub charset: Charset,
    pub identity: AppIdentity,
    /// The console's AES key (base64), when content encryption is set.
    pub encrypt_key: Option<&'static str>,
    pub phone_number: PhoneProduct,
    /// Public key or public-key certificate.
    pub mode: SignMode,
}

/// An app approved before 2019-12-24 and keyed on `user_id`: what the seeds describe.
const SEEDS_APP: AppIdentity = AppIdentity {
    id_mode: IdMode::Uid,
    union_group: None,
    approved: "2018-06-01",
};

/// The demo Alipay apps, in manifest order. New apps go at the end, as separate entries.
pub(crate) fn alipay_specs() -> [AlipaySpec; 7] {
    let key_app = |app_id, label, sign_type, charset| AlipaySpec {
        app_id,
        label,
        sign_type,
        charset,
        identity: SEEDS_APP,
        encrypt_key: None,
        phone_number: PhoneProduct::NotApplied,
        mode: SignMode::Key,
    };
    [
        AlipaySpec {
            // The seeds' app, so the default walk shows every member field; it also has an AES
            // key so the mini-program walk can ask for the phone number.
            encrypt_key: Some("aa4BtZ4tspm2wnXLb1ThQA=="),
            phone_number: PhoneProduct::Approved,
            ..key_app(
                ALIPAY_APP_IDS[0],
                "RSA2 · UTF-8",
                SignType::Rsa2,
                Charset::Utf8,
            )
        },
        key_app(
            ALIPAY_APP_IDS[1],
            "RSA (SHA1) · UTF-8, legacy",
            SignType::Rsa,
            Charset::Utf8,
        ),
        key_app(
            ALIPAY_APP_IDS[2],
            "RSA2 · GBK",
            SignType::Rsa2,
            Charset::Gbk,
        ),
        AlipaySpec {
            identity: AppIdentity {
                id_mode: IdMode::OpenId,
                union_group: None,
                approved: "2024-05-20",
            },
            ..key_app(
                ALIPAY_APP_IDS[3],
                "RSA2 · open_id only, new app (2024)",
                SignType::Rsa2,
                Charset::Utf8,
            )
        },
        AlipaySpec {
            identity: AppIdentity {
                approved: "2019-06-01",
                ..SEEDS_APP
            },
            mode: SignMode::Cert,
            ..key_app(
                CERT_ALIPAY_APP,
                "RSA2 · public-key certificate",
                SignType::Rsa2,
                Charset::Utf8,
            )
        },
        AlipaySpec {
            identity: AppIdentity {
                id_mode: IdMode::Both,
                union_group: Some("demo-group"),
                approved: "2019-08-01",
            },
            ..key_app(
                ALIPAY_APP_IDS[5],
                "RSA2 · user_id + open_id (migrating), app group",
                SignType::Rsa2,
                Charset::Utf8,
            )
        },
        AlipaySpec {
            identity: AppIdentity {
                id_mode: IdMode::OpenId,
                union_group: Some("demo-group"),
                approved: "2024-09-10",
            },
            encrypt_key: Some("3Ffv0kGcZ1m1a2WnS8XbpA=="),
            ..key_app(
                ALIPAY_APP_IDS[6],
                "RSA2 · open_id only, same app group, new app (2024)",
                SignType::Rsa2,
                Charset::Utf8,
            )
        },
    ]
}

/// The Open Platform account the demo apps are bound to (all but the last mini program).
pub(crate) const OPEN_PLATFORM: &str = "open-demo-1";

/// The demo WeChat apps: appid, label, kind, Open Platform binding.
pub(crate) const WECHAT_SPECS: [(&str, &str, WechatKind, Option<&str>); 4] = [
    (
        "wx5a1d0c0ffee00001",
        "公众号 · Official Account",
        WechatKind::OfficialAccount,
        Some(OPEN_PLATFORM),
    ),
    (
        "wx5a1d0c0ffee00002",
        "网站应用 · website (qrconnect)",
        WechatKind::Website,
        Some(OPEN_PLATFORM),
    ),
    (
        "wx5a1d0c0ffee00003",
        "小程序 · mini program",
        WechatKind::MiniProgram,
        Some(OPEN_PLATFORM),
    ),
    (
        "wx5a1d0c0ffee00004",
        "小程序（未绑定开放平台）· mini program, no Open Platform",
        WechatKind::MiniProgram,
        None,
    ),
];
