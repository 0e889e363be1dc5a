//! Facts about a host name that several layers need.
//!
//! Kept at the bottom of the crate so that credentials (which check token
//! URLs) and the client (which checks root URLs) share one definition
//! without one importing from the other.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Whether `host` is `localhost` or a loopback address (127.0.0.0/8, ::1).
pub(crate) fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}
