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

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn loopback_hosts_as_uris_spell_them() {
        // `http::Uri::host` keeps the brackets of an IPv6 literal.
        let host = |uri: &str| uri.parse::<http::Uri>().ok().and_then(|u| u.host().map(str::to_owned));
        for uri in ["http://127.0.0.1:9/", "http://127.8.9.10/", "http://[::1]:9/", "http://LOCALHOST/"] {
            assert!(host(uri).is_some_and(|h| is_loopback(&h)), "{uri}");
        }
        for uri in ["http://10.0.0.1/", "http://[2001:db8::1]/", "http://localhost.example/", "http://[::2]/"] {
            assert!(!host(uri).is_some_and(|h| is_loopback(&h)), "{uri}");
        }
    }
}
