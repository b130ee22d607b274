//! Reading the room's history: the page requests, and closing a gap as the protocol says.

use std::sync::atomic::Ordering;

use anyhow::Context as _;
use shared::http::Cursor;
use shared::limits::HISTORY_PAGE_MAX;
use shared::{HistoryPage, HistoryRequest, Seq};

use super::{ATTEMPTS, Client, RETRY_PAUSE};
use crate::timeline::Via;

impl Client {
    pub(super) async fn page(&self, cursor: Cursor) -> anyhow::Result<HistoryPage> {
        let token = self
            .me
            .token
            .as_deref()
            .context("gap filling needs an account")?;
        let room = self.shared.room(self.me.room);
        let query = HistoryRequest {
            cursor,
            limit: HISTORY_PAGE_MAX,
        }
        .to_query_string();
        let url = format!(
            "{}/rooms/{room}/messages?{query}",
            self.shared.endpoints.api
        );
        let mut attempt = 1;
        loop {
            // A server failure or a server away (restarting) is tried again; a refusal is not.
            let response = self.shared.http.get(&url).bearer_auth(token).send().await;
            let retry = match &response {
                Ok(r) => r.status().is_server_error(),
                Err(e) => e.is_connect() || e.is_request(),
            };
            if retry && attempt < ATTEMPTS {
                tokio::time::sleep(RETRY_PAUSE * attempt.min(3)).await;
                attempt += 1;
                continue;
            }
            return Ok(response?.error_for_status()?.json().await?);
        }
    }

    /// Closes the gap as the protocol says: everything after the last number up to which the
    /// client holds everything, paging forward until history has nothing newer.
    pub(super) async fn fill(&mut self, via: Via) -> anyhow::Result<()> {
        if self.me.token.is_none() {
            return Ok(()); // the bare baseline keeps no history
        }
        loop {
            let page = self.page(Cursor::After(self.timeline.contiguous())).await?;
            // Newest first: take them oldest first.
            for message in page.messages.iter().rev() {
                self.take(message, via);
            }
            if !page.has_more || page.messages.is_empty() {
                self.timeline.filled_through_newest();
                return Ok(());
            }
        }
    }

    /// End of the run: what the room's acks say exists and this client does not hold yet.
    pub(super) async fn tail(&mut self) -> anyhow::Result<()> {
        let head = Seq::new(self.shared.room_heads[self.me.room].load(Ordering::SeqCst));
        if head > self.timeline.contiguous() {
            self.fill(Via::Tail).await?;
        }
        Ok(())
    }
}
