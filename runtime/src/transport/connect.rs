//! Opens the TCP connection for one destination: directly, through an HTTP
//! proxy (forwarded or a `CONNECT` tunnel) or through a SOCKS proxy. TLS
//! is layered on top by hyper-rustls.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::{SocksV4, SocksV5, Tunnel};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use super::proxy::{Proxies, Route};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How long the first address family gets before the other is tried in
/// parallel (RFC 8305 suggests 250 ms), so a host with a broken IPv6 route
/// does not stall every new connection.
const HAPPY_EYEBALLS: Duration = Duration::from_millis(250);

#[derive(Clone)]
pub(super) struct Connector {
    tcp: HttpConnector,
    proxies: Arc<Proxies>,
}

impl Connector {
    pub(super) fn new(proxies: Arc<Proxies>, connect_timeout: Duration) -> Self {
        let mut tcp = HttpConnector::new();
        // The destination may be https; TLS is added by the layer above.
        tcp.enforce_http(false);
        tcp.set_happy_eyeballs_timeout(Some(HAPPY_EYEBALLS));
        tcp.set_nodelay(true);
        // Per TCP connection (to the server or the proxy); hyper-util shares
        // it out among the addresses a name resolves to.
        tcp.set_connect_timeout(Some(connect_timeout));
        Self { tcp, proxies }
    }
}

impl Service<Uri> for Connector {
    type Response = Stream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Stream, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, destination: Uri) -> Self::Future {
        let route = self.proxies.route(&destination);
        let mut tcp = self.tcp.clone();
        Box::pin(async move {
            let (io, forwarded) = match route {
                Route::Direct => (tcp.call(destination).await?, false),
                Route::Forward { proxy, .. } => (tcp.call(proxy).await?, true),
                Route::Tunnel { proxy, auth } => {
                    let mut tunnel = Tunnel::new(proxy, tcp);
                    if let Some(auth) = auth {
                        tunnel = tunnel.with_auth(auth);
                    }
                    (tunnel.call(destination).await?, false)
                }
                Route::Socks5 { proxy, auth, remote_dns } => {
                    let mut socks = SocksV5::new(proxy, tcp).local_dns(!remote_dns);
                    if let Some((user, password)) = auth {
                        socks = socks.with_auth(user, password);
                    }
                    (socks.call(destination).await?, false)
                }
                Route::Socks4 { proxy, remote_dns } => {
                    (SocksV4::new(proxy, tcp).local_dns(!remote_dns).call(destination).await?, false)
                }
            };
            Ok(Stream { io, forwarded })
        })
    }
}

/// A TCP connection that remembers whether it leads to a forwarding proxy,
/// which tells hyper to write the whole URL in the request line.
pub(super) struct Stream {
    io: TokioIo<TcpStream>,
    forwarded: bool,
}

impl Connection for Stream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forwarded)
    }
}

impl Read for Stream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: ReadBufCursor<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl Write for Stream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}
