//! The sandbox's memory: the movable clock, issued codes and tokens, injected faults.
//!
//! Everything lives behind one `Mutex` per concern and is removed on use, so two requests
//! racing for the same code see exactly one winner. Expired entries are purged as the clock
//! passes them, which keeps memory bounded however long the sandbox runs.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

/// How long an expired entry is kept after its deadline, so that a late caller gets the
/// "expired" error rather than the "unknown" one (seconds of sandbox time).
pub(crate) const EXPIRED_GRACE: i64 = 7 * 24 * 3600;

/// How many entries one store (codes, tokens, …) keeps at most by default.
pub const MAX_HELD: usize = 100_000;

/// How many evicted keys a store remembers at least (at most its cap if that is more).
const MIN_EVICTED_KEPT: usize = 4096;

/// How often (in sandbox seconds) the stores are swept for entries past their grace.
const PURGE_EVERY: i64 = 30;

/// How far the sandbox clock may be moved from the OS clock: a thousand years, far beyond any
/// lifetime, far within what dates can hold.
pub const MAX_OFFSET: i64 = 1000 * 366 * 24 * 3600;

/// The longest `slow` fault delay honoured (milliseconds), so a typo cannot hang a client.
pub const MAX_DELAY_MS: u64 = 120_000;

/// The sandbox clock: the OS clock plus an offset that tests and trainers move forward.
#[derive(Debug, Default)]
pub struct Clock {
    offset: AtomicI64,
}

impl Clock {
    /// Now, on the sandbox clock.
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(self.offset.load(Ordering::SeqCst))
    }

    /// Now as Unix seconds on the sandbox clock.
    pub fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }

    /// Move the clock forward (or back, with a negative value); returns the new offset. The
    /// offset is kept within ±[`MAX_OFFSET`] so that no date computation can overflow.
    pub fn advance(&self, seconds: i64) -> i64 {
        let step = |offset: i64| {
            Some(
                offset
                    .saturating_add(seconds)
                    .clamp(-MAX_OFFSET, MAX_OFFSET),
            )
        };
        let previous = self
            .offset
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, step)
            .unwrap_or_else(|current| current);
        step(previous).unwrap_or(previous)
    }

    /// The current offset from the OS clock, in seconds.
    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::SeqCst)
    }
}

/// Something that expires.
pub(crate) trait Expiring {
    /// Unix second (sandbox clock) after which the entry no longer works.
    fn deadline(&self) -> i64;
}

/// How long every code of both providers is here: Alipay's are 32 hex digits, WeChat's a `0`
/// and 31 letters and digits.
pub(crate) const CODE_LEN: usize = 32;

/// A code as a store key, its 32 ASCII characters held inline. A stored code then owns no
/// allocation of its own: its entry lives in the store's table alone, which a purge gives back
/// to the operating system in one piece. (Held as `String`s, with `String` fields, each code
/// was four small allocations; after a purge of millions, those stayed in the allocator's free
/// lists and half the memory stayed resident.)
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct CodeKey([u8; CODE_LEN]);

impl CodeKey {
    /// `None` for text that cannot be a code of this sandbox (another length, not ASCII).
    pub fn new(code: &str) -> Option<Self> {
        let bytes: [u8; CODE_LEN] = code.as_bytes().try_into().ok()?;
        bytes.is_ascii().then_some(Self(bytes))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a code key holds ASCII only")
    }
}

// Hashed as the `str` it borrows as, so that a store keyed by codes is searched with a `&str`.
impl Hash for CodeKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Borrow<str> for CodeKey {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CodeKey").field(&self.as_str()).finish()
    }
}

/// How many distinct strings an [`Interned`] shares at most.
const MAX_INTERNED: usize = 64;

/// Strings that many entries repeat (app ids, scopes), kept once and shared: an entry holds an
/// `Arc` to the one copy, so storing it allocates nothing. Bounded: past [`MAX_INTERNED`]
/// distinct values, a string gets an `Arc` of its own.
#[derive(Debug, Default)]
pub(crate) struct Interned(Mutex<Vec<Arc<str>>>);

impl Interned {
    pub fn get(&self, text: &str) -> Arc<str> {
        let mut known = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(shared) = known.iter().find(|k| ***k == *text) {
            return shared.clone();
        }
        let fresh: Arc<str> = Arc::from(text);
        if known.len() < MAX_INTERNED {
            known.push(fresh.clone());
        }
        fresh
    }
}

/// A map of single-use or expiring entries with remove-on-use and periodic purging, keyed by
/// `String` or, for codes, by [`CodeKey`]; searched with a `&str` either way.
#[derive(Debug)]
pub(crate) struct Store<T, K = String> {
    inner: Mutex<StoreInner<K, T>>,
    /// The most entries kept; past it the entries closest to their deadline are dropped.
    cap: AtomicUsize,
    /// Whether the keys dropped to stay under the cap are remembered (code stores: so that
    /// exchanging an evicted code can say so, rather than "invalid").
    remember: std::sync::atomic::AtomicBool,
}

#[derive(Debug)]
struct StoreInner<K, T> {
    map: HashMap<K, T>,
    next_purge: i64,
    /// Keys dropped to stay under the cap, with their deadline; at most the cap of them, each
    /// forgotten with its grace as an expired entry would be.
    evicted: HashMap<K, i64>,
}

impl<T, K> Default for Store<T, K> {
    fn default() -> Self {
        Self {
            inner: Mutex::new(StoreInner {
                map: HashMap::new(),
                next_purge: 0,
                evicted: HashMap::new(),
            }),
            cap: AtomicUsize::new(MAX_HELD),
            remember: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

impl<T: Expiring + Clone, K: Hash + Eq + Borrow<str> + Clone> Store<T, K> {
    fn lock(&self) -> std::sync::MutexGuard<'_, StoreInner<K, T>> {
        // A poisoned lock only means another request panicked mid-update; the map itself is
        // still a valid map, so keep serving.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn purge(inner: &mut StoreInner<K, T>, now: i64) {
        // Also sweep when the clock was moved back past the last sweep, or the next one would
        // wait as long as the clock was moved.
        if now >= inner.next_purge || now < inner.next_purge - PURGE_EVERY {
            inner.map.retain(|_, v| v.deadline() + EXPIRED_GRACE > now);
            // Once it would have expired, "expired" is the true answer for an evicted code.
            inner.evicted.retain(|_, deadline| *deadline > now);
            inner.next_purge = now + PURGE_EVERY;
            Self::give_back(&mut inner.map);
        }
    }

    /// Return the memory of a map that shrank to a fraction of its capacity.
    fn give_back(map: &mut HashMap<K, T>) {
        if map.capacity() > 1024 && map.len() < map.capacity() / 4 {
            map.shrink_to_fit();
        }
    }

    /// Make room under the cap: first drop what is already expired (kept only for the nicer
    /// "expired" error), then the entries closest to their deadline, a sixteenth of the cap at
    /// a time so a flood does not pay a full scan per insert.
    fn make_room(inner: &mut StoreInner<K, T>, cap: usize, now: i64, remember: bool) {
        if inner.map.len() < cap {
            return;
        }
        inner.map.retain(|_, v| v.deadline() > now);
        if inner.map.len() >= cap {
            let drop = (cap / 16).max(1).min(inner.map.len());
            let mut deadlines: Vec<i64> = inner.map.values().map(Expiring::deadline).collect();
            let (_, cut, _) = deadlines.select_nth_unstable(drop - 1);
            let cut = *cut;
            // Every entry before the cut goes, and as many at the cut as make up the count (a
            // plain "at or before the cut" would drop whichever come first in the table).
            let before = deadlines.iter().filter(|d| **d < cut).count();
            let mut at_cut = drop - before;
            let mut dropped = Vec::new();
            inner.map.retain(|k, v| {
                let goes = match v.deadline().cmp(&cut) {
                    std::cmp::Ordering::Less => true,
                    std::cmp::Ordering::Equal if at_cut > 0 => {
                        at_cut -= 1;
                        true
                    }
                    _ => false,
                };
                if goes {
                    if remember {
                        dropped.push((k.clone(), v.deadline()));
                    }
                    false
                } else {
                    true
                }
            });
            if !dropped.is_empty() {
                // Bounded: past the bound, the codes evicted first (those a walk was waiting
                // for before a flood began) are kept, and the flood's own are not recorded.
                let bound = cap.max(MIN_EVICTED_KEPT);
                if inner.evicted.len() + dropped.len() > bound {
                    inner.evicted.retain(|_, deadline| *deadline > now);
                }
                let room = bound.saturating_sub(inner.evicted.len());
                inner.evicted.extend(dropped.into_iter().take(room));
            }
        }
        Self::give_back(&mut inner.map);
        tracing::debug!(
            held = inner.map.len(),
            cap,
            "store full: oldest entries dropped"
        );
    }

    /// Remember the keys dropped to stay under the cap, for [`Store::was_evicted`].
    pub fn remember_evictions(&self) {
        self.remember.store(true, Ordering::Relaxed);
    }

    /// Whether `key` was dropped to stay under the cap (rather than never issued, used or
    /// expired): only in a store that [remembers](Store::remember_evictions).
    pub fn was_evicted(&self, key: &str) -> bool {
        self.lock().evicted.contains_key(key)
    }

    /// Change the cap (tests use a small one).
    pub fn set_cap(&self, cap: usize) {
        self.cap.store(cap.max(1), Ordering::Relaxed);
    }

    /// Insert (or replace) an entry, dropping the oldest ones when the store is full.
    pub fn insert(&self, key: K, value: T, now: i64) {
        let cap = self.cap.load(Ordering::Relaxed);
        let mut inner = self.lock();
        Self::purge(&mut inner, now);
        if !inner.map.contains_key::<str>(key.borrow()) {
            let remember = self.remember.load(Ordering::Relaxed);
            Self::make_room(&mut inner, cap, now, remember);
        }
        inner.evicted.remove::<str>(key.borrow());
        inner.map.insert(key, value);
    }

    /// Remove and return an entry: the only way a single-use value is read.
    pub fn take(&self, key: &str, now: i64) -> Option<T> {
        let mut inner = self.lock();
        Self::purge(&mut inner, now);
        inner.map.remove(key)
    }

    /// A copy of an entry, leaving it in place.
    pub fn get(&self, key: &str, now: i64) -> Option<T> {
        let mut inner = self.lock();
        Self::purge(&mut inner, now);
        inner.map.get(key).cloned()
    }

    /// Remove an entry if present.
    pub fn remove(&self, key: &str) {
        self.lock().map.remove(key);
    }

    /// Run `f` on the entry under the lock (read-modify-write without a race window).
    pub fn with<R>(&self, key: &str, now: i64, f: impl FnOnce(Option<&mut T>) -> R) -> R {
        let mut inner = self.lock();
        Self::purge(&mut inner, now);
        f(inner.map.get_mut(key))
    }

    /// How many entries are held (purged ones excluded once a sweep has run).
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }
}

/// Which emulated provider a fault applies to: the one provider type of the crate.
pub use crate::provider::Provider;

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// The provider's "system busy" answer (Alipay `20000 isp.unknow-error`, WeChat `-1`).
    ServiceUnavailable,
    /// The answer comes, correct, after `delay_ms`.
    Slow,
    /// The answer's `sign` is altered in transit (Alipay only: WeChat signs nothing).
    TamperedSignature,
    /// A load balancer's HTML 502 page instead of the provider.
    #[serde(rename = "html-502")]
    Html502,
    /// The body is cut in half: the connection dropped mid-answer.
    Truncated,
}

/// One injected fault, as posted to `/__sandbox/faults` or listed in a scenario.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub provider: Provider,
    /// Alipay: the gateway method (`alipay.system.oauth.token`); WeChat: the path
    /// (`/sns/oauth2/access_token`). `*` or absent matches every call of the provider.
    #[serde(default, alias = "path")]
    pub method: Option<String>,
    pub fault: FaultKind,
    /// How many calls it hits before it disarms itself.
    #[serde(default = "one")]
    pub count: u32,
    /// For `slow`: the delay in milliseconds.
    #[serde(default = "default_delay")]
    pub delay_ms: u64,
}

fn one() -> u32 {
    1
}

fn default_delay() -> u64 {
    3000
}

/// How many faults may be armed at once.
pub(crate) const MAX_FAULTS: usize = 64;

/// Why a fault was not armed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    #[error("count must be at least 1: a fault with count 0 never fires")]
    ZeroCount,
    #[error("{MAX_FAULTS} faults are armed already; DELETE /__sandbox/faults to clear them")]
    TooMany,
}

/// The armed faults.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    armed: Mutex<Vec<(Fault, AtomicU32)>>,
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(Fault, AtomicU32)>> {
        self.armed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Arm a fault; refused when its count is 0 or when [`MAX_FAULTS`] are armed already.
    pub fn add(&self, fault: Fault) -> Result<(), FaultError> {
        if fault.count == 0 {
            return Err(FaultError::ZeroCount);
        }
        let mut armed = self.lock();
        if armed.len() >= MAX_FAULTS {
            return Err(FaultError::TooMany);
        }
        let count = fault.count;
        armed.push((fault, AtomicU32::new(count)));
        Ok(())
    }

    /// Disarm every fault.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The armed faults with their remaining counts.
    pub fn list(&self) -> Vec<Fault> {
        self.lock()
            .iter()
            .map(|(f, left)| Fault {
                count: left.load(Ordering::SeqCst),
                ..f.clone()
            })
            .collect()
    }

    /// Take one shot of the first fault matching this call, if any.
    pub fn hit(&self, provider: Provider, target: &str) -> Option<Fault> {
        let mut armed = self.lock();
        let index = armed.iter().position(|(f, left)| {
            f.provider == provider
                && f.method
                    .as_deref()
                    .is_none_or(|m| m == "*" || m.eq_ignore_ascii_case(target))
                && left.load(Ordering::SeqCst) > 0
        })?;
        let fault = armed[index].0.clone();
        if armed[index].1.fetch_sub(1, Ordering::SeqCst) <= 1 {
            armed.remove(index);
        }
        Some(fault)
    }
}

/// Random URL-safe text for codes and tokens, from the operating system.
pub(crate) fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; len];
    // The OS random source failing is not recoverable for a server that must mint secrets.
    getrandom::getrandom(&mut bytes).expect("the operating system's random source works");
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// Random lowercase hex.
pub(crate) fn random_hex(len: usize) -> String {
    let mut bytes = vec![0u8; len.div_ceil(2)];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source works");
    let mut hex = crate::keys::hex(&bytes);
    hex.truncate(len);
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone)]
    struct Entry(i64);

    impl Expiring for Entry {
        fn deadline(&self) -> i64 {
            self.0
        }
    }

    #[test]
    fn code_keys_are_32_ascii_characters_found_by_str() {
        let code = random_hex(CODE_LEN);
        assert!(CodeKey::new(&code).is_some());
        assert!(CodeKey::new(&code[1..]).is_none(), "too short");
        assert!(CodeKey::new(&format!("{code}0")).is_none(), "too long");
        assert!(
            CodeKey::new(&format!("{}é", &code[2..])).is_none(),
            "32 bytes, not ASCII"
        );
        let store: Store<Entry, CodeKey> = Store::default();
        store.insert(CodeKey::new(&code).expect("a key"), Entry(100), 0);
        assert!(store.get(&code[1..], 0).is_none());
        assert_eq!(store.take(&code, 0).map(|e| e.0), Some(100));
        assert!(store.take(&code, 0).is_none(), "taken once");
    }

    #[test]
    fn interned_strings_are_shared_and_bounded() {
        let interned = Interned::default();
        let a = interned.get("auth_user");
        assert!(Arc::ptr_eq(&a, &interned.get("auth_user")));
        assert_eq!(&*interned.get("auth_base"), "auth_base");
        for i in 0..2 * MAX_INTERNED {
            assert_eq!(&*interned.get(&i.to_string()), i.to_string());
        }
        assert_eq!(interned.0.lock().expect("lock").len(), MAX_INTERNED);
        assert!(Arc::ptr_eq(&a, &interned.get("auth_user")), "kept");
    }
}
