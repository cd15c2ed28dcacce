//! What reached the demo apps' callback ([`CALLBACK_PATH`](super::CALLBACK_PATH)), kept so a
//! walk waiting at its consent learns of a redirect that came from elsewhere: a phone (phone
//! mode) or a desktop browser approved on the consent page and followed the 302. The walk asks
//! with its `state` (`GET /__sandbox/callbacks?state=…&wait_ms=…`, a long poll); each hit is
//! handed out once. Every hit is also logged, with its time and user agent, for the walk's
//! timeline (`GET /__sandbox/callback-log?state=…`): a page that redirected twice shows as two
//! hits with one code.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;

/// The most hits kept: older ones are dropped first.
pub const MAX_HITS: usize = 32;
/// The longest a long poll waits before it answers "nothing yet".
pub const MAX_WAIT: Duration = Duration::from_secs(8);

/// The hits not yet handed out, and a counter that moves with each new one.
#[derive(Debug)]
pub(crate) struct Callbacks {
    hits: Mutex<VecDeque<Hit>>,
    seq: watch::Sender<u64>,
    /// Every hit, kept (the last [`MAX_HITS`]) for the timeline.
    log: Mutex<VecDeque<Logged>>,
}

/// One hit on the callback as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Logged {
    /// Unix time in milliseconds, on the sandbox clock.
    pub at_ms: i64,
    #[serde(skip)]
    pub state: Option<String>,
    pub url: String,
    pub user_agent: Option<String>,
    /// The sandbox itself exchanged this hit's code, as an app's page does on each load (the
    /// `redirect-twice` scenario's first landing).
    pub exchanged: bool,
}

#[derive(Debug, Clone)]
struct Hit {
    state: Option<String>,
    url: String,
}

impl Default for Callbacks {
    fn default() -> Self {
        Self {
            hits: Mutex::new(VecDeque::new()),
            seq: watch::Sender::new(0),
            log: Mutex::new(VecDeque::new()),
        }
    }
}

impl Callbacks {
    fn hits(&self) -> std::sync::MutexGuard<'_, VecDeque<Hit>> {
        self.hits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Log a hit for the timeline only (it is not handed out as a redirect).
    pub fn log(&self, hit: Logged) {
        let mut log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if log.len() == MAX_HITS {
            log.pop_front();
        }
        log.push_back(hit);
    }

    /// Every logged hit carrying `state`, oldest first.
    pub fn logged(&self, state: &str) -> Vec<Logged> {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter(|h| h.state.as_deref() == Some(state))
            .cloned()
            .collect()
    }

    /// A request reached the callback: `url` as the browser asked for it, `state` its
    /// decoded `state` parameter. Logged for the timeline with its time and user agent.
    pub fn record_at(
        &self,
        url: String,
        state: Option<String>,
        at_ms: i64,
        user_agent: Option<String>,
    ) {
        self.log(Logged {
            at_ms,
            state: state.clone(),
            url: url.clone(),
            user_agent,
            exchanged: false,
        });
        self.record(url, state);
    }

    /// A request reached the callback (handed out once to the walk of its `state`).
    pub fn record(&self, url: String, state: Option<String>) {
        {
            let mut hits = self.hits();
            if hits.len() == MAX_HITS {
                hits.pop_front();
            }
            hits.push_back(Hit { state, url });
        }
        self.seq.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The first hit carrying `state`, taken out.
    fn take(&self, state: &str) -> Option<String> {
        let mut hits = self.hits();
        let i = hits
            .iter()
            .position(|h| h.state.as_deref() == Some(state))?;
        hits.remove(i).map(|h| h.url)
    }

    /// The first hit carrying `state`, waiting up to `wait` for one to come.
    pub async fn wait_for(&self, state: &str, wait: Duration) -> Option<String> {
        // Subscribed before looking, so a hit recorded in between wakes the wait.
        let mut changed = self.seq.subscribe();
        let deadline = tokio::time::Instant::now() + wait.min(MAX_WAIT);
        loop {
            if let Some(url) = self.take(state) {
                return Some(url);
            }
            match tokio::time::timeout_at(deadline, changed.changed()).await {
                Ok(Ok(())) => {}
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hit_is_handed_once_to_the_walk_of_its_state() {
        let c = Callbacks::default();
        c.record("http://h/cb?state=other".into(), Some("other".into()));
        assert_eq!(c.wait_for("mine", Duration::from_millis(10)).await, None);
        c.record("http://h/cb?state=mine".into(), Some("mine".into()));
        assert_eq!(
            c.wait_for("mine", Duration::from_millis(10))
                .await
                .as_deref(),
            Some("http://h/cb?state=mine")
        );
        assert_eq!(c.wait_for("mine", Duration::from_millis(10)).await, None);
    }

    #[tokio::test]
    async fn a_waiting_poll_wakes_when_its_hit_comes() {
        let c = std::sync::Arc::new(Callbacks::default());
        let waiting = tokio::spawn({
            let c = c.clone();
            async move { c.wait_for("s", Duration::from_secs(5)).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        c.record("http://h/cb?code=1&state=s".into(), Some("s".into()));
        assert_eq!(
            waiting.await.unwrap().as_deref(),
            Some("http://h/cb?code=1&state=s")
        );
    }

    #[test]
    fn old_hits_give_way_to_new_ones() {
        let c = Callbacks::default();
        for i in 0..=MAX_HITS {
            c.record(format!("u{i}"), Some(format!("s{i}")));
        }
        assert_eq!(c.take("s0"), None);
        assert_eq!(
            c.take(&format!("s{MAX_HITS}")).as_deref(),
            Some(&*format!("u{MAX_HITS}"))
        );
    }
}
