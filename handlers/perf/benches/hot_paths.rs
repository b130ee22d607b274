//! Micro-benchmarks of the hot paths (`make bench`; criterion): a send fanned out to rooms of
//! 10, 100 and 1,000 members on the embedded store with an in-process notifier; parsing and
//! serialising frames; verifying a JWT; hashing a password at the production argon2id cost.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use handlers::compose::{self, Backend};
use handlers::domain::chat;
use handlers::domain::clock::{Clock, SystemClock};
use handlers::domain::model::SessionId;
use handlers::domain::model::{Connection, ConnectionId};
use handlers::domain::passwords::{Argon2id, PasswordHashing};
use handlers::domain::ports::{Connections, Notifier, NotifyError};
use handlers::domain::throttle::Limits;
use handlers::domain::tokens::{JwtConfig, KeySet, SigningKey, Tokens};
use handlers::embedded::EmbeddedStore;
use shared::limits::Rate;
use shared::{
    ClientAction, ClientMsgId, MessageBody, Password, RoomId, SendMessage, ServerFrame, Username,
};

/// Counts posts and drops them: the cost of delivery without a network.
#[derive(Default)]
struct CountingNotifier(AtomicUsize);

#[async_trait]
impl Notifier for CountingNotifier {
    async fn post(&self, _to: &ConnectionId, payload: &str) -> Result<(), NotifyError> {
        std::hint::black_box(payload);
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    async fn disconnect(&self, _to: &ConnectionId) -> Result<(), NotifyError> {
        Ok(())
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn send_to_rooms(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("send_message");
    group.sample_size(20);
    for members in [10usize, 100, 1_000] {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let store = EmbeddedStore::in_memory(clock.clone()).expect("store");
        let notifier = Arc::new(CountingNotifier::default());
        let room = RoomId::parse("bench").expect("room");
        rt.block_on(async {
            for i in 0..members {
                let user = Username::parse(&format!("user{i}")).expect("user");
                let c =
                    Connection::open(ConnectionId::new(format!("c{i}")), user, None, clock.now());
                store.open(&c).await.expect("open");
                store.join(&c, &room).await.expect("join");
            }
        });
        // The services as every host builds them (the composition root), on the embedded store.
        // Rate limits that never refuse, so the loop measures the send path, throttle included.
        let unlimited = Rate {
            burst: 1_000_000_000,
            every_ms: 1,
        };
        let limits = Limits {
            send_per_connection: unlimited,
            send_per_user: unlimited,
            ..Limits::default()
        };
        let services = compose::all(
            &Backend::Embedded(store),
            notifier,
            clock.clone(),
            handlers::keys::StaticKeys::single(&[7u8; 48]),
        )
        .with_limits(limits);
        let live = services.live().expect("live");
        let messages = services.messages().expect("messages");
        let access = services.access().expect("access");
        let guard = services.guard().expect("guard");
        let sender = ConnectionId::new("c0");
        let counter = AtomicUsize::new(0);
        group.throughput(Throughput::Elements(members as u64));
        group.bench_with_input(BenchmarkId::from_parameter(members), &members, |b, _| {
            b.to_async(&rt).iter(|| async {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let command = SendMessage {
                    room: Some(room.clone()),
                    body: MessageBody::parse("hello, room").expect("body"),
                    client_msg_id: Some(ClientMsgId::parse(&format!("m{n}")).expect("cmid")),
                    reply_to: None,
                };
                chat::send_message(live, access, messages, guard, &sender, command)
                    .await
                    .expect("sent")
            });
        });
    }
    group.finish();
}

fn frames(c: &mut Criterion) {
    let frame = r#"{"action":"sendMessage","room":"general","body":"hello there, how is everyone today?","clientMsgId":"01KAQ7TZ4D9WQ1B6N3F8S2K7YC"}"#;
    c.bench_function("parse sendMessage frame", |b| {
        b.iter(|| serde_json::from_str::<ClientAction>(std::hint::black_box(frame)).expect("frame"))
    });
    let ack: ServerFrame = serde_json::from_str(
        r#"{"type":"message","message":{"id":"01KAQ7TZ4D9WQ1B6N3F8S2K7YC","room":"general","author":"alice","body":"hello there, how is everyone today?","clientMsgId":"c-1","sentAt":1795425211000,"seq":42}}"#,
    )
    .expect("server frame");
    c.bench_function("serialise message frame", |b| {
        b.iter(|| serde_json::to_string(std::hint::black_box(&ack)).expect("json"))
    });
}

fn tokens(c: &mut Criterion) {
    let key = SigningKey::new("k1", vec![7u8; 48]).expect("key");
    let tokens = Tokens::new(&JwtConfig::new(KeySet::single(key)));
    let user = Username::parse("alice").expect("user");
    let (token, _) = tokens.issue(&user, &SessionId::generate(), SystemClock.now());
    c.bench_function("verify JWT (HS256)", |b| {
        b.iter(|| tokens.verify(std::hint::black_box(&token)).expect("valid"))
    });
}

fn passwords(c: &mut Criterion) {
    let rt = runtime();
    let password = Password::parse("correct horse battery staple").expect("password");
    let argon = Argon2id::default();
    let mut group = c.benchmark_group("argon2id");
    group.sample_size(10);
    group.bench_function("hash (m=19456 KiB, t=2, p=1)", |b| {
        b.to_async(&rt)
            .iter(|| async { argon.hash(&password).await.expect("hash") })
    });
    let hash = rt.block_on(argon.hash(&password)).expect("hash");
    group.bench_function("verify, known user", |b| {
        b.to_async(&rt)
            .iter(|| async { argon.verify(Some(&hash), &password).await.expect("verify") })
    });
    group.bench_function("verify, unknown user (decoy)", |b| {
        b.to_async(&rt)
            .iter(|| async { argon.verify(None, &password).await.expect("verify") })
    });
    group.finish();
}

criterion_group!(benches, send_to_rooms, frames, tokens, passwords);
criterion_main!(benches);
