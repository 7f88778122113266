//! What every request handler shares: the configuration, the clock, the issued tokens and the
//! Graph data (behind one lock), the fault script and the counters.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use super::config::Config;
use super::data::changes::DeltaLog;
use super::data::fixtures;
use super::data::store::Directory;
use super::data::subscriptions::SubscriptionStore;
use super::data::tokens::Tokens;
use super::script::{Counters, ScriptState};
use super::util;
use crate::clock::Clock;

/// Everything the request handlers share.
pub(crate) struct Shared {
    pub config: Config,
    pub clock: Arc<dyn Clock>,
    pub base_url: String,
    state: Mutex<State>,
    script: Mutex<ScriptState>,
    counters: Mutex<Counters>,
}

/// Issued tokens and the Graph data.
pub(crate) struct State {
    pub tokens: Tokens,
    pub dir: Directory,
    /// Delta sync states (`$deltatoken` snapshots) and rounds being paged.
    pub changes: DeltaLog,
    /// Change-notification subscriptions.
    pub subscriptions: SubscriptionStore,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub fn new(config: Config, clock: Arc<dyn Clock>, base_url: String) -> Shared {
        let dir = fixtures::directory(&config.user);
        Shared {
            config,
            clock,
            base_url,
            state: Mutex::new(State {
                tokens: Tokens::default(),
                dir,
                changes: DeltaLog::default(),
                subscriptions: SubscriptionStore::default(),
            }),
            script: Mutex::new(ScriptState::default()),
            counters: Mutex::new(Counters::default()),
        }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub fn script(&self) -> MutexGuard<'_, ScriptState> {
        lock(&self.script)
    }

    pub fn counters(&self) -> MutexGuard<'_, Counters> {
        lock(&self.counters)
    }

    pub fn system_now(&self) -> SystemTime {
        self.clock.system_now()
    }

    /// Now, in epoch seconds.
    pub fn now(&self) -> i64 {
        util::epoch(self.system_now())
    }
}
