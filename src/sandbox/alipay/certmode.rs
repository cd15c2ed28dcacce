//! Public-key-certificate mode at the gateway: the SN checks a certificate app's requests pass,
//! and the `alipay_cert_sn` its responses carry.
//!
//! Sub-codes and their words are Alipay's, as its support answers list them:
//! `isv.missing-app-cert-sn` (developer.aliyun.com/ask/285112), `isv.app-cert-not-exist`
//! (/ask/285114: a wrong `app_cert_sn`, or a certificate request to a public-key app) and
//! `isv.invalid-alipay-root-cert-sn` (/ask/285113). Emulation choices where Alipay documents
//! nothing: a missing root SN is `isv.missing-alipay-root-cert-sn`; a root SN passes when each
//! of its `_`-joined parts is the SN of an RSA root of the bundle.

use super::super::Shared;
use super::super::demo::AlipayApp;
use super::{Failure, form, invalid, missing};
use crate::provider::alipay::SignMode;

/// The `alipay_cert_sn` a response to `app_id` carries: only certificate apps get one.
pub(super) fn alipay_cert_sn<'a>(shared: &'a Shared, app_id: &str) -> Option<&'a str> {
    let app = shared.cast.alipay_app(app_id)?;
    match app.mode {
        SignMode::Cert => shared
            .cast
            .certs
            .as_ref()
            .map(|c| c.chain.alipay_cert_sn.as_str()),
        SignMode::Key => None,
    }
}

/// The SN checks, in the gateway's order.
pub(super) fn check(
    shared: &Shared,
    app: &AlipayApp,
    params: &[(String, String)],
) -> Result<(), Failure> {
    let app_sn = form::non_empty(params, "app_cert_sn");
    let root_sn = form::non_empty(params, "alipay_root_cert_sn");
    match app.mode {
        SignMode::Key => match app_sn {
            // A certificate request to an app set to public keys.
            Some(_) => Err(invalid("isv.app-cert-not-exist", "应用公钥证书不存在")),
            None => Ok(()),
        },
        SignMode::Cert => {
            let expected = app.app_cert.as_ref().map(|(_, sn)| sn.as_str());
            match app_sn {
                None => {
                    return Err(missing("isv.missing-app-cert-sn", "缺少应用公钥证书序列号"));
                }
                Some(sn) if Some(sn) != expected => {
                    return Err(invalid("isv.app-cert-not-exist", "应用公钥证书不存在"));
                }
                Some(_) => {}
            }
            let Some(root_sn) = root_sn else {
                return Err(missing(
                    "isv.missing-alipay-root-cert-sn",
                    "缺少支付宝根证书序列号",
                ));
            };
            if !root_sn_known(shared, root_sn) {
                return Err(invalid(
                    "isv.invalid-alipay-root-cert-sn",
                    "无效支付宝根证书序列号",
                ));
            }
            Ok(())
        }
    }
}

/// Every `_`-joined part of `sent` is an RSA root of the bundle.
pub(super) fn root_sn_known(shared: &Shared, sent: &str) -> bool {
    let Some(certs) = &shared.cast.certs else {
        return false;
    };
    let known: Vec<&str> = certs.chain.root_cert_sn.split('_').collect();
    !sent.is_empty() && sent.split('_').all(|part| known.contains(&part))
}
