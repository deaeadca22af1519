//! Attempts of a runnable task: `timeout` per attempt, `retry` (constant / exponential /
//! random) looked up task → ancestors → flow, kill on Ctrl-C.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::registry::{Call, Family};
use super::state::{BoxFut, Exec, Outcome, RunInfo, Scope};
use crate::record::State;
use crate::task::Level;
use crate::time::JavaDuration;

pub(crate) fn duration_of(value: Option<&Value>) -> Option<Duration> {
    let text = value?.as_str()?;
    JavaDuration::parse(text).ok()?.to_std()
}

pub(crate) struct Policy {
    kind: String,
    max_attempts: Option<u64>,
    max_duration: Option<Duration>,
    interval: Duration,
    max_interval: Option<Duration>,
    min_interval: Duration,
    factor: u64,
    pub warning_on_retry: bool,
}

impl Policy {
    pub(crate) fn from_json(v: &Value) -> Option<Policy> {
        let obj = v.as_object()?;
        let get_u = |k: &str| {
            obj.get(k)
                .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
        };
        Some(Policy {
            kind: obj
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("constant")
                .to_ascii_lowercase(),
            max_attempts: get_u("maxAttempts").or_else(|| get_u("maxAttempt")),
            max_duration: duration_of(obj.get("maxDuration")),
            interval: duration_of(obj.get("interval")).unwrap_or(Duration::ZERO),
            max_interval: duration_of(obj.get("maxInterval")),
            min_interval: duration_of(obj.get("minInterval")).unwrap_or(Duration::ZERO),
            factor: obj
                .get("delayFactor")
                .and_then(Value::as_f64)
                .map(|f| f.max(0.0) as u64)
                .unwrap_or(2),
            warning_on_retry: obj.get("warningOnRetry").and_then(Value::as_bool) == Some(true),
        })
    }

    /// Delay before attempt `n + 1` after `n` attempts, or `None` when no more attempts.
    pub(crate) fn next_delay(&self, attempts: u64, first_start: Instant) -> Option<Duration> {
        if self.max_attempts.is_none() && self.max_duration.is_none() {
            // Kestra requires one of them; without, do not retry forever.
            return None;
        }
        if self.max_attempts.is_some_and(|m| attempts >= m) {
            return None;
        }
        let delay = match self.kind.as_str() {
            "exponential" => {
                let d = self
                    .interval
                    .saturating_mul((self.factor * (attempts - 1)) as u32);
                match self.max_interval {
                    Some(m) => d.min(m),
                    None => d,
                }
            }
            "random" => {
                let max = self.max_interval.unwrap_or(self.min_interval);
                if max <= self.min_interval {
                    self.min_interval
                } else {
                    let span = (max - self.min_interval).as_millis() as u64;
                    let jitter = crate::ids::random_u64() % span.max(1);
                    self.min_interval + Duration::from_millis(jitter)
                }
            }
            _ => self.interval,
        };
        if let Some(max) = self.max_duration {
            if first_start.elapsed() + delay > max {
                return None;
            }
        }
        Some(delay)
    }
}

impl Exec {
    pub(crate) async fn run_with_retry(
        self: Arc<Self>,
        family: &'static Family,
        def: &Value,
        type_: &str,
        info: &RunInfo,
        scope: &Scope,
    ) -> Outcome {
        let (me, task, kind, at) = (
            self.clone(),
            Arc::new(def.clone()),
            Arc::new(type_.to_string()),
            Arc::new(scope.clone()),
        );
        self.with_retries(def, info, scope, move |info| {
            let (me, task, kind, at) = (me.clone(), task.clone(), kind.clone(), at.clone());
            Box::pin(async move { me.one_attempt(family, &task, &kind, &info, &at).await })
        })
        .await
    }

    /// One attempt of a runnable task, under its `timeout`, stopped when the run is killed.
    async fn one_attempt(
        self: Arc<Self>,
        family: &'static Family,
        def: &Value,
        type_: &str,
        info: &RunInfo,
        scope: &Scope,
    ) -> Outcome {
        let vars = self.task_vars(info, scope, def);
        let timeout = match def.get("timeout") {
            None => Ok(None),
            Some(t) => self.render_string(t, &vars).and_then(|text| {
                JavaDuration::parse(&text)
                    .ok()
                    .and_then(|d| d.to_std())
                    .map(Some)
                    .ok_or_else(|| format!("invalid timeout '{text}'"))
            }),
        };
        match timeout {
            Err(e) => Outcome::failed(e),
            Ok(timeout) => {
                let call = Call {
                    def,
                    type_,
                    info,
                    scope,
                    timeout,
                };
                let work = (family.run)(self.clone(), &call);
                let work = async {
                    // Scripts kill their own process group at the timeout; the outer
                    // guard only catches a runner that does not return.
                    let guard = timeout.map(|t| {
                        if type_.starts_with("io.kestra.plugin.scripts.") {
                            t + Duration::from_secs(5)
                        } else {
                            t
                        }
                    });
                    match guard {
                        Some(t) => match tokio::time::timeout(t, work).await {
                            Ok(o) => o,
                            Err(_) => Outcome::failed(format!(
                                "Timeout after {}",
                                JavaDuration::from_std(t).to_iso()
                            )),
                        },
                        None => work.await,
                    }
                };
                tokio::select! {
                    o = work => o,
                    _ = self.wait_killed() => Outcome { state: State::Killed, outputs: None, message: Some("killed".into()) },
                }
            }
        }
    }

    /// Attempts of one task run: each is recorded; a failed one is tried again while the
    /// `retry` of the task (else of its nearest ancestor, else of the flow) allows.
    pub(crate) async fn with_retries(
        self: &Arc<Self>,
        def: &Value,
        info: &RunInfo,
        scope: &Scope,
        attempt: impl Fn(RunInfo) -> BoxFut<'static, Outcome>,
    ) -> Outcome {
        let policy = def
            .get("retry")
            .or(scope.retry.as_ref())
            .and_then(Policy::from_json);
        let first = Instant::now();
        let mut info = info.clone();
        let mut attempts: u64 = 0;
        loop {
            let start = crate::record::now();
            let outcome = attempt(info.clone()).await;
            attempts += 1;
            self.add_attempt(&info, outcome.state, start);
            if outcome.state != State::Failed || self.is_killed() {
                let mut state = outcome.state;
                if state == State::Success
                    && attempts > 1
                    && policy.as_ref().is_some_and(|p| p.warning_on_retry)
                {
                    state = State::Warning;
                }
                return Outcome { state, ..outcome };
            }
            let Some(delay) = policy.as_ref().and_then(|p| p.next_delay(attempts, first)) else {
                return outcome;
            };
            let msg = outcome.message.unwrap_or_else(|| "failed".into());
            self.log(
                Some(&info.task_id),
                scope.depth,
                Some(&info.id),
                Level::Warn,
                &format!(
                    "attempt {attempts} failed: {msg}; retrying in {}",
                    JavaDuration::from_std(delay).to_iso()
                ),
            );
            self.set_state(&info, scope, State::Retrying, None, None);
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = self.wait_killed() => return Outcome { state: State::Killed, outputs: None, message: None },
            }
            info.attempts = attempts as usize;
            self.set_state(&info, scope, State::Running, None, None);
        }
    }
}
