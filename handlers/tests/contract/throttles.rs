use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use handlers::domain::ports::Stored;
use shared::Timestamp;

use super::{Context, Stores, eq};

fn stored(state: &str, expires_at: Timestamp) -> Stored {
    Stored {
        state: state.into(),
        expires_at,
    }
}

/// Reads the record at `key` without writing.
async fn read(s: &Stores, key: &str) -> Result<Option<String>, String> {
    let mut seen = None;
    s.throttles
        .update(key, &mut |state| {
            seen = state.map(str::to_owned);
            None
        })
        .await
        .ctx("read")?;
    Ok(seen)
}

pub async fn a_throttle_record_is_written_read_and_forgotten(s: Stores) -> Result<(), String> {
    let later = s.clock_now().plus_secs(60);
    eq(read(&s, "send/alice").await?, None, "before any write")?;
    s.throttles
        .update("send/alice", &mut |_| Some(stored(r#"{"user":1}"#, later)))
        .await
        .ctx("first write")?;
    eq(
        read(&s, "send/alice").await?,
        Some(r#"{"user":1}"#.into()),
        "after a write",
    )?;
    s.throttles
        .update("send/alice", &mut |state| {
            let next = format!("{}+", state.unwrap_or("none"));
            Some(stored(&next, later))
        })
        .await
        .ctx("second write")?;
    eq(
        read(&s, "send/alice").await?,
        Some(r#"{"user":1}+"#.into()),
        "a change sees the record it replaces",
    )?;
    eq(read(&s, "send/bob").await?, None, "keys are separate")?;
    s.throttles.forget("send/alice").await.ctx("forget")?;
    s.throttles
        .forget("send/nobody")
        .await
        .ctx("forget absent")?;
    eq(read(&s, "send/alice").await?, None, "after forget")
}

pub async fn an_expired_throttle_record_reads_as_none(s: Stores) -> Result<(), String> {
    let soon = s.clock_now().plus_secs(2);
    s.throttles
        .update("join/carol", &mut |_| Some(stored("x", soon)))
        .await
        .ctx("write")?;
    eq(
        read(&s, "join/carol").await?,
        Some("x".into()),
        "while live",
    )?;
    s.clock.advance_ms(3_000);
    eq(read(&s, "join/carol").await?, None, "once expired")?;
    s.throttles
        .update("join/carol", &mut |state| {
            Some(stored(state.unwrap_or("fresh"), soon.plus_secs(60)))
        })
        .await
        .ctx("rewrite")?;
    eq(
        read(&s, "join/carol").await?,
        Some("fresh".into()),
        "an expired record is replaced",
    )
}

/// Counting through racing updates: each increments what it read, so a lost update shows as
/// a final count below the number of writers, and every writer lands (sixteen at once is what
/// a burst of sign-ups from one address behind a NAT does to its record).
pub async fn racing_throttle_updates_lose_nothing(s: Stores) -> Result<(), String> {
    let later = s.clock_now().plus_secs(60);
    let writers = 16;
    let changes = Arc::new(AtomicUsize::new(0));
    // Collected, so that every writer is under way before the first is awaited.
    let tasks: Vec<_> = (0..writers)
        .map(|_| {
            let throttles = s.throttles.clone();
            let changes = changes.clone();
            tokio::spawn(async move {
                throttles
                    .update("send/racer", &mut |state| {
                        changes.fetch_add(1, Ordering::SeqCst);
                        let n: u32 = state.and_then(|s| s.parse().ok()).unwrap_or(0);
                        Some(stored(&(n + 1).to_string(), later))
                    })
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.ctx("join")?.ctx("a racing update")?;
    }
    let count: usize = read(&s, "send/racer")
        .await?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    eq(count, writers, "every racing update counted")
}
