//! One accepted socket's traffic until it ends: a reader task hands each data frame to the
//! session's worker, and the writer loop drains the outbox and keeps the close, the idle timer
//! and the connection cap.
//!
//! Apart, a frame posted to the socket wakes only the writer. When one loop polled both halves,
//! every post also polled the read side (tungstenite zero-fills its read buffer first, and the
//! split socket's lock is taken), and a fan-out to 1,000 members paid that 1,000 times.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::options::Limits;
use crate::registry::{Activity, Outbound};

const GOING_AWAY: u16 = 1001;
const MESSAGE_TOO_BIG: u16 = 1009;
pub const ABNORMAL: u16 = 1006;
const POLICY_VIOLATION: u16 = 1008;
/// Frames written to one socket per flush, at most.
const WRITE_BATCH: usize = 64;
/// How long a close frame may take to write.
const CLOSE_WRITE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

type Sink = SplitSink<WebSocket, Message>;

/// A data frame as the integration gets it: its text (binary frames base64-encoded) and
/// whether it was binary.
pub type Frame = (String, bool);

/// What one socket needs besides the socket itself.
pub struct Pump {
    pub limits: Limits,
    pub outbox: mpsc::Receiver<Outbound>,
    pub stalled: Arc<AtomicBool>,
    pub activity: Arc<Activity>,
    pub shutdown: CancellationToken,
    /// To the session's worker, which runs each frame's route in order.
    pub frames: mpsc::Sender<Frame>,
}

/// How the read side ended.
enum ReadEnd {
    /// The client closed, or the connection broke: the code and reason `$disconnect` reports.
    Closed(u16, String),
    /// A frame or message over the limits: the writer closes with 1009.
    TooBig,
    /// The writer ended the socket first.
    Stopped,
}

impl Pump {
    /// Runs until the socket ends; returns the close code and reason for `$disconnect`. Every
    /// frame read before the end has been handed to the worker by then.
    pub async fn run(self, socket: WebSocket) -> (u16, String) {
        let Pump {
            limits,
            mut outbox,
            stalled,
            activity,
            shutdown,
            frames,
        } = self;
        let (mut sink, stream) = socket.split();
        let stop = CancellationToken::new();
        let mut reader = tokio::spawn(read(stream, frames, activity.clone(), stop.clone()));

        // Pinned once: a future made afresh on every wakeup registers and unregisters itself
        // each time, and the idle timer is moved only when it fires, not on every frame. The
        // outbox comes first and the rest are polled only when it is empty (each poll of a
        // `Notified` takes its lock), but a busy socket still sees a shutdown after each write.
        let going_away = shutdown.clone();
        let shutdown = shutdown.cancelled();
        let cap = tokio::time::sleep(limits.max_connection);
        let idle = tokio::time::sleep(limits.idle_timeout);
        tokio::pin!(shutdown, cap, idle);

        let mut reader_done = false;
        let ended = loop {
            tokio::select! {
                biased;
                outbound = outbox.recv() => {
                    let Some(first) = outbound else {
                        break (ABNORMAL, "outbox closed".into());
                    };
                    // A frame was refused while the queue was full: the client is not keeping
                    // up, and the frames it missed are not in this queue.
                    if stalled.load(Ordering::Relaxed) {
                        break not_reading();
                    }
                    match write(&mut sink, &mut outbox, first, &limits).await {
                        // The client's own close (or a broken read) is what `$disconnect`
                        // reports, even when a write noticed the socket going first.
                        Written::All | Written::Failed if reader.is_finished() => {
                            reader_done = true;
                            break read_ended(&mut sink, (&mut reader).await).await;
                        }
                        Written::All if going_away.is_cancelled() => {
                            break close(&mut sink, GOING_AWAY, "Going away").await;
                        }
                        Written::All => {}
                        Written::Closing(code, reason) => break close(&mut sink, code, &reason).await,
                        Written::Failed => break (ABNORMAL, "send failed".into()),
                        Written::TimedOut => break not_reading(),
                    }
                }
                _ = &mut shutdown => break close(&mut sink, GOING_AWAY, "Going away").await,
                end = &mut reader => {
                    reader_done = true;
                    break read_ended(&mut sink, end).await;
                }
                _ = &mut cap => break close(&mut sink, GOING_AWAY, "Going away").await,
                _ = &mut idle => {
                    // No data either way for the idle timeout (a post or a client frame since
                    // the timer was set moves it on, without touching it per frame).
                    let due = activity.last() + limits.idle_timeout;
                    if due > Instant::now() {
                        idle.as_mut().reset(due);
                        continue;
                    }
                    break close(&mut sink, GOING_AWAY, "Going away").await;
                }
            }
        };
        if !reader_done {
            // Frames already read are still handed over (a message sent just before closing
            // is stored); then the read side goes with the socket.
            stop.cancel();
            let _ = reader.await;
        }
        ended
    }
}

/// The close code and reason once the read side ended first.
async fn read_ended(
    sink: &mut Sink,
    end: Result<ReadEnd, tokio::task::JoinError>,
) -> (u16, String) {
    match end {
        Ok(ReadEnd::TooBig) => close(sink, MESSAGE_TOO_BIG, "Message too big").await,
        Ok(ReadEnd::Closed(code, reason)) => (code, reason),
        Ok(ReadEnd::Stopped) => (ABNORMAL, "Connection closed abnormally".into()),
        Err(_) => (ABNORMAL, "reader failed".into()),
    }
}

/// The read side: each data frame to the worker, in order. A full worker queue holds the
/// reading, so TCP slows the client down instead of the queue growing.
async fn read(
    mut stream: SplitStream<WebSocket>,
    frames: mpsc::Sender<Frame>,
    activity: Arc<Activity>,
    stop: CancellationToken,
) -> ReadEnd {
    loop {
        let incoming = tokio::select! {
            _ = stop.cancelled() => return ReadEnd::Stopped,
            incoming = stream.next() => incoming,
        };
        let frame = match incoming {
            None => return ReadEnd::Closed(ABNORMAL, "Connection closed abnormally".into()),
            Some(Err(error)) if too_big(&error) => return ReadEnd::TooBig,
            Some(Err(_)) => {
                return ReadEnd::Closed(ABNORMAL, "Connection closed abnormally".into());
            }
            Some(Ok(Message::Close(frame))) => {
                let (code, reason) =
                    frame.map_or((1005, String::new()), |f| (f.code, f.reason.to_string()));
                return ReadEnd::Closed(code, reason);
            }
            // Control frames are not activity (API Gateway's idle timer ignores them).
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Text(text))) => (text.to_string(), false),
            Some(Ok(Message::Binary(bytes))) => (STANDARD.encode(&bytes), true),
        };
        activity.touch();
        if frames.send(frame).await.is_err() {
            return ReadEnd::Closed(ABNORMAL, "worker stopped".into());
        }
    }
}

enum Written {
    All,
    Closing(u16, String),
    Failed,
    TimedOut,
}

/// Writes `first` and whatever else is queued already in one write, flushed once: in a busy
/// room several frames wait per socket between two wakeups, and a flush per frame costs a
/// write syscall per frame.
async fn write(
    sink: &mut Sink,
    outbox: &mut mpsc::Receiver<Outbound>,
    first: Outbound,
    limits: &Limits,
) -> Written {
    let write = async {
        let mut next = Some(first);
        let mut fed = 0;
        while let Some(outbound) = next.take() {
            let message = match outbound {
                Outbound::Text(text) => Message::Text(text),
                Outbound::Binary(bytes) => Message::Binary(bytes.into()),
                Outbound::Close(code, reason) => {
                    sink.flush().await?;
                    return Ok(Some((code, reason)));
                }
            };
            sink.feed(message).await?;
            fed += 1;
            if fed < WRITE_BATCH {
                next = outbox.try_recv().ok();
            }
        }
        sink.flush().await.map(|()| None)
    };
    match tokio::time::timeout(limits.write_timeout, write).await {
        Ok(Ok(None)) => Written::All,
        Ok(Ok(Some((code, reason)))) => Written::Closing(code, reason),
        Ok(Err(_)) => Written::Failed,
        Err(_) => Written::TimedOut,
    }
}

async fn close(sink: &mut Sink, code: u16, reason: &str) -> (u16, String) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    // A client that does not read would hold this write forever; the socket goes regardless.
    let closing = sink.send(Message::Close(Some(frame)));
    let _ = tokio::time::timeout(CLOSE_WRITE_TIMEOUT, closing).await;
    (code, reason.to_owned())
}

/// A client that stopped reading: its frames are dropped with the socket (no close frame could
/// reach it), and `$disconnect` runs with 1008.
fn not_reading() -> (u16, String) {
    (POLICY_VIOLATION, "client is not reading".into())
}

/// A frame or message over the configured limits.
fn too_big(error: &axum::Error) -> bool {
    let inner = std::error::Error::source(error);
    matches!(
        inner.and_then(|e| e.downcast_ref::<tungstenite::Error>()),
        Some(tungstenite::Error::Capacity(_))
    )
}
