//! The steps a walk takes without sending a request: waiting for the mini program's code, and
//! decrypting what its button handed over.

use time::OffsetDateTime;

use super::{App, Effect, Flow, FlowKind, StepKind, StepState, wechat_mini};
use crate::finding::{Finding, Severity, Text};

impl Flow {
    /// The mini program's code comes from the phone (`my.getAuthCode`, `wx.login`): wait for
    /// it. A WeChat login that is not a mini program's has no such code.
    pub(super) fn await_mini_code(&mut self) -> Effect {
        self.set_state(StepKind::MiniAuthCode, StepState::AwaitingUser);
        match &self.app {
            App::Alipay(a) => Effect::AwaitMiniCode {
                app_id: a.app_id.clone(),
                scope: a.scope,
            },
            App::Wechat(w) if self.kind == FlowKind::WechatMini => Effect::AwaitMiniCode {
                app_id: w.appid.clone(),
                scope: w.scope,
            },
            App::Wechat(w) => {
                self.notes.push(Finding::new(
                    Severity::Error,
                    crate::finding::codes::FLOW_MISSING_INPUT,
                    Text::with(
                        "flow.no-mini-code",
                        &[("step", &StepKind::MiniAuthCode), ("appid", &w.appid)],
                    ),
                ));
                self.set_state(StepKind::MiniAuthCode, StepState::Failed);
                Effect::Finished { ok: false }
            }
        }
    }

    /// Decrypt the button's `encryptedData` with the session key, as the server does, then go
    /// on.
    pub(super) fn decrypt_user_data(&mut self, now: OffsetDateTime) -> Effect {
        let ok = match &self.app {
            App::Wechat(w) => wechat_mini::decrypt(w, &mut self.ctx, &mut self.notes, now),
            App::Alipay(_) => false,
        };
        let state = if ok {
            StepState::Done
        } else {
            StepState::Failed
        };
        self.set_state(StepKind::DecryptUserData, state);
        self.advance(now)
    }
}
