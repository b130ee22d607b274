//! Saturation (`--ramp`): instead of one offered rate, steps of rising rates, each held for a
//! few seconds, until one is not sustained: its p99 send→receipt over the bound, or a
//! delivery it owed still missing when the step's drain time is up. The highest sustained
//! step is the scenario's saturation. With the server's process id, each step also reports
//! the server's CPU seconds (user + system, from `/proc/{pid}/stat`), so the run gives CPU
//! per 1,000 deliveries.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::report::Latency;
use crate::roster::Shared;

/// What to ramp, and when a step counts as sustained.
#[derive(Debug, Clone, Copy)]
pub struct Ramp {
    /// The first step's rate (messages/s, all clients together).
    pub start_rate: f64,
    /// Each next step's rate is this many times the last.
    pub factor: f64,
    pub step: Duration,
    /// A step is sustained while its p99 send→receipt stays within this.
    pub p99_bound: Duration,
    /// After a step's last send, how long its deliveries have to arrive.
    pub drain: Duration,
    pub max_steps: usize,
}

impl Default for Ramp {
    fn default() -> Self {
        Self {
            start_rate: 10.0,
            factor: 1.5,
            step: Duration::from_secs(4),
            p99_bound: Duration::from_millis(250),
            drain: Duration::from_secs(2),
            max_steps: 14,
        }
    }
}

impl Ramp {
    /// Step `i`'s rate: the same sequence for Confab and the baseline, so steps compare.
    pub fn rate(&self, i: usize) -> f64 {
        self.start_rate * self.factor.powi(i as i32)
    }

    /// Messages sent in a step at `rate`: at least five, so a slow step still has a p99.
    pub fn messages(&self, rate: f64) -> u64 {
        ((rate * self.step.as_secs_f64()).round() as u64).max(5)
    }
}

/// One step of the ramp.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Step {
    pub rate: f64,
    pub messages: u64,
    pub deliveries: usize,
    /// Deliveries over the step's sends and drain.
    pub deliveries_per_sec: f64,
    pub latency: Latency,
    /// Deliveries owed by the step's acknowledged messages and not made by the drain's end,
    /// and messages not acknowledged by then.
    pub missing: usize,
    pub unacked: u64,
    /// The server's CPU seconds over the step (`None` without its process id).
    pub server_cpu_secs: Option<f64>,
    pub sustained: bool,
}

/// The ramp's outcome: every step, and the highest sustained one.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Saturation {
    pub p99_bound_ms: f64,
    pub steps: Vec<Step>,
    /// The highest sustained step's rate and deliveries per second (0 if none was).
    pub sustained_rate: f64,
    pub sustained_deliveries_per_sec: f64,
    /// Over the sustained steps: the server's CPU seconds per 1,000 deliveries.
    pub cpu_secs_per_1000_deliveries: Option<f64>,
}

impl Saturation {
    pub fn of(ramp: &Ramp, steps: Vec<Step>) -> Self {
        let sustained: Vec<&Step> = steps.iter().filter(|s| s.sustained).collect();
        let best = sustained.last();
        let deliveries: usize = sustained.iter().map(|s| s.deliveries).sum();
        let cpu: Option<f64> = sustained.iter().map(|s| s.server_cpu_secs).sum();
        Self {
            p99_bound_ms: ramp.p99_bound.as_secs_f64() * 1000.0,
            sustained_rate: best.map_or(0.0, |s| s.rate),
            sustained_deliveries_per_sec: best.map_or(0.0, |s| s.deliveries_per_sec),
            cpu_secs_per_1000_deliveries: cpu
                .filter(|_| deliveries > 0)
                .map(|c| c / deliveries as f64 * 1000.0),
            steps,
        }
    }
}

/// A process's CPU seconds so far (user + system), from `/proc/{pid}/stat`. Its times are in
/// USER_HZ ticks, which Linux fixes at 100 per second for user space.
pub fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it are plain.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // After the name: state is field 3, utime 14 and stime 15 (1-based, as `man proc`).
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Counters at a step's start, to take the step's share at its end.
pub(crate) struct Mark {
    at: Instant,
    delivered: usize,
    cpu: Option<f64>,
}

impl Mark {
    pub fn now(shared: &Shared, pid: Option<u32>) -> Self {
        shared
            .step_samples
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        Self {
            at: Instant::now(),
            delivered: shared.delivered.load(Ordering::SeqCst),
            cpu: pid.and_then(cpu_secs),
        }
    }

    /// The step that began at this mark, once its sends are out: waits for its acks and
    /// deliveries up to `ramp.drain`, then judges it.
    pub async fn finish(
        self,
        shared: &Shared,
        ramp: &Ramp,
        rate: f64,
        messages: u64,
        sent_so_far: u64,
        pid: Option<u32>,
    ) -> Step {
        let deadline = Instant::now() + ramp.drain;
        let settled = || {
            shared.acked.load(Ordering::SeqCst) as u64 >= sent_so_far
                && shared.delivered.load(Ordering::SeqCst) >= shared.owed.load(Ordering::SeqCst)
        };
        while !settled() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let elapsed = self.at.elapsed().as_secs_f64();
        let delivered = shared.delivered.load(Ordering::SeqCst);
        let owed = shared.owed.load(Ordering::SeqCst);
        let acked = shared.acked.load(Ordering::SeqCst) as u64;
        let samples = std::mem::take(
            &mut *shared
                .step_samples
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        );
        let latency = Latency::of(samples);
        let deliveries = delivered - self.delivered;
        let missing = owed.saturating_sub(delivered);
        let unacked = sent_so_far.saturating_sub(acked);
        let within = latency.p99_ms <= ramp.p99_bound.as_secs_f64() * 1000.0;
        Step {
            rate,
            messages,
            deliveries,
            deliveries_per_sec: deliveries as f64 / elapsed.max(1e-9),
            sustained: within && missing == 0 && unacked == 0 && latency.samples > 0,
            latency,
            missing,
            unacked,
            server_cpu_secs: self
                .cpu
                .zip(pid.and_then(cpu_secs))
                .map(|(before, after)| after - before),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_rise_by_the_factor_and_never_send_fewer_than_five() {
        let ramp = Ramp {
            start_rate: 2.0,
            factor: 1.5,
            ..Ramp::default()
        };
        assert_eq!(ramp.rate(0), 2.0);
        assert_eq!(ramp.rate(2), 4.5);
        assert_eq!(ramp.messages(0.5), 5);
        assert_eq!(ramp.messages(100.0), 400);
    }

    fn step(rate: f64, sustained: bool, deliveries: usize, cpu: f64) -> Step {
        Step {
            rate,
            deliveries,
            deliveries_per_sec: deliveries as f64 / 4.0,
            server_cpu_secs: Some(cpu),
            sustained,
            ..Step::default()
        }
    }

    #[test]
    fn saturation_is_the_highest_sustained_step_and_cpu_counts_only_those() {
        let steps = vec![
            step(10.0, true, 4_000, 0.2),
            step(15.0, true, 6_000, 0.3),
            step(22.5, false, 5_000, 0.9),
        ];
        let s = Saturation::of(&Ramp::default(), steps);
        assert_eq!(s.sustained_rate, 15.0);
        assert_eq!(s.sustained_deliveries_per_sec, 1_500.0);
        let cpu = s.cpu_secs_per_1000_deliveries.expect("cpu");
        assert!((cpu - 0.05).abs() < 1e-9, "{cpu}");
        assert_eq!(Saturation::of(&Ramp::default(), vec![]).sustained_rate, 0.0);
    }

    #[test]
    fn this_process_has_cpu_time() {
        let mine = cpu_secs(std::process::id()).expect("readable /proc/self/stat");
        assert!(mine >= 0.0);
        assert_eq!(cpu_secs(u32::MAX), None);
    }
}
