//! The demo cast: registered apps (one per interesting configuration) and demo users (one per
//! interesting account state), plus the key files that make the apps usable from any SDK.
//!
//! Keys are generated on first use and kept in the state directory, so a developer's SDK
//! configuration keeps working across restarts. Private keys and the file holding the WeChat
//! appsecrets are created with mode 0600.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Context as _;
use serde_json::{Map, Value, json};

use crate::keys::{Armor, Encoding, PrivateKey, PublicKey};
use crate::provider::alipay::aes::EncryptKey;
use crate::provider::alipay::{AppIdentity, Charset, SignMode, SignType};

mod apps;
mod delegated;

pub(crate) use apps::{AlipaySpec, PhoneProduct, WECHAT_SPECS, alipay_specs};
pub(crate) use delegated::{Component, Corp, component_cast, corp_cast};

/// The demo Alipay app a walk uses unless told otherwise: RSA2, UTF-8, user ids.
pub const DEFAULT_ALIPAY_APP: &str = "2021000000000001";

/// The demo Alipay apps, in manifest order.
pub const ALIPAY_APP_IDS: [&str; 7] = [
    "2021000000000001",
    "2021000000000002",
    "2021000000000003",
    "2021000000000004",
    CERT_ALIPAY_APP,
    "2021000000000006",
    "2021000000000007",
];

/// The demo Alipay app in public-key-certificate mode (公钥证书).
pub const CERT_ALIPAY_APP: &str = "2021000000000005";

/// Size of every generated key: what Alipay's key tool makes and RSA2 requires.
const KEY_BITS: usize = 2048;

/// A registered Alipay app.
#[derive(Debug, Clone)]
pub(crate) struct AlipayApp {
    pub app_id: String,
    pub label: &'static str,
    pub sign_type: SignType,
    pub charset: Charset,
    /// Which user ids its responses carry, its app group and when it was approved.
    pub identity: AppIdentity,
    /// The AES key of content encryption (`encrypt_type=AES`, `my.getPhoneNumber`), if set.
    pub encrypt_key: Option<EncryptKey>,
    /// Whether the app may read the phone number (获取会员手机号).
    pub phone_number: PhoneProduct,
    /// Public key or public-key certificate.
    pub mode: SignMode,
    /// Certificate mode: the app certificate's path and its SN (`app_cert_sn`).
    pub app_cert: Option<(PathBuf, String)>,
    pub public_key: PublicKey,
    pub private_key_path: PathBuf,
    pub public_key_path: PathBuf,
}

/// The certificate files every certificate-mode app shares.
#[derive(Debug, Clone)]
pub(crate) struct CertFiles {
    pub chain: super::certs::Chain,
    /// `alipayRootCert.crt`.
    pub root_path: PathBuf,
    /// `alipayCertPublicKey_RSA2.crt`.
    pub alipay_cert_path: PathBuf,
}

/// What kind of WeChat app an appid belongs to, which decides its authorize entry point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WechatKind {
    /// An Official Account: `/connect/oauth2/authorize`, `snsapi_base` / `snsapi_userinfo`.
    OfficialAccount,
    /// An Open Platform website app: `/connect/qrconnect`, `snsapi_login`.
    Website,
    /// A mini program: `wx.login` → `/sns/jscode2session`, encrypted user data, phone codes.
    MiniProgram,
}

impl WechatKind {
    /// The name `sandbox.json` gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OfficialAccount => "official_account",
            Self::Website => "website",
            Self::MiniProgram => "mini_program",
        }
    }
}

/// A registered WeChat app.
#[derive(Debug, Clone)]
pub(crate) struct WechatApp {
    pub appid: String,
    pub secret: String,
    pub label: &'static str,
    pub kind: WechatKind,
    /// The Open Platform account the app is bound to: apps bound to the same one see a user
    /// under the same `unionid`; an app bound to none gets no `unionid`.
    pub open_platform: Option<&'static str>,
}

/// A demo Alipay account.
#[derive(Debug, Clone)]
pub(crate) struct AlipayUser {
    pub id: &'static str,
    pub label: &'static str,
    pub user_id: &'static str,
    /// The profile fields `alipay.user.info.share` returns, in Alipay's order.
    pub profile: Vec<(&'static str, Value)>,
}

/// A demo WeChat account.
#[derive(Debug, Clone)]
pub(crate) struct WechatUser {
    pub id: &'static str,
    pub label: &'static str,
    pub nickname: &'static str,
    pub headimgurl: &'static str,
    /// Present when the user's apps are bound to an Open Platform account.
    pub unionid: Option<&'static str>,
    /// Authorizes in snapshot-page mode: a virtual account, `is_snapshotuser: 1`.
    pub snapshot: bool,
    /// Follows the Official Account (what `/cgi-bin/user/info` reports as `subscribe`).
    pub follows: bool,
}

/// The whole cast.
#[derive(Debug)]
pub(crate) struct Cast {
    pub alipay_key: PrivateKey,
    pub alipay_public_key_path: PathBuf,
    /// Present when a certificate-mode app is registered.
    pub certs: Option<CertFiles>,
    pub alipay_apps: Vec<AlipayApp>,
    pub wechat_apps: Vec<WechatApp>,
    /// The WeChat third-party platform the demo Official Account authorized.
    pub component: Component,
    /// The WeCom corp with its self-built app.
    pub corp: Corp,
    pub alipay_users: Vec<AlipayUser>,
    pub wechat_users: Vec<WechatUser>,
}

impl Cast {
    pub fn alipay_app(&self, app_id: &str) -> Option<&AlipayApp> {
        self.alipay_apps.iter().find(|a| a.app_id == app_id)
    }

    pub fn wechat_app(&self, appid: &str) -> Option<&WechatApp> {
        self.wechat_apps.iter().find(|a| a.appid == appid)
    }

    pub fn alipay_user(&self, id: &str) -> Option<&AlipayUser> {
        self.alipay_users.iter().find(|u| u.id == id)
    }

    pub fn wechat_user(&self, id: &str) -> Option<&WechatUser> {
        self.wechat_users.iter().find(|u| u.id == id)
    }
}

/// The per-app user id of an open_id app: stable, different per app, shaped like Alipay's.
pub(crate) fn alipay_open_id(app_id: &str, user_id: &str) -> String {
    stable_id("0", &format!("alipay-open-id:{app_id}:{user_id}"), 46)
}

/// The id one user has in every app of an app group: stable per (group, user).
pub(crate) fn alipay_union_id(group: &str, user_id: &str) -> String {
    stable_id("0", &format!("alipay-union-id:{group}:{user_id}"), 46)
}

/// A WeChat openid: stable per (app, user), 28 characters starting with `o`, like WeChat's.
/// `snapshot` gives the virtual account's openid, which differs from the real user's.
pub(crate) fn wechat_openid(appid: &str, user: &WechatUser, snapshot: bool) -> String {
    let kind = if snapshot { "snapshot" } else { "real" };
    stable_id(
        "o",
        &format!("wechat-openid:{appid}:{}:{kind}", user.id),
        28,
    )
}

/// A WeChat unionid: the same for one user in every app bound to one Open Platform account,
/// none for an app bound to none. A snapshot-page virtual account has its own, virtual one
/// (WeChat's snapshot announcement: its openid and unionid belong to a virtual account).
pub(crate) fn wechat_unionid(app: &WechatApp, user: &WechatUser, snapshot: bool) -> Option<String> {
    let platform = app.open_platform?;
    if snapshot {
        return Some(stable_id(
            "o",
            &format!("wechat-unionid:{platform}:{}:snapshot", user.id),
            28,
        ));
    }
    user.unionid.map(str::to_owned)
}

fn stable_id(prefix: &str, seed: &str, len: usize) -> String {
    use sha2::Digest as _;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let digest = sha2::Sha256::digest(seed.as_bytes());
    let mut out = prefix.to_owned();
    for b in digest.iter().cycle() {
        if out.len() >= len {
            break;
        }
        out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    }
    out
}

const AVATAR_1: &str = "https://tfs.alipayobjects.com/images/partner/T1sandbox0000001";
const AVATAR_2: &str = "https://tfs.alipayobjects.com/images/partner/T1sandbox0000002";

#[expect(
    clippy::too_many_lines,
    reason = "a data table: one entry per demo user"
)]
pub(crate) fn alipay_users() -> Vec<AlipayUser> {
    let individual = |status: &str, certified: &str| {
        vec![
            ("user_type", json!("2")),
            ("user_status", json!(status)),
            ("is_certified", json!(certified)),
            ("is_student_certified", json!("F")),
        ]
    };
    let with = |mut base: Vec<(&'static str, Value)>, more: Vec<(&'static str, Value)>| {
        base.extend(more);
        base
    };
    vec![
        AlipayUser {
            id: "alipay-certified",
            label: "实名认证用户 · certified individual (T)",
            user_id: "2088102000000001",
            profile: with(
                individual("T", "T"),
                vec![
                    ("avatar", json!(AVATAR_1)),
                    ("nick_name", json!("小明")),
                    ("gender", json!("M")),
                    ("province", json!("浙江省")),
                    ("city", json!("杭州市")),
                    ("is_adult", json!("T")),
                    ("is_blocked", json!("F")),
                ],
            ),
        },
        AlipayUser {
            id: "alipay-quick",
            label: "快速注册用户 · quick-registered (Q)",
            user_id: "2088102000000002",
            profile: with(
                individual("Q", "F"),
                vec![("avatar", json!(AVATAR_2)), ("nick_name", json!("快注册"))],
            ),
        },
        AlipayUser {
            id: "alipay-frozen",
            label: "冻结账户 · frozen account (B)",
            user_id: "2088102000000003",
            profile: with(
                individual("B", "T"),
                vec![
                    ("avatar", json!(AVATAR_1)),
                    ("nick_name", json!("已冻结")),
                    ("is_blocked", json!("T")),
                    ("is_balance_frozen", json!("T")),
                ],
            ),
        },
        AlipayUser {
            id: "alipay-inactive",
            label: "未激活账户 · registered, not activated (W)",
            user_id: "2088102000000004",
            profile: individual("W", "F"),
        },
        AlipayUser {
            id: "alipay-enterprise",
            label: "企业账户（无昵称）· company account, no nick_name",
            user_id: "2088102000000005",
            profile: vec![
                ("user_type", json!("1")),
                ("user_status", json!("T")),
                ("is_certified", json!("T")),
                ("avatar", json!(AVATAR_2)),
                ("inst_or_corp", json!("C")),
                ("user_name", json!("杭州沙盒科技有限公司")),
            ],
        },
        AlipayUser {
            id: "alipay-no-avatar",
            label: "未设置头像 · no avatar",
            user_id: "2088102000000006",
            profile: with(individual("T", "T"), vec![("nick_name", json!("无头像"))]),
        },
        AlipayUser {
            id: "alipay-student",
            label: "学生 · certified student",
            user_id: "2088102000000007",
            profile: vec![
                ("user_type", json!("2")),
                ("user_status", json!("T")),
                ("is_certified", json!("T")),
                ("is_student_certified", json!("T")),
                ("avatar", json!(AVATAR_1)),
                ("nick_name", json!("小学霸")),
                ("college_name", json!("浙江大学")),
                ("degree", json!("本科")),
                ("enrollment_time", json!("2023-09-01")),
            ],
        },
        AlipayUser {
            id: "alipay-emoji",
            label: "昵称带表情 · Chinese nickname with an emoji",
            user_id: "2088102000000008",
            profile: with(
                individual("T", "T"),
                vec![
                    ("avatar", json!(AVATAR_2)),
                    ("nick_name", json!("小红🌸")),
                    ("gender", json!("F")),
                ],
            ),
        },
    ]
}

pub(crate) fn wechat_users() -> Vec<WechatUser> {
    vec![
        WechatUser {
            id: "wechat-unionid",
            label: "有 unionid 的用户 · user with a unionid",
            nickname: "Lily",
            headimgurl: "https://thirdwx.qlogo.cn/mmopen/vi_32/sandbox0001/132",
            unionid: Some("oU1sandboxUnion00000000000001"),
            snapshot: false,
            follows: true,
        },
        WechatUser {
            id: "wechat-emoji",
            label: "昵称带表情 · emoji nickname",
            nickname: "小鱼🐟🌊",
            headimgurl: "https://thirdwx.qlogo.cn/mmopen/vi_32/sandbox0002/132",
            unionid: None,
            snapshot: false,
            follows: false,
        },
        WechatUser {
            id: "wechat-snapshot",
            label: "快照页模式用户 · snapshot-mode virtual account",
            nickname: "微信用户",
            headimgurl: "",
            unionid: None,
            snapshot: true,
            follows: false,
        },
    ]
}

/// Keys generated once per process for ephemeral sandboxes: generating 2048-bit keys is slow
/// and tests start many sandboxes.
fn ephemeral_keys() -> &'static [PrivateKey] {
    static KEYS: OnceLock<Vec<PrivateKey>> = OnceLock::new();
    KEYS.get_or_init(|| generate_keys(9).expect("generating a 2048-bit key succeeds"))
}

/// `count` fresh keys, made on as many threads: 2048-bit generation is a prime search of a
/// few hundred milliseconds each, and a first start needs nine keys (Alipay's, the
/// certificate root's and one per app).
fn generate_keys(count: usize) -> anyhow::Result<Vec<PrivateKey>> {
    let handles: Vec<_> = (0..count)
        .map(|_| std::thread::spawn(|| PrivateKey::generate(KEY_BITS)))
        .collect();
    handles
        .into_iter()
        .map(|h| {
            Ok(h.join()
                .map_err(|_| anyhow::anyhow!("the key generation thread panicked"))??)
        })
        .collect()
}

/// Write `contents` to a temporary file beside `path`, fully, with `mode`; returns its path.
fn write_temp(path: &Path, contents: &[u8], mode: u32) -> anyhow::Result<PathBuf> {
    let dir = path.parent().context("a file path has a parent")?;
    crate::config::create_private_dir(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        super::state::random_hex(8)
    ));
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    Ok(tmp)
}

/// Write `contents` to `path` with `mode`, atomically (temp file + rename), replacing any file
/// there, so a script polling for the file never reads it half-written.
pub(crate) fn write_file(path: &Path, contents: &[u8], mode: u32) -> anyhow::Result<()> {
    let tmp = write_temp(path, contents, mode)?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Create `path` holding `contents` only if there is no file there yet, atomically: the file
/// appears whole (a hard link to a finished temporary file) or not at all. Returns `false` when
/// another process made it first; the caller then reads theirs, so every process ends up with
/// the same contents.
pub(crate) fn create_file(path: &Path, contents: &[u8], mode: u32) -> anyhow::Result<bool> {
    let tmp = write_temp(path, contents, mode)?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

/// Load a private key from `path`, or make one there (from `fresh`) if there is none. When
/// another process creates the same key at the same moment, both end up with the winner's.
fn load_or_create(
    path: &Path,
    fresh: impl FnOnce() -> anyhow::Result<PrivateKey>,
) -> anyhow::Result<PrivateKey> {
    let load = || -> anyhow::Result<PrivateKey> {
        let text =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        PrivateKey::parse(&text).with_context(|| format!("bad key in {}", path.display()))
    };
    if path.exists() {
        return load();
    }
    let key = fresh()?;
    let pem = key.encode(Encoding::Pkcs8, Armor::Pem)?;
    if create_file(path, pem.as_bytes(), 0o600)? {
        Ok(key)
    } else {
        load()
    }
}

/// Write the root bundle and Alipay's certificate under `dir`.
fn cert_files(dir: &Path, root_key: &PrivateKey, alipay: &PublicKey) -> anyhow::Result<CertFiles> {
    let chain = super::certs::chain(root_key, alipay)?;
    let root_path = dir.join("alipayRootCert.crt");
    let alipay_cert_path = dir.join("alipayCertPublicKey_RSA2.crt");
    write_file(&root_path, chain.root_pem.as_bytes(), 0o644)?;
    write_file(&alipay_cert_path, chain.alipay_cert_pem.as_bytes(), 0o644)?;
    Ok(CertFiles {
        chain,
        root_path,
        alipay_cert_path,
    })
}

fn write_public(path: &Path, key: &PublicKey) -> anyhow::Result<()> {
    let pem = key.encode(Encoding::Spki, Armor::Pem)?;
    write_file(path, pem.as_bytes(), 0o644)
}

/// Load or make the WeChat appsecrets, kept in a 0600 file so they survive restarts. A first
/// start creates the file whole or reads the one a concurrent start created first.
fn wechat_secrets(dir: &Path, appids: &[&str]) -> anyhow::Result<Vec<String>> {
    let path = dir.join("wechat_secrets.json");
    let read = || -> anyhow::Result<Option<Map<String, Value>>> {
        match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .with_context(|| format!("bad JSON in {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    };
    let existing = read()?;
    let existed = existing.is_some();
    let mut known = existing.unwrap_or_default();
    let mut changed = false;
    for appid in appids {
        if !matches!(known.get(*appid), Some(Value::String(_))) {
            known.insert(
                (*appid).to_owned(),
                Value::String(super::state::random_hex(32)),
            );
            changed = true;
        }
    }
    if changed {
        let text = serde_json::to_string_pretty(&known)?;
        if existed {
            // An older file lacking an app: the cast lock serialises this rewrite.
            write_file(&path, text.as_bytes(), 0o600)?;
        } else if !create_file(&path, text.as_bytes(), 0o600)? {
            known = read()?.unwrap_or_default();
        }
    }
    appids
        .iter()
        .map(|appid| match known.get(*appid) {
            Some(Value::String(s)) => Ok(s.clone()),
            _ => anyhow::bail!(
                "{} has no appsecret for {appid}; delete the file to make new ones",
                path.display()
            ),
        })
        .collect()
}

/// The keys to hand out for missing key files: the process's shared keys when ephemeral, else
/// every missing key made up front in parallel, so a first start is as fast as the slowest
/// single key rather than the sum of five.
fn key_pool(
    keys_dir: &Path,
    ephemeral: bool,
    selected: &[&str],
) -> anyhow::Result<std::vec::IntoIter<PrivateKey>> {
    if ephemeral {
        return Ok(ephemeral_keys().to_vec().into_iter());
    }
    let root = selected
        .contains(&CERT_ALIPAY_APP)
        .then(|| keys_dir.join("certs").join("root_private_key.pem"));
    let missing = std::iter::once(keys_dir.join("alipay_private_key.pem"))
        .chain(root)
        .chain(
            selected
                .iter()
                .map(|id| keys_dir.join(id).join("app_private_key.pem")),
        )
        .filter(|p| !p.exists())
        .count();
    Ok(if missing == 0 {
        Vec::new()
    } else {
        generate_keys(missing)?
    }
    .into_iter())
}

/// Build the cast, with its key files under `dir`. `ephemeral` reuses the process's keys.
pub(crate) fn cast(dir: &Path, ephemeral: bool, only: Option<&[String]>) -> anyhow::Result<Cast> {
    crate::config::create_private_dir(dir)
        .with_context(|| format!("cannot create the state directory {}", dir.display()))?;
    // Several processes may start on a fresh folder at once (three `authwalk run`): one makes
    // the keys while the others wait, then read them. Files are also created atomically, so a
    // folder shared without working locks still never shows a half-written key.
    let lock = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(dir.join(".cast.lock"))
        .with_context(|| format!("cannot create a lock file in {}", dir.display()))?;
    lock.lock()
        .with_context(|| format!("cannot lock {}", dir.join(".cast.lock").display()))?;
    let keys_dir = dir.join("keys");
    let selected: Vec<&str> = ALIPAY_APP_IDS
        .into_iter()
        .filter(|id| only.is_none_or(|only| only.iter().any(|o| o == id)))
        .collect();
    let mut pool = key_pool(&keys_dir, ephemeral, &selected)?;
    let mut fresh = || -> anyhow::Result<PrivateKey> {
        match pool.next() {
            Some(key) => Ok(key),
            None => Ok(PrivateKey::generate(KEY_BITS)?),
        }
    };
    let alipay_key = load_or_create(&keys_dir.join("alipay_private_key.pem"), &mut fresh)?;
    let alipay_public_key_path = keys_dir.join("alipay_public_key.pem");
    write_public(&alipay_public_key_path, &alipay_key.public_key())?;

    let certs = if selected.contains(&CERT_ALIPAY_APP) {
        let certs_dir = keys_dir.join("certs");
        let root_key = load_or_create(&certs_dir.join("root_private_key.pem"), &mut fresh)?;
        Some((
            cert_files(&certs_dir, &root_key, &alipay_key.public_key())?,
            root_key,
        ))
    } else {
        None
    };

    let mut alipay_apps = Vec::new();
    for spec in alipay_specs() {
        if selected.contains(&spec.app_id) {
            alipay_apps.push(alipay_app(spec, &keys_dir, certs.as_ref(), &mut fresh)?);
        }
    }

    let wechat_specs = WECHAT_SPECS;
    let appids: Vec<&str> = wechat_specs.iter().map(|s| s.0).collect();
    let secrets = wechat_secrets(dir, &appids)?;
    let wechat_apps = wechat_specs
        .iter()
        .zip(secrets)
        .map(|((appid, label, kind, open_platform), secret)| WechatApp {
            appid: (*appid).to_owned(),
            secret,
            label,
            kind: *kind,
            open_platform: *open_platform,
        })
        .collect();
    let component = component_cast(dir)?;
    let corp = corp_cast(dir)?;

    Ok(Cast {
        alipay_key,
        alipay_public_key_path,
        certs: certs.map(|(files, _)| files),
        alipay_apps,
        wechat_apps,
        component,
        corp,
        alipay_users: alipay_users(),
        wechat_users: wechat_users(),
    })
}

/// One demo Alipay app with its key files (and its certificate, in certificate mode).
fn alipay_app(
    spec: AlipaySpec,
    keys_dir: &Path,
    certs: Option<&(CertFiles, PrivateKey)>,
    fresh: &mut impl FnMut() -> anyhow::Result<PrivateKey>,
) -> anyhow::Result<AlipayApp> {
    let AlipaySpec {
        app_id,
        label,
        sign_type,
        charset,
        identity,
        encrypt_key,
        phone_number,
        mode,
    } = spec;
    let app_dir = keys_dir.join(app_id);
    let private_key_path = app_dir.join("app_private_key.pem");
    let public_key_path = app_dir.join("app_public_key.pem");
    let key = load_or_create(&private_key_path, fresh)?;
    let public_key = key.public_key();
    write_public(&public_key_path, &public_key)?;
    let app_cert = match (mode, certs) {
        (SignMode::Cert, Some((_, root_key))) => {
            let pem = super::certs::app_cert(root_key, app_id, &public_key)?;
            let path = app_dir.join(format!("appCertPublicKey_{app_id}.crt"));
            write_file(&path, pem.as_bytes(), 0o644)?;
            Some((path, crate::provider::alipay::cert::cert_sn_pem(&pem)?))
        }
        (SignMode::Cert | SignMode::Key, _) => None,
    };
    Ok(AlipayApp {
        app_id: app_id.to_owned(),
        label,
        sign_type,
        charset,
        identity,
        encrypt_key: encrypt_key.and_then(|k| EncryptKey::parse(k).ok()),
        phone_number,
        mode,
        app_cert,
        public_key,
        private_key_path,
        public_key_path,
    })
}
