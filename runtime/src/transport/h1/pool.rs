//! Idle keep-alive connections, kept for the next request to the same origin.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::conn::Conn;

/// Idle connections kept per origin; more than this many requests at once
/// to one origin is rare for an API client, and the extra connections are
/// simply closed when they finish.
const MAX_IDLE_PER_ORIGIN: usize = 32;

/// How long an idle connection is kept. Servers close theirs after a while
/// (Google's front ends after a few minutes); giving up first avoids most
/// races with that close.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Past this many origins with idle connections, the expired ones are
/// swept from all of them.
const MAX_ORIGINS: usize = 64;

/// Where a connection goes: scheme, lowercased host and port, and the
/// proxy it goes through, if any.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Origin {
    pub(super) https: bool,
    pub(super) host: String,
    pub(super) port: u16,
    /// Which proxy the connection was made through (`None` for direct).
    /// A tunnel is bound to the proxy and credentials that opened it, and
    /// a connection to a proxy is not one to the server: a connection must
    /// only serve requests that take the same route.
    pub(super) via: Option<u64>,
}

struct Idle {
    conn: Conn,
    since: Instant,
}

#[derive(Default)]
pub(super) struct Pool {
    idle: Mutex<HashMap<Origin, Vec<Idle>>>,
}

impl Pool {
    /// The most recently used idle connection to `origin` that still looks
    /// open. Expired and closed ones met on the way are dropped.
    pub(super) fn take(&self, origin: &Origin) -> Option<Conn> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let list = idle.get_mut(origin)?;
        let mut found = None;
        while let Some(mut entry) = list.pop() {
            if entry.since.elapsed() < IDLE_TIMEOUT && entry.conn.looks_alive() {
                found = Some(entry.conn);
                break;
            }
        }
        if list.is_empty() {
            idle.remove(origin);
        }
        found
    }

    /// Keeps `conn` for a later request to `origin`.
    pub(super) fn put(&self, origin: Origin, conn: Conn) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() >= MAX_ORIGINS {
            // Origins visited once would otherwise keep their entries (and
            // their expired connections) for as long as the transport lives.
            idle.retain(|_, list| {
                list.retain(|entry| entry.since.elapsed() < IDLE_TIMEOUT);
                !list.is_empty()
            });
        }
        let list = idle.entry(origin).or_default();
        list.retain(|entry| entry.since.elapsed() < IDLE_TIMEOUT);
        if list.len() >= MAX_IDLE_PER_ORIGIN {
            // The oldest is the likeliest to be closed by the server soon.
            list.remove(0);
        }
        list.push(Idle { conn, since: Instant::now() });
    }

    /// How many idle connections are kept, for `Debug`.
    pub(super) fn idle_count(&self) -> usize {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).values().map(Vec::len).sum()
    }
}
