//! Who takes part in a run: where the APIs are, the state every client shares, each client's
//! identity and commands, and what each saw.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::time::{Duration, Instant};

use shared::{Invalid, RoomId, Username};

use crate::timeline::Via;

/// Where the APIs are, and whether they want accounts (the baseline does not).
#[derive(Debug, Clone)]
pub(crate) struct Endpoints {
    pub api: String,
    pub ws: String,
    pub auth: bool,
}

/// State every client shares.
pub(crate) struct Shared {
    pub start: Instant,
    pub run: String,
    pub endpoints: Endpoints,
    pub http: reqwest::Client,
    /// Messages acknowledged so far.
    pub acked: AtomicUsize,
    /// Deliveries (live or by gap fill) so far, and deliveries owed by acknowledged messages:
    /// the run may end early once they meet.
    pub delivered: AtomicUsize,
    pub owed: AtomicUsize,
    /// Clients per room index.
    pub room_sizes: Vec<usize>,
    /// Per room index, the highest sequence number acked so far: the end-of-run check that
    /// each member holds everything up to it.
    pub room_heads: Vec<AtomicU64>,
    /// Client index → username, and room index → room id: parsed once, before the run, so
    /// a run id that broke a naming rule fails at the start instead of on every send.
    pub usernames: Vec<Username>,
    pub rooms: Vec<RoomId>,
    /// Live send→receipt samples (µs) since the ramp's current step began (`ramp.rs`).
    pub step_samples: std::sync::Mutex<Vec<u64>>,
}

/// This run's usernames (`{run}-{index}`) and room ids (`ld-{run}-{room}`).
pub(crate) fn names(
    run: &str,
    clients: usize,
    rooms: usize,
) -> Result<(Vec<Username>, Vec<RoomId>), Invalid> {
    let usernames = (0..clients)
        .map(|index| Username::parse(&format!("{run}-{index}")))
        .collect::<Result<_, _>>()?;
    let rooms = (0..rooms)
        .map(|room| RoomId::parse(&format!("ld-{run}-{room}")))
        .collect::<Result<_, _>>()?;
    Ok((usernames, rooms))
}

impl Shared {
    pub fn username(&self, index: usize) -> &Username {
        &self.usernames[index]
    }

    pub fn room(&self, room: usize) -> &RoomId {
        &self.rooms[room]
    }

    pub fn sender_index(&self, author: &Username) -> Option<usize> {
        author
            .as_str()
            .strip_prefix(self.run.as_str())?
            .strip_prefix('-')?
            .parse()
            .ok()
    }
}

pub(crate) struct Identity {
    pub index: usize,
    pub room: usize,
    pub token: Option<String>,
}

pub(crate) enum Command {
    Send {
        k: u64,
    },
    /// Drop the socket, stay away, reconnect and close the gap from history.
    Churn {
        offline: Duration,
    },
    /// The run's sends are over: read history if the room's last acked number is above what
    /// this client holds.
    Tail,
}

/// What one client saw, returned when the run stops.
#[derive(Default)]
pub(crate) struct Outcome {
    pub index: usize,
    pub room: usize,
    /// How each message number first reached this client.
    pub arrivals: HashMap<u64, Via>,
    /// Messages held under a second id (stored twice), and breaks in the room's order.
    pub duplicated: usize,
    pub out_of_order: usize,
    pub acked: Vec<u64>,
    pub latencies_us: Vec<u64>,
    /// Times the server dropped this client's socket (and it connected again).
    pub dropped_by_server: usize,
    /// For each gap closed from history while connected: from the live message that revealed
    /// it to the end of the read.
    pub gap_recoveries_us: Vec<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_names_follow_confabs_rules() {
        let (users, rooms) = names("abc123", 3, 2).expect("valid names");
        assert_eq!(users[2].as_str(), "abc123-2");
        assert_eq!(rooms[1].as_str(), "ld-abc123-1");
        assert!(names("Bad Run", 1, 1).is_err());
    }
}
