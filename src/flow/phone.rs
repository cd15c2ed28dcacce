//! The mini program's phone-number step: `my.getPhoneNumber` runs on the phone and hands the
//! server `{"response":"<AES ciphertext>","sign":…}`; the server checks `sign` over the
//! ciphertext in double quotes and decrypts it with the app's `encrypt_key`. On the sandbox the
//! control API plays the phone ([`MiniClient`]); errors are found only after decryption.

use serde_json::{Value, json};

use super::{AlipayApp, Context, Exchange, ExchangeOutcome, FlowError, RawResponse, StepKind};
use crate::finding::{Finding, Severity, Text};
use crate::lang::{Lang, tr};
use crate::provider::alipay::phone::{self, SignCheck};
use crate::provider::alipay::{Outcome, Verification};
use crate::provider::{HttpMethod, PreparedRequest};

/// The endpoint this step's exchange is filed under (the catalog's id).
pub(super) const ENDPOINT: &str = "my.getPhoneNumber";

/// The header the sandbox's control API reads its token from.
const TOKEN_HEADER: &str = "X-Authwalk-Sandbox-Token";

/// Ask the mini program's stand-in for the phone number of the user this walk authorized.
pub(super) fn request(app: &AlipayApp, ctx: &Context) -> Result<PreparedRequest, FlowError> {
    let step = StepKind::PhoneNumber;
    let client = app.mini_client.as_ref().ok_or(FlowError::MissingInput {
        step,
        what: "a mini program to call my.getPhoneNumber",
        fix: "it runs on the phone: paste its answer into `authwalk decrypt --encrypt-key …`",
    })?;
    let token = ctx.access_token.as_ref().ok_or(FlowError::MissingInput {
        step,
        what: "the user's authorization (an access token)",
        fix: "run the token step first",
    })?;
    // The sandbox finds the user by the walk's token; the real JSAPI knows the user already.
    let body = json!({"app_id": app.app_id, "auth_token": token.value});
    Ok(PreparedRequest {
        method: HttpMethod::Post,
        url: client.phone_number_url.clone(),
        headers: vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            (TOKEN_HEADER.to_owned(), client.token.clone()),
        ],
        body: body.to_string().into_bytes(),
        signing: None,
    })
}

fn both(key: &str) -> (String, String) {
    (tr(Lang::EN, key).to_owned(), tr(Lang::ZH, key).to_owned())
}

/// Verify and decrypt the answer; record what it says.
pub(super) fn interpret(app: &AlipayApp, ex: &mut Exchange, response: &RawResponse) {
    let text = String::from_utf8_lossy(&response.body);
    let envelope = match phone::parse_envelope(&text) {
        Ok(envelope) => envelope,
        Err(e) => {
            ex.findings.push(Finding::new(
                Severity::Error,
                "alipay.bad-response",
                Text::with("flow.phone.not-an-answer", &[("error", &e)]),
            ));
            ex.outcome = ExchangeOutcome::Failed;
            return;
        }
    };
    let opened = phone::open(
        &envelope,
        app.encrypt_key.as_ref(),
        Some(&app.alipay_public_key),
    );
    let (outcome, key) = match opened.signature {
        SignCheck::Verified => (Outcome::Verified, "flow.phone.verified"),
        SignCheck::Mismatch => (Outcome::Mismatch, "flow.phone.mismatch"),
        SignCheck::Unsigned | SignCheck::NotChecked => {
            (Outcome::Unsigned, "flow.phone.unsigned-reason")
        }
    };
    let (reason, reason_zh) = both(key);
    ex.verification = Some(Verification {
        outcome,
        reason: reason.clone(),
        reason_zh,
        node: Some("response".to_owned()),
        signed_text: envelope.signed_text.clone(),
        checked_text: None,
        sign: envelope.sign.clone(),
        cert_sn: None,
        sign_type: envelope.sign_type,
        key_fingerprint: app.alipay_public_key.fingerprint().hex().to_owned(),
    });
    ex.decoded = opened.decoded.clone().map(Value::Object);
    ex.outcome = ExchangeOutcome::Ok;
    if outcome == Outcome::Mismatch {
        ex.findings.push(
            Finding::new(
                Severity::Error,
                "alipay.signature-mismatch",
                Text::with(
                    "flow.alipay.signature-mismatch",
                    &[("outcome", &outcome.label()), ("reason", &reason)],
                ),
            )
            .fix(Text::key("flow.alipay.use-the-alipay-public-key")),
        );
        ex.outcome = ExchangeOutcome::BadSignature;
    } else if outcome == Outcome::Unsigned {
        ex.findings.push(
            Finding::new(
                Severity::Warning,
                "alipay.phone.unsigned",
                Text::key("flow.phone.unsigned"),
            )
            .fix(Text::key("flow.phone.unsigned-fix")),
        );
    }
    match &opened.plaintext {
        Err(e) => {
            ex.findings.push(Finding::new(
                Severity::Error,
                e.code(),
                Text::key("flow.phone.cannot-decrypt").fill_text("cause", &Text::key(e.text_key())),
            ));
            ex.outcome = ExchangeOutcome::Failed;
        }
        Ok(_) => {
            if let Some((code, sub_code, sub_msg)) = &opened.error {
                let msg = format!("{code} / {sub_code} / {sub_msg}");
                // Triage puts the catalog's meaning, causes and fix in its place: the decoded
                // answer carries the sub-code found inside.
                ex.findings.push(Finding::new(
                    Severity::Error,
                    format!("alipay.{sub_code}"),
                    Text::with("flow.phone.error-inside", &[("msg", &msg)]),
                ));
                if ex.outcome == ExchangeOutcome::Ok {
                    ex.outcome = ExchangeOutcome::Rejected;
                }
            }
        }
    }
}
