//! Reconnect delays: exponential, capped, with jitter so that a room full of clients dropped
//! by the same outage does not come back in one burst.

/// First retry after about half a second.
pub const BASE_MS: f64 = 500.0;
/// Never wait longer than this between tries.
pub const CAP_MS: f64 = 30_000.0;

/// The wait before reconnect attempt `attempt` (0 for the first retry). `random` is in
/// `[0, 1)`: the wait is between half and all of the capped exponential step ("equal
/// jitter"), so it always grows on average but never syncs up across clients.
pub fn delay_ms(attempt: u32, random: f64) -> u32 {
    let step = (BASE_MS * 2f64.powi(attempt.min(16) as i32)).min(CAP_MS);
    let jitter = random.clamp(0.0, 1.0);
    (step / 2.0 + step / 2.0 * jitter).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_until_the_cap() {
        let top: Vec<u32> = (0..8).map(|a| delay_ms(a, 1.0)).collect();
        assert_eq!(
            top,
            [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]
        );
        assert_eq!(
            delay_ms(1_000, 1.0),
            30_000,
            "huge attempt counts do not overflow"
        );
    }

    #[test]
    fn jitter_spreads_each_delay_over_its_upper_half() {
        assert_eq!(delay_ms(3, 0.0), 2_000);
        assert_eq!(delay_ms(3, 0.5), 3_000);
        assert!(delay_ms(3, 0.999) < 4_000);
        assert_eq!(
            delay_ms(3, -5.0),
            2_000,
            "out-of-range randomness is clamped"
        );
    }
}
