//! Opening connections: TCP, then TLS for `https`, directly or through a
//! proxy.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};

use bytes::BytesMut;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use super::head;
use super::proxy::{Proxy, Route};
use super::Target;
use crate::error::Error;

/// How much room each socket read asks for.
const READ_CHUNK: usize = 16 * 1024;

/// A byte stream we can speak HTTP over, plain or TLS.
pub(super) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// One open connection and the bytes read from it but not yet used.
pub(super) struct Conn {
    pub(super) io: Box<dyn Io>,
    /// Bytes already received past what has been parsed. Only a connection
    /// whose buffer is empty after a response may be reused: anything left
    /// over would be read as the start of the next response.
    pub(super) buf: BytesMut,
}

impl Conn {
    fn new(io: Box<dyn Io>) -> Self {
        Self { io, buf: BytesMut::new() }
    }

    /// Reads more bytes into the buffer; `Ok(0)` means the peer closed.
    pub(super) async fn fill(&mut self) -> io::Result<usize> {
        self.buf.reserve(READ_CHUNK);
        self.io.read_buf(&mut self.buf).await
    }

    /// Whether an idle connection still seems usable.
    ///
    /// A server closes idle keep-alive connections on its own schedule, and
    /// its FIN is usually already here by the time we want the connection
    /// again. One non-blocking read tells: nothing to read means open, while
    /// end of stream, an error or unexpected bytes all mean the connection
    /// is of no further use. The no-op waker is fine because nobody waits on
    /// this poll: the next real read registers its own waker.
    pub(super) fn looks_alive(&mut self) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        let mut scratch = [0u8; 1];
        let mut probe = ReadBuf::new(&mut scratch);
        matches!(Pin::new(&mut self.io).poll_read(&mut cx, &mut probe), Poll::Pending)
    }
}

/// The TLS settings of a transport, built on first use.
///
/// Building them reads the system's root certificates, which a client that
/// only talks plain HTTP to an emulator or a loopback test server never
/// needs, and which may be missing from a minimal container image.
#[derive(Default)]
pub(super) struct Tls {
    custom: Option<Arc<ClientConfig>>,
}

impl Tls {
    pub(super) fn custom(config: ClientConfig) -> Self {
        Self { custom: Some(Arc::new(with_http11_alpn(config))) }
    }

    pub(super) fn is_custom(&self) -> bool {
        self.custom.is_some()
    }

    fn config(&self) -> Result<Arc<ClientConfig>, Error> {
        if let Some(config) = &self.custom {
            return Ok(config.clone());
        }
        // Process-wide: the system's roots do not change while we run, and
        // every client built with the defaults would otherwise parse them
        // again. A failure is not kept, so a later call can still succeed.
        static SYSTEM: OnceLock<Arc<ClientConfig>> = OnceLock::new();
        if let Some(config) = SYSTEM.get() {
            return Ok(config.clone());
        }
        let config = Arc::new(system_config().map_err(connect_error)?);
        Ok(SYSTEM.get_or_init(|| config).clone())
    }
}

/// A client config that trusts the operating system's root certificates.
///
/// System roots rather than a bundled list (webpki-roots): they are what
/// the reqwest transport used (through rustls-platform-verifier), they
/// follow the machine's updates, and they include the private CAs that
/// corporate networks and TLS-terminating proxies install. The crate that
/// reads them is small: on Linux it adds only openssl-probe, which finds
/// the certificate files.
fn system_config() -> Result<ClientConfig, io::Error> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = rustls::RootCertStore::empty();
    let (added, _unparsable) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err(io::Error::other("no usable root certificates were found on this system"));
    }
    // The program may have chosen a crypto provider for all of rustls; we
    // use it if so, and ring (which this crate already builds) otherwise.
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(with_http11_alpn(config))
}

/// Offers only HTTP/1.1 in ALPN, so that a server that speaks both cannot
/// pick HTTP/2, which this transport does not speak.
fn with_http11_alpn(mut config: ClientConfig) -> ClientConfig {
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

fn connect_error(source: io::Error) -> Error {
    Error::transport("could not connect to the server").with_source(source)
}

/// Opens a new connection for a request to `target`: to the target's host
/// and port, or to the proxy that `route` names.
pub(super) async fn connect(target: &Target, route: &Route<'_>, tls: &Tls) -> Result<Conn, Error> {
    let tcp = match route {
        Route::Direct => open_tcp(&target.host, target.port).await.map_err(connect_error)?,
        // Neither the proxy's address nor anything else from its variable
        // goes into the error: the variable may hold a password.
        Route::Forward(proxy) | Route::Tunnel(proxy) => {
            open_tcp(&proxy.host, proxy.port).await.map_err(proxy_connect_error)?
        }
    };
    if !target.https {
        return Ok(Conn::new(Box::new(tcp)));
    }
    let config = tls.config()?;
    // Works for names and IP literals alike; brackets are already gone.
    // Through a tunnel too, TLS is with the target, so the target's name is
    // the one to send and to check the certificate against.
    let name = ServerName::try_from(target.host.clone())
        .map_err(|_| Error::invalid_argument("the request URL's host is not a valid server name"))?;
    let connector = tokio_rustls::TlsConnector::from(config);
    let io: Box<dyn Io> = match route {
        Route::Tunnel(proxy) => {
            let tunnel = open_tunnel(tcp, target, proxy).await?;
            Box::new(connector.connect(name, tunnel).await.map_err(connect_error)?)
        }
        _ => Box::new(connector.connect(name, tcp).await.map_err(connect_error)?),
    };
    Ok(Conn::new(io))
}

async fn open_tcp(host: &str, port: u16) -> io::Result<TcpStream> {
    // Resolve and connect in one step: tokio tries each address in turn.
    let tcp = TcpStream::connect((host, port)).await?;
    // Requests are written whole and then we wait for the answer, so
    // Nagle's algorithm would only add a delay when the head and the body
    // go out as separate writes.
    tcp.set_nodelay(true)?;
    Ok(tcp)
}

fn proxy_connect_error(source: io::Error) -> Error {
    Error::transport("could not connect to the proxy").with_source(source)
}

/// Asks the proxy for a tunnel to the target and returns the stream once
/// the proxy has agreed, ready for the TLS handshake with the target.
async fn open_tunnel(tcp: TcpStream, target: &Target, proxy: &Proxy) -> Result<Box<dyn Io>, Error> {
    let mut conn = Conn::new(Box::new(tcp));
    let request = head::encode_connect(target, proxy);
    let written = async {
        conn.io.write_all(&request).await?;
        conn.io.flush().await
    };
    written.await.map_err(|e| Error::transport("the connection to the proxy failed").with_source(e))?;
    // The same parser and size cap as for any response head.
    let answer = head::read_head(&mut conn).await.map_err(|failure| {
        Error::transport("the proxy gave no usable answer to the tunnel request").with_source(failure.error)
    })?;
    let status = answer.status.as_u16();
    if !answer.status.is_success() {
        // The proxy's body (if any) is left unread: the connection is
        // dropped here, and the status says what went wrong.
        let hint = if status == 407 { " (it wants credentials, or did not accept the ones given)" } else { "" };
        return Err(Error::transport(format!("the proxy refused the tunnel with status {status}{hint}")));
    }
    // Whatever follows a 2xx answer is the tunnel itself, and the target
    // cannot have said anything before our TLS ClientHello. Bytes here
    // would be taken for the target's handshake, so refuse them.
    if !conn.buf.is_empty() {
        return Err(Error::transport("the proxy sent unexpected bytes after opening the tunnel"));
    }
    Ok(conn.io)
}
