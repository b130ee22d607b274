//! Saturation (`--ramp`): instead of one offered rate, steps of rising rates, each held for a
//! few seconds, until one is not sustained: its p99 send→receipt over the bound, or a
//! delivery it owed still missing when the step's drain time is up. Then a few steps bisect
//! between the highest sustained rate and the lowest failed one (each once the server has
//! caught up), so the saturation is known to a few percent, not to the factor between steps.
//! The highest sustained step is the scenario's saturation. With the server's process id, each step also reports
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
    /// Rising steps at most.
    pub max_steps: usize,
    /// Steps after the first failed one, each at the geometric mean of the highest sustained
    /// and the lowest failed rate: 3 narrow a factor of 1.5 to 5%.
    pub refinements: usize,
    /// Before a refining step, how long the server has to deliver its backlog; one that has
    /// not by then ends the ramp.
    pub recover: Duration,
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
            refinements: 3,
            recover: Duration::from_secs(15),
        }
    }
}

impl Ramp {
    /// Step `i`'s rate: the same sequence for Confab and the baseline, so steps compare.
    pub fn rate(&self, i: usize) -> f64 {
        self.start_rate * self.factor.powi(i as i32)
    }

    /// The next step's rate after `steps`, or `None` when the ramp is done: rising until a
    /// step fails, then `refinements` bisecting steps. A start above what the server sustains
    /// (a ramp sized for a bigger machine) steps down by the factor until a step holds, then
    /// bisects the same way; at most `max_steps` steps rise or fall, and none falls so low that
    /// its few messages (`messages`) would take over twice a step's time.
    pub fn next_rate(&self, steps: &[Step]) -> Option<f64> {
        let Some(first_failed) = steps.iter().position(|s| !s.sustained) else {
            return (steps.len() < self.max_steps).then(|| self.rate(steps.len()));
        };
        let lowest_failed = steps
            .iter()
            .filter(|s| !s.sustained)
            .map(|s| s.rate)
            .reduce(f64::min)?;
        let Some(first_sustained) = steps.iter().position(|s| s.sustained) else {
            let lower = lowest_failed / self.factor;
            let takes = self.messages(lower) as f64 / lower;
            let in_time = takes <= 2.0 * self.step.as_secs_f64();
            return (steps.len() < self.max_steps && in_time).then_some(lower);
        };
        // Refining begins once both a sustained and a failed rate are known.
        if steps.len() - first_failed.max(first_sustained) > self.refinements {
            return None;
        }
        let highest_sustained = steps
            .iter()
            .filter(|s| s.sustained)
            .map(|s| s.rate)
            .reduce(f64::max)?;
        Some((highest_sustained * lowest_failed).sqrt())
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
        let best = sustained.iter().max_by(|a, b| a.rate.total_cmp(&b.rate));
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

/// Waits until every message sent so far is acknowledged and every delivery owed made, for
/// `within` at most; whether they were.
pub(crate) async fn settled(shared: &Shared, sent_so_far: u64, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    let done = || {
        shared.acked.load(Ordering::SeqCst) as u64 >= sent_so_far
            && shared.delivered.load(Ordering::SeqCst) >= shared.owed.load(Ordering::SeqCst)
    };
    while !done() {
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
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
        settled(shared, sent_so_far, ramp.drain).await;
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
    fn after_the_first_failed_step_the_ramp_bisects_between_sustained_and_failed() {
        let ramp = Ramp {
            start_rate: 100.0,
            factor: 2.0,
            max_steps: 5,
            refinements: 2,
            ..Ramp::default()
        };
        let mut steps = vec![step(100.0, true, 1, 0.0)];
        assert_eq!(ramp.next_rate(&steps), Some(200.0));
        steps.push(step(200.0, true, 1, 0.0));
        steps.push(step(400.0, false, 1, 0.0));
        // √(200 · 400)
        let first = ramp.next_rate(&steps).expect("a refining step");
        assert!((first - 282.84).abs() < 0.01, "{first}");
        steps.push(step(first, true, 1, 0.0));
        let second = ramp.next_rate(&steps).expect("a second refining step");
        assert!((second - (first * 400.0_f64).sqrt()).abs() < 1e-9);
        steps.push(step(second, false, 1, 0.0));
        assert_eq!(ramp.next_rate(&steps), None, "two refinements, then done");
        assert_eq!(Saturation::of(&ramp, steps).sustained_rate, first);
    }

    #[test]
    fn a_ramp_stops_rising_or_falling_at_max_steps() {
        let ramp = Ramp {
            max_steps: 2,
            ..Ramp::default()
        };
        let sustained = [step(10.0, true, 1, 0.0), step(15.0, true, 1, 0.0)];
        assert_eq!(ramp.next_rate(&sustained), None);
        let failed = [step(10.0, false, 1, 0.0), step(10.0 / 1.5, false, 1, 0.0)];
        assert_eq!(ramp.next_rate(&failed), None);
    }

    #[test]
    fn stepping_down_stops_where_a_step_would_take_over_twice_its_time() {
        let ramp = Ramp {
            start_rate: 4.0,
            factor: 2.0,
            step: Duration::from_secs(4),
            ..Ramp::default()
        };
        // 2 messages/s sends its 8 in 4 s; 1/s its 5 in 5 s; 0.5/s would take 10 s, over 8.
        let mut steps = vec![step(4.0, false, 1, 0.0)];
        assert_eq!(ramp.next_rate(&steps), Some(2.0));
        steps.push(step(2.0, false, 1, 0.0));
        assert_eq!(ramp.next_rate(&steps), Some(1.0));
        steps.push(step(1.0, false, 1, 0.0));
        assert_eq!(ramp.next_rate(&steps), None);
    }

    #[test]
    fn a_start_the_server_cannot_sustain_steps_down_then_bisects() {
        let ramp = Ramp {
            start_rate: 8.0,
            factor: 2.0,
            refinements: 2,
            ..Ramp::default()
        };
        let mut steps = vec![step(8.0, false, 1, 0.0)];
        assert_eq!(ramp.next_rate(&steps), Some(4.0));
        steps.push(step(4.0, false, 1, 0.0));
        assert_eq!(ramp.next_rate(&steps), Some(2.0));
        steps.push(step(2.0, true, 1, 0.0));
        // √(2 · 4): between the sustained step and the lowest failed one.
        let first = ramp.next_rate(&steps).expect("a refining step");
        assert!((first - 8.0_f64.sqrt()).abs() < 1e-9, "{first}");
        steps.push(step(first, true, 1, 0.0));
        assert!(ramp.next_rate(&steps).is_some(), "a second refining step");
        steps.push(step(3.5, false, 1, 0.0));
        assert_eq!(ramp.next_rate(&steps), None, "two refinements, then done");
        assert_eq!(Saturation::of(&ramp, steps).sustained_rate, first);
    }

    #[test]
    fn this_process_has_cpu_time() {
        let mine = cpu_secs(std::process::id()).expect("readable /proc/self/stat");
        assert!(mine >= 0.0);
        assert_eq!(cpu_secs(u32::MAX), None);
    }
}
