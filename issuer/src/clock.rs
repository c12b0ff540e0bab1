//! Where the node's "now" comes from. The node never reads the system clock itself, so
//! tests and demonstrations can run it at a fixed point in time (habit: time comes
//! from outside).

use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use std::time::Instant;

/// A source of the current time, in whole seconds (as Probity writes times).
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", probity_spec::time::format(self.now()))
    }
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(Arc::new(Utc::now))
    }

    /// A clock that reads `start` now and runs at the real rate from there: what a
    /// node started with `--clock-start` uses, so that credentials and status lists
    /// carry known times while their order stays real.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        let origin = Instant::now();
        Clock(Arc::new(move || {
            let elapsed = Duration::from_std(origin.elapsed()).unwrap_or_default();
            start + elapsed
        }))
    }

    /// A clock that always reads `at`.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock(Arc::new(move || at))
    }

    /// The current time, truncated to whole seconds.
    pub fn now(&self) -> DateTime<Utc> {
        let t = (self.0)();
        DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
    }
}
