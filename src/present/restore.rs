//! A walk read back from a saved document, made ready to show: the parts a document does not
//! carry (titles, numbering, field meanings, pretty bodies, badges, the callback, the summary,
//! countdowns) are rebuilt by the same functions a live walk uses, and the secrets it holds
//! are masked by the one [`Policy`]. Countdowns are counted at the `now` the caller gives:
//! for a replay, the moment of the export, so the screens show what they showed then.

use time::OffsetDateTime;

use super::build::{callback_view, field_rows, numbering, pretty, rounded_lifetime, summary};
use super::{Badge, Countdown, Msg, Policy, TimedView, Walk};
use crate::flow::{StepKind, StepState};
use crate::redact;

/// `walk` as a document held it, masked by `policy` and with its view-only parts rebuilt.
///
/// Masking follows the content, never what the file says of itself: a document that claims to
/// be redacted is masked all the same (masking is idempotent: placeholders such as `tok#1` and
/// values masked already pass unchanged), so only `policy.reveal` shows a secret. `redacted`
/// is kept for the callers' sake (there is nothing to reveal in a redacted file).
pub fn restore(mut walk: Walk, policy: Policy, redacted: bool, now: OffsetDateTime) -> Walk {
    let _ = redacted;
    let known = known_secrets(&walk);
    let provider = walk.flow.provider();
    // Built from the text as the document holds it, masking as a live walk does, before the
    // text itself is masked (masking twice would hide what one masking shows).
    for ex in &mut walk.exchanges {
        if let Some(r) = &mut ex.response {
            r.content_type = r
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.clone());
            r.bytes = r.body.len();
            r.pretty = pretty(r.body.as_bytes(), policy);
        }
        if let Some(s) = &mut ex.signing {
            s.canonical_bytes = s.canonical.len();
        }
        if let Some(v) = &mut ex.verification {
            v.badge = Badge::of_id(&v.outcome);
        }
        if ex.endpoint.is_empty() {
            ex.endpoint = crate::flow::endpoint_in(&ex.request.url, &ex.request.body);
        }
        ex.fields = field_rows(
            provider,
            ex.step,
            &ex.endpoint,
            ex.outcome,
            ex.decoded.as_ref(),
            policy,
        );
    }
    mask(&mut walk, policy, &known);
    let numbers = numbering(walk.steps.iter().map(|s| (s.id, s.state)));
    // A code is spent once a token request carried it (a document from before the walk said
    // so itself is read the same way).
    walk.context.code_spent |= walk.exchanges.iter().any(|e| e.step == StepKind::Token);
    let spent = walk.context.code_spent;
    let countdown = |what: Msg, t: &Option<TimedView>| {
        t.as_ref()
            .and_then(|t| t.expires)
            .and_then(|expires| OffsetDateTime::from_unix_timestamp(expires).ok())
            .map(|expires| Countdown {
                what,
                // As a live walk counts: to the second, from `now` with its fraction.
                seconds_left: (expires - now).whole_seconds(),
            })
    };
    for (row, number) in walk.steps.iter_mut().zip(numbers) {
        row.title = row.id.title_in(walk.flow.provider());
        row.number = number;
        row.countdown = match (row.id, row.state) {
            (StepKind::Callback | StepKind::MiniAuthCode, StepState::Done) if !spent => {
                countdown(Msg::AuthCode, &walk.context.code)
            }
            (StepKind::Token, StepState::Done) => {
                countdown(Msg::AccessToken, &walk.context.access_token)
            }
            (StepKind::Refresh, StepState::Done) => {
                countdown(Msg::RefreshToken, &walk.context.refresh_token)
            }
            _ => None,
        };
        // An exchange index the document got wrong shows no exchange rather than a panic.
        if row.exchange.is_some_and(|i| i >= walk.exchanges.len()) {
            row.exchange = None;
        }
    }
    for t in [
        &mut walk.context.code,
        &mut walk.context.access_token,
        &mut walk.context.refresh_token,
    ]
    .into_iter()
    .flatten()
    {
        t.lifetime_s = t
            .expires
            .map(|e| rounded_lifetime(time::Duration::seconds(e - t.obtained)));
        t.expires_china = t
            .expires
            .and_then(|e| OffsetDateTime::from_unix_timestamp(e).ok())
            .map(crate::provider::alipay::format_timestamp);
    }
    // A document from before the lint was part of the walk: lint its URL as the walk would.
    if walk.context.authorize_lint.is_empty()
        && let Some(url) = &walk.context.authorize_url
    {
        walk.context.authorize_lint = super::build::sandbox_lint(
            super::build::lint_walk_url(walk.flow, url),
            walk.target.kind,
        );
    }
    walk.callback = callback_view(&walk.steps, &walk.context);
    walk.summary = summary(walk.ok, &walk.steps, &walk.context, walk.elapsed_ms);
    walk
}

/// The secret values a document holds (its code and tokens, the secret parameters its requests
/// sent, the secret fields of its responses), to mask wherever else they turn up.
fn known_secrets(walk: &Walk) -> redact::Known {
    let mut known = redact::Known::default();
    let ctx = &walk.context;
    for t in [&ctx.code, &ctx.access_token, &ctx.refresh_token]
        .into_iter()
        .flatten()
    {
        known.add(&t.value);
    }
    for (k, v) in &ctx.callback {
        if redact::SECRET_PARAMS.contains(&k.as_str())
            && let Some(text) = v.as_str()
        {
            known.add(text);
        }
    }
    for url in [&ctx.authorize_url, &ctx.callback_url]
        .into_iter()
        .flatten()
    {
        known.add_params(url);
    }
    for ex in &walk.exchanges {
        known.add_params(&ex.request.url);
        known.add_params(&ex.request.body);
        if let Some(s) = &ex.signing {
            known.add_params(&s.canonical);
        }
        if let Some(d) = &ex.decoded {
            secret_fields(d, &mut known);
        }
    }
    known
}

fn secret_fields(value: &serde_json::Value, known: &mut redact::Known) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match v {
                    serde_json::Value::String(s) if redact::SECRET_FIELDS.contains(&k.as_str()) => {
                        known.add(s);
                    }
                    other => secret_fields(other, known),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| secret_fields(v, known)),
        _ => {}
    }
}

/// Mask what a live walk masks, on the text a document kept.
fn mask(walk: &mut Walk, policy: Policy, known: &redact::Known) {
    if policy.reveal {
        return;
    }
    let ctx = &mut walk.context;
    ctx.authorize_url = ctx
        .authorize_url
        .as_deref()
        .map(|u| redact::redact_text(&policy.url(u), known).into_owned());
    ctx.callback_url = ctx
        .callback_url
        .as_deref()
        .map(|u| redact::redact_text(&policy.url(u), known).into_owned());
    for (k, v) in &mut ctx.callback {
        if redact::SECRET_PARAMS.contains(&k.as_str())
            && let Some(text) = v.as_str()
        {
            *v = policy.secret(text).into();
        }
    }
    for t in [&mut ctx.code, &mut ctx.access_token, &mut ctx.refresh_token]
        .into_iter()
        .flatten()
    {
        t.value = policy.secret(&t.value);
    }
    for ex in &mut walk.exchanges {
        ex.request.url = policy.url(&ex.request.url);
        ex.request.body = policy.pairs(&ex.request.body);
        if let Some(s) = &mut ex.signing {
            s.canonical = policy.pairs(&s.canonical);
        }
        if let Some(r) = &mut ex.response {
            r.body = policy.json_text(&r.body);
        }
        if let Some(v) = &mut ex.verification {
            v.signed_text = v.signed_text.as_deref().map(|t| policy.json_text(t));
        }
        ex.decoded = ex.decoded.as_ref().map(|d| policy.json(d));
        policy.exchange(ex, known);
    }
}
