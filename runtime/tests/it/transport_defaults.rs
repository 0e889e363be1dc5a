//! The default transport's connect timeout, and the one connection pool
//! that clients built without a transport share.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use discogen_runtime::http::Method;
use discogen_runtime::request::RequestBuilder;
use discogen_runtime::retry::RetryPolicy;
use discogen_runtime::transport::{HttpTransport, DEFAULT_CONNECT_TIMEOUT};
use discogen_runtime::{Client, ClientBuilder, Error, Service};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket};
use tokio::time::Instant;

use super::client::{TestApi, SCOPES};

/// A second API, so that the pool is shared across service types.
struct OtherApi {
    client: Client,
}

impl Service for OtherApi {
    const ROOT_URL: &'static str = "https://other.googleapis.com/";
    const SERVICE_PATH: &'static str = "v2/";

    fn from_client(client: Client) -> Self {
        Self { client }
    }
}

/// A listener whose accept queue is full and never drained: the kernel
/// drops further SYNs, so a new connection neither opens nor fails, as with
/// a black-holed address. A backlog of 0 leaves room for one queued
/// connection, which the returned filler takes; both must stay alive.
fn full_backlog() -> (TcpListener, std::net::TcpStream, String) {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.bind("127.0.0.1:0".parse().expect("address")).expect("bind");
    let listener = socket.listen(0).expect("listen");
    let address = listener.local_addr().expect("address");
    let filler = std::net::TcpStream::connect(address).expect("the one queued connection");
    (listener, filler, format!("http://{address}/"))
}

async fn call_once(client: &Client) -> Result<(), Error> {
    let request = RequestBuilder::new(client, Method::GET, "x").build().expect("valid");
    client.execute(request, SCOPES).await.map(|_| ())
}

#[tokio::test(start_paused = true)]
async fn a_connection_that_never_opens_fails_after_the_connect_timeout() {
    let (_listener, _filler, root) = full_backlog();
    for (transport, limit) in [
        (HttpTransport::direct(), DEFAULT_CONNECT_TIMEOUT),
        (HttpTransport::direct().with_connect_timeout(Duration::from_millis(250)), Duration::from_millis(250)),
    ] {
        let api = ClientBuilder::<TestApi>::new()
            .root_url(&root)
            .transport(transport)
            .retry_policy(RetryPolicy::never())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        let started = Instant::now();

        let error = call_once(&api.client).await.expect_err("never connects");

        // The paused clock jumps to the next timer: the connect timeout,
        // well before the 60 s request timeout.
        let waited = started.elapsed();
        assert!(waited >= limit && waited <= limit + Duration::from_millis(5), "{waited:?} for {limit:?}: {error}");
        assert!(error.is_never_sent(), "{error:?}");
        assert!(error.to_string().contains("could not connect"), "{error}");
    }
    assert_eq!(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(10));
}

/// Serves `200 {}` to every request on every connection, keeping each
/// connection open, and counts the connections it accepts.
async fn keep_alive_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let root = format!("http://{}/", listener.local_addr().expect("address"));
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    // Requests here are GETs without a body: a head each.
                    while let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                        data.drain(..end + 4);
                        let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                        if socket.write_all(reply.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => data.extend_from_slice(&buf[..n]),
                    }
                }
            });
        }
    });
    (root, accepted)
}

#[tokio::test]
async fn clients_without_a_transport_share_one_connection_pool() {
    let (root, accepted) = keep_alive_server().await;
    let one = ClientBuilder::<TestApi>::new().root_url(&root).build().expect("client");
    let other = ClientBuilder::<OtherApi>::new().root_url(&root).build().expect("client");

    call_once(&one.client).await.expect("first call");
    call_once(&other.client).await.expect("second client, same host");
    call_once(&one.client).await.expect("first client again");

    assert_eq!(accepted.load(Ordering::SeqCst), 1, "one connection served all three calls");

    // A client with a transport of its own has its own pool.
    let own =
        ClientBuilder::<OtherApi>::new().root_url(&root).transport(HttpTransport::direct()).build().expect("client");
    call_once(&own.client).await.expect("own transport");
    assert_eq!(accepted.load(Ordering::SeqCst), 2, "a new connection for the client's own pool");
}
