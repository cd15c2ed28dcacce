//! The sandbox apps of the logins on behalf of others: the WeChat third-party platform (with
//! the Official Account that authorized it) and the WeCom corp.

use anyhow::{anyhow, bail};

use super::{Choice, scope_for};
use crate::finding::Text;
use crate::flow::{App, WechatApp};
use crate::provider::wechat::UserInfoLang;
use crate::provider::wechat::component::ComponentApp;
use crate::provider::{Provider, Scope};
use crate::sandbox::Manifest;

/// The sandbox's WeCom corp and its self-built app (`--app` may name the corpid).
pub(super) fn sandbox_wecom(m: &Manifest, choice: &Choice) -> anyhow::Result<(App, Text)> {
    let entry = match &choice.app {
        Some(id) => m.wechat.wecom.iter().find(|c| c.corpid == *id),
        None => m.wechat.wecom.first(),
    }
    .ok_or_else(|| {
        let known: Vec<_> = m.wechat.wecom.iter().map(|c| c.corpid.as_str()).collect();
        anyhow!(
            "no such sandbox WeCom corp; choose one of {} (a sandbox started by an older \
             authwalk lists none: restart it)",
            known.join(", ")
        )
    })?;
    let scope = scope_for(Provider::Wechat, choice.scope, Scope::SnsapiPrivateinfo)?;
    if !matches!(scope, Scope::SnsapiBase | Scope::SnsapiPrivateinfo) {
        bail!("WeCom's web login takes snsapi_base or snsapi_privateinfo, not {scope}");
    }
    let app = WechatApp {
        appid: entry.corpid.clone(),
        secret: entry.corpsecret.clone(),
        redirect_uri: entry.redirect_uri.clone(),
        scope,
        open_base: m.wechat.open_base.clone(),
        api_base: m.wechat.api_base.clone(),
        lang: UserInfoLang::ZhCn,
        component: None,
        agentid: Some(entry.agentid.clone()),
    };
    let name = Text::with(
        "target.wecom-app",
        &[("corpid", &entry.corpid), ("agentid", &entry.agentid)],
    );
    Ok((App::Wechat(app), name))
}

/// The sandbox's third-party platform (`--app` may name it by `component_appid`) and the
/// Official Account that authorized it.
pub(super) fn sandbox_component(
    m: &Manifest,
    choice: &Choice,
) -> anyhow::Result<(ComponentApp, String)> {
    let entry = match &choice.app {
        Some(id) => m
            .wechat
            .components
            .iter()
            .find(|c| c.component_appid == *id || c.authorizers.contains(id)),
        None => m.wechat.components.first(),
    }
    .ok_or_else(|| {
        anyhow!(
            "this sandbox lists no WeChat third-party platform{}; restart it with this version \
             of authwalk (sandbox.json gains wechat.components)",
            choice
                .app
                .as_deref()
                .map(|a| format!(" for '{a}'"))
                .unwrap_or_default()
        )
    })?;
    let authorizer = entry.authorizers.first().cloned().ok_or_else(|| {
        anyhow!(
            "the sandbox's platform {} has no authorizing Official Account",
            entry.component_appid
        )
    })?;
    Ok((
        ComponentApp {
            appid: entry.component_appid.clone(),
            secret: entry.component_appsecret.clone(),
            message_token: entry.token.clone(),
            verify_ticket: entry.verify_ticket.clone(),
        },
        authorizer,
    ))
}
