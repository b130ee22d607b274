use super::*;

const RATE: Rate = Rate {
    burst: 3,
    every_ms: 1_000,
};

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

/// Takes `n` tokens at `now`, returning the record and the last verdict.
fn take_n(
    mut buckets: Buckets,
    n: usize,
    connection: Option<(&str, Rate)>,
    now: i64,
) -> (Buckets, Result<(), RetryAfter>) {
    let mut verdict = Ok(());
    for _ in 0..n {
        match buckets.take(RATE, connection, at(now)) {
            Ok(next) => {
                buckets = next;
                verdict = Ok(());
            }
            Err(retry) => verdict = Err(retry),
        }
    }
    (buckets, verdict)
}

#[test]
fn a_bucket_allows_its_burst_then_refuses_with_the_wait() {
    let (buckets, verdict) = take_n(Buckets::default(), 3, None, 10_000);
    assert_eq!(verdict, Ok(()));
    assert_eq!(
        buckets.take(RATE, None, at(10_000)),
        Err(RetryAfter { ms: 1_000 }),
        "the fourth at once waits one interval"
    );
    assert_eq!(
        buckets.take(RATE, None, at(10_400)),
        Err(RetryAfter { ms: 600 })
    );
    assert!(
        buckets.take(RATE, None, at(11_000)).is_ok(),
        "one token back after an interval"
    );
}

#[test]
fn a_refused_action_takes_nothing() {
    let (buckets, _) = take_n(Buckets::default(), 3, None, 0);
    let (after_spam, verdict) = take_n(buckets.clone(), 100, None, 0);
    assert!(verdict.is_err());
    assert_eq!(
        after_spam, buckets,
        "spam does not push the wait further out"
    );
}

#[test]
fn a_quiet_bucket_refills_to_its_burst_and_no_further() {
    let (buckets, _) = take_n(Buckets::default(), 3, None, 0);
    let (_, verdict) = take_n(buckets.clone(), 3, None, 60_000);
    assert_eq!(verdict, Ok(()));
    let (_, verdict) = take_n(buckets, 4, None, 60_000);
    assert!(
        verdict.is_err(),
        "an hour of quiet still buys only the burst"
    );
}

#[test]
fn connections_have_their_own_buckets_inside_the_users() {
    let connection = Rate {
        burst: 2,
        every_ms: 1_000,
    };
    let (buckets, verdict) = take_n(Buckets::default(), 2, Some(("a", connection)), 0);
    assert_eq!(verdict, Ok(()));
    assert!(
        buckets.take(RATE, Some(("a", connection)), at(0)).is_err(),
        "connection a spent its burst"
    );
    let after_b = buckets
        .take(RATE, Some(("b", connection)), at(0))
        .expect("connection b has its own tokens, and the user one left");
    assert!(
        after_b.take(RATE, Some(("c", connection)), at(0)).is_err(),
        "the user's bucket is shared by every connection"
    );
}

#[test]
fn full_connection_buckets_are_dropped_from_the_record() {
    let connection = Rate {
        burst: 2,
        every_ms: 1_000,
    };
    let (buckets, _) = take_n(Buckets::default(), 1, Some(("old", connection)), 0);
    let later = buckets
        .take(RATE, Some(("new", connection)), at(5_000))
        .unwrap();
    assert_eq!(later.connections.keys().collect::<Vec<_>>(), ["new"]);
    assert_eq!(later.expires_at(), at(6_000));
}

#[test]
fn logins_are_free_up_to_the_limit_then_the_window_doubles() {
    let backoff = LoginBackoff::default();
    let mut failures = Failures::default();
    for n in 0..5 {
        failures = failures.failed(5, &backoff, at(n));
        assert_eq!(failures.check(at(n)), Ok(()), "failure {} is free", n + 1);
    }
    let mut windows = Vec::new();
    for n in 0..4 {
        let now = 100_000 * (n + 1);
        failures = failures.failed(5, &backoff, at(now));
        windows.push(failures.check(at(now)).unwrap_err().ms);
        assert_eq!(failures.check(at(now + windows[n as usize] as i64)), Ok(()));
    }
    assert_eq!(windows, [1_000, 2_000, 4_000, 8_000]);
}

#[test]
fn the_login_window_is_capped_so_the_owner_always_gets_back_in() {
    let backoff = LoginBackoff::default();
    let mut failures = Failures::default();
    for n in 0..200 {
        failures = failures.failed(5, &backoff, at(n * 1_000));
    }
    let wait = failures.check(at(199_000)).unwrap_err();
    assert_eq!(wait.ms, backoff.max_window_ms as u64);
    assert_eq!(failures.check(at(199_000 + backoff.max_window_ms)), Ok(()));
}

#[test]
fn a_quiet_hour_forgets_failed_logins() {
    let backoff = LoginBackoff::default();
    let mut failures = Failures::default();
    for n in 0..8 {
        failures = failures.failed(5, &backoff, at(n));
    }
    let later = failures.failed(5, &backoff, at(8 + backoff.forget_after_ms));
    assert_eq!(later.check(at(8 + backoff.forget_after_ms)), Ok(()));
    assert_eq!(later.count, 1);
}

#[test]
fn retry_after_rounds_up_to_whole_seconds() {
    assert_eq!(RetryAfter { ms: 1 }.secs(), 1);
    assert_eq!(RetryAfter { ms: 1_000 }.secs(), 1);
    assert_eq!(RetryAfter { ms: 1_001 }.secs(), 2);
}
