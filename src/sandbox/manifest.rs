//! `sandbox.json`: what a script or SDK needs, built from the cast.

use super::{
    AlipayAppEntry, AlipayManifest, CALLBACK_PATH, CONTROL_PATH, ComponentEntry, GATEWAY_PATH,
    Manifest, WechatAppEntry, WechatManifest, WecomEntry, demo, user_entries,
};
use crate::provider::alipay::aes::EncryptKey;
use crate::provider::alipay::{AUTHORIZE_PATH, IdMode};

/// The manifest of a sandbox serving at `base` with `cast`.
pub(super) fn build(base: &str, cast: &demo::Cast) -> Manifest {
    let redirect_uri = format!("{base}{CALLBACK_PATH}");
    Manifest {
        alipay: AlipayManifest {
            gateway: format!("{base}{GATEWAY_PATH}"),
            authorize: format!("{base}{AUTHORIZE_PATH}"),
            apps: cast
                .alipay_apps
                .iter()
                .map(|a| AlipayAppEntry {
                    app_id: a.app_id.clone(),
                    label: a.label.to_owned(),
                    sign_type: a.sign_type.as_str().to_owned(),
                    charset: a.charset.as_str().to_owned(),
                    id_mode: a.identity.id_mode,
                    open_id_only: a.identity.id_mode == IdMode::OpenId,
                    union_group: a.identity.union_group.map(str::to_owned),
                    approved: a.identity.approved.to_owned(),
                    encrypt_key: a.encrypt_key.as_ref().map(EncryptKey::to_base64),
                    app_private_key: a.private_key_path.clone(),
                    app_public_key: a.public_key_path.clone(),
                    alipay_public_key: cast.alipay_public_key_path.clone(),
                    redirect_uri: redirect_uri.clone(),
                    mode: a.mode,
                    app_cert: a.app_cert.as_ref().map(|(path, _)| path.clone()),
                    alipay_cert: cast
                        .certs
                        .as_ref()
                        .filter(|_| a.app_cert.is_some())
                        .map(|c| c.alipay_cert_path.clone()),
                    alipay_root_cert: cast
                        .certs
                        .as_ref()
                        .filter(|_| a.app_cert.is_some())
                        .map(|c| c.root_path.clone()),
                })
                .collect(),
            isv: Vec::new(),
        },
        wechat: WechatManifest {
            open_base: base.to_owned(),
            api_base: base.to_owned(),
            apps: cast
                .wechat_apps
                .iter()
                .map(|a| WechatAppEntry {
                    appid: a.appid.clone(),
                    label: a.label.to_owned(),
                    kind: a.kind,
                    open_platform: a.open_platform.map(str::to_owned),
                    secret: a.secret.clone(),
                    redirect_uri: redirect_uri.clone(),
                })
                .collect(),
            components: vec![ComponentEntry {
                component_appid: cast.component.appid.clone(),
                component_appsecret: cast.component.secret.clone(),
                token: cast.component.token.clone(),
                encoding_aes_key: cast.component.encoding_aes_key.clone(),
                verify_ticket: cast.component.verify_ticket.clone(),
                authorizers: cast.component.authorizers.clone(),
            }],
            wecom: vec![WecomEntry {
                corpid: cast.corp.corpid.clone(),
                agentid: cast.corp.agentid.clone(),
                corpsecret: cast.corp.secret.clone(),
                redirect_uri: redirect_uri.clone(),
                standing: cast
                    .wechat_users
                    .iter()
                    .map(|u| {
                        let standing = match super::wecom::standing(u.id) {
                            super::wecom::Standing::Member(id) => format!("member:{id}"),
                            super::wecom::Standing::External(id) => format!("external:{id}"),
                            super::wecom::Standing::Outsider => "outsider".to_owned(),
                        };
                        (u.id.to_owned(), standing)
                    })
                    .collect(),
            }],
        },
        users: user_entries(&cast.alipay_users, &cast.wechat_users),
        control: format!("{base}{CONTROL_PATH}"),
        token: String::new(),
        pid: 0,
    }
}
