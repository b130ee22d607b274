//! A latency model for the Management API (`--post-latency 30ms±10ms`). On AWS a
//! `PostToConnection` is an HTTPS round trip of tens of milliseconds; on loopback it is tens of
//! microseconds, so a fan-out measured here says nothing about a big room on AWS unless every
//! call is held as long as AWS would hold it. Each call waits a time drawn uniformly from
//! `mean ± jitter` before it is answered.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use rand::Rng as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PostLatency {
    pub mean: Duration,
    pub jitter: Duration,
}

impl PostLatency {
    /// One call's wait: uniform in `[mean - jitter, mean + jitter]` (never below zero).
    pub fn sample(&self) -> Duration {
        if self.jitter.is_zero() {
            return self.mean;
        }
        let low = self.mean.saturating_sub(self.jitter);
        let high = self.mean + self.jitter;
        rand::rng().random_range(low..=high)
    }

    pub fn is_zero(&self) -> bool {
        self.mean.is_zero() && self.jitter.is_zero()
    }
}

fn millis(text: &str) -> Result<Duration, String> {
    let number = text.trim().trim_end_matches("ms").trim();
    let ms: f64 = number
        .parse()
        .map_err(|_| format!("{number:?} is not a number of milliseconds (say 30ms)"))?;
    if !(0.0..=60_000.0).contains(&ms) {
        return Err("a latency is 0 to 60000 ms".into());
    }
    Ok(Duration::from_secs_f64(ms / 1000.0))
}

/// `30ms±10ms`, `30ms+-10ms`, `30±10`, `30ms` (no jitter) or `0`.
impl FromStr for PostLatency {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let whole = |e: String| format!("--post-latency {text:?}: {e}");
        let (mean, jitter) = match text.split_once('±').or_else(|| text.split_once("+-")) {
            Some((mean, jitter)) => (millis(mean).map_err(whole)?, millis(jitter).map_err(whole)?),
            None => (millis(text).map_err(whole)?, Duration::ZERO),
        };
        if jitter > mean {
            return Err(whole("the jitter is larger than the mean".into()));
        }
        Ok(Self { mean, jitter })
    }
}

impl fmt::Display for PostLatency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}ms±{}ms",
            self.mean.as_secs_f64() * 1000.0,
            self.jitter.as_secs_f64() * 1000.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mean_and_a_jitter_parse_in_either_spelling() {
        let expected = PostLatency {
            mean: Duration::from_millis(30),
            jitter: Duration::from_millis(10),
        };
        assert_eq!("30ms±10ms".parse(), Ok(expected));
        assert_eq!("30ms+-10ms".parse(), Ok(expected));
        assert_eq!("30±10".parse(), Ok(expected));
        assert_eq!(
            "2.5ms".parse::<PostLatency>().map(|l| l.mean),
            Ok(Duration::from_micros(2500))
        );
        assert!("0".parse::<PostLatency>().is_ok_and(|l| l.is_zero()));
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        for bad in ["fast", "30ms±", "-5ms", "10ms±20ms", "90000ms"] {
            let error = bad.parse::<PostLatency>().expect_err(bad);
            assert!(error.contains(bad), "{error}");
        }
    }

    #[test]
    fn samples_stay_within_the_band() {
        let latency: PostLatency = "30ms±10ms".parse().unwrap();
        let samples: Vec<Duration> = (0..1000).map(|_| latency.sample()).collect();
        assert!(samples.iter().all(|s| (20..=40).contains(&s.as_millis())));
        // Uniform, not constant: both halves of the band are drawn.
        assert!(samples.iter().any(|s| s.as_millis() < 25));
        assert!(samples.iter().any(|s| s.as_millis() >= 35));
    }
}
