//! What a run measured, for people and for `--json`.

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    pub samples: usize,
}

impl Latency {
    /// Percentiles (nearest rank) of send→receipt samples in microseconds.
    pub fn of(mut micros: Vec<u64>) -> Self {
        if micros.is_empty() {
            return Self::default();
        }
        micros.sort_unstable();
        let rank = |p: f64| {
            let i = ((p / 100.0) * micros.len() as f64).ceil() as usize;
            micros[i.clamp(1, micros.len()) - 1] as f64 / 1000.0
        };
        let sum: u64 = micros.iter().sum();
        Self {
            p50_ms: rank(50.0),
            p95_ms: rank(95.0),
            p99_ms: rank(99.0),
            max_ms: *micros.last().unwrap_or(&0) as f64 / 1000.0,
            mean_ms: sum as f64 / micros.len() as f64 / 1000.0,
            samples: micros.len(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub target: String,
    pub baseline: bool,
    pub clients: usize,
    pub rooms: usize,
    pub messages_sent: usize,
    pub messages_acked: usize,
    /// For every acknowledged message, every other client in its room.
    pub expected_deliveries: usize,
    pub delivered_live: usize,
    /// Read from history at once, when a live message's sequence number skipped ahead.
    pub recovered_by_gap: usize,
    /// Read from history after a reconnect.
    pub recovered_by_reconnect: usize,
    /// Read from history at the end of the run (a post dropped after the room's last message).
    pub recovered_at_tail: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub out_of_order: usize,
    pub churned_clients: usize,
    /// Sockets the server dropped (a restart drops them all), each connected again.
    pub dropped_by_server: usize,
    pub latency: Latency,
    /// Gaps closed while connected: from the live message that revealed the gap (the next
    /// message after the lost one) until the history read ended. Includes `GAP_GRACE_MS`.
    pub gap_recovery: Latency,
    /// Live deliveries per second over the send phase and settling.
    pub deliveries_per_sec: f64,
    pub duration_secs: f64,
    /// Registering, connecting and joining every client, before the first send.
    pub setup_secs: f64,
    /// What flooders sent and got through, when the run had any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flood: Option<crate::flood::FloodStats>,
    /// The ramp's steps and the highest sustained rate, when the run ramped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturation: Option<crate::ramp::Saturation>,
}

impl Report {
    /// Nothing lost, duplicated or reordered, and every message acknowledged.
    pub fn healthy(&self) -> bool {
        self.lost == 0
            && self.duplicated == 0
            && self.out_of_order == 0
            && self.messages_acked == self.messages_sent
    }

    /// The run's verdict (the tool's exit status): Confab's health, and the baseline's. A ramp
    /// drives the bare baseline past its saturation on purpose: there an ack slower than the
    /// client's wait has it send again, and the baseline, which keeps no client message ids,
    /// broadcasts the frame twice. In a ramp its second deliveries are counted in the report,
    /// not held against the run; a loss or a break in order still is.
    pub fn verdict(confab: &Report, baseline: Option<&Report>, ramping: bool) -> bool {
        let baseline_ok = |b: &Report| match ramping {
            true => Report {
                duplicated: 0,
                ..b.clone()
            }
            .healthy(),
            false => b.healthy(),
        };
        confab.healthy() && baseline.is_none_or(baseline_ok)
    }

    pub fn human(&self) -> String {
        let l = &self.latency;
        let flood = self.flood.map_or(String::new(), |f| {
            format!(
                "\nflooders   sent {}, stored {}, refused rate_limited {}",
                f.sent, f.accepted, f.refused
            )
        });
        let summary = format!(
            "confab-load against {target}{baseline}\n\
             clients {clients} in {rooms} room(s); {churned} churned; {dropped} sockets dropped by the server\n\
             messages   sent {sent}, acked {acked}\n\
             deliveries expected {expected}, live {live}; recovered by gap {gap}, by reconnect {reconnect}, at the end {tail}\n\
             lost {lost}   duplicated {dup}   out of order {ooo}   → {verdict}\n\
             latency    p50 {p50:.2} ms   p95 {p95:.2} ms   p99 {p99:.2} ms   max {max:.2} ms   ({n} samples)\n\
             gap closed p50 {g50:.0} ms   max {gmax:.0} ms after the message that revealed it ({gn} gaps)\n\
             throughput {tput:.0} deliveries/s over {secs:.1} s",
            target = self.target,
            baseline = if self.baseline {
                " (bare baseline)"
            } else {
                ""
            },
            clients = self.clients,
            rooms = self.rooms,
            churned = self.churned_clients,
            dropped = self.dropped_by_server,
            sent = self.messages_sent,
            acked = self.messages_acked,
            expected = self.expected_deliveries,
            live = self.delivered_live,
            gap = self.recovered_by_gap,
            reconnect = self.recovered_by_reconnect,
            tail = self.recovered_at_tail,
            lost = self.lost,
            dup = self.duplicated,
            ooo = self.out_of_order,
            verdict = if self.healthy() {
                "healthy"
            } else {
                "NOT HEALTHY"
            },
            p50 = l.p50_ms,
            p95 = l.p95_ms,
            p99 = l.p99_ms,
            max = l.max_ms,
            n = l.samples,
            g50 = self.gap_recovery.p50_ms,
            gmax = self.gap_recovery.max_ms,
            gn = self.gap_recovery.samples,
            tput = self.deliveries_per_sec,
            secs = self.duration_secs,
        );
        let ramp = self.saturation.as_ref().map_or(String::new(), |s| {
            format!(
                "\nsaturation {:.1} messages/s ({:.0} deliveries/s) with p99 ≤ {:.0} ms and nothing missing; \
                 server CPU {} s per 1,000 deliveries",
                s.sustained_rate,
                s.sustained_deliveries_per_sec,
                s.p99_bound_ms,
                s.cpu_secs_per_1000_deliveries
                    .map_or("?".into(), |c| format!("{c:.4}"))
            )
        });
        summary + &flood + &ramp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let l = Latency::of((1..=100).map(|ms| ms * 1000).collect());
        assert_eq!(
            (l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms),
            (50.0, 95.0, 99.0, 100.0)
        );
        assert_eq!(l.samples, 100);
        assert_eq!(Latency::of(vec![]).samples, 0);
    }

    #[test]
    fn any_loss_duplicate_or_reorder_is_unhealthy() {
        let ok = Report {
            messages_sent: 3,
            messages_acked: 3,
            ..Default::default()
        };
        assert!(ok.healthy());
        assert!(
            !Report {
                lost: 1,
                ..ok.clone()
            }
            .healthy()
        );
        assert!(
            !Report {
                duplicated: 1,
                ..ok.clone()
            }
            .healthy()
        );
        assert!(
            !Report {
                out_of_order: 1,
                ..ok.clone()
            }
            .healthy()
        );
        assert!(
            !Report {
                messages_acked: 2,
                ..ok
            }
            .healthy()
        );
    }

    #[test]
    fn a_ramp_forgives_the_baselines_second_deliveries_and_nothing_else() {
        let ok = Report {
            messages_sent: 3,
            messages_acked: 3,
            ..Default::default()
        };
        let twice = Report {
            duplicated: 250,
            ..ok.clone()
        };
        assert!(Report::verdict(&ok, Some(&twice), true));
        assert!(!Report::verdict(&ok, Some(&twice), false));
        assert!(!Report::verdict(&twice, Some(&ok), true));
        assert!(Report::verdict(&ok, None, false));
        let lost = Report {
            lost: 1,
            ..ok.clone()
        };
        assert!(
            !Report::verdict(&ok, Some(&lost), true),
            "a loss still counts"
        );
    }
}
