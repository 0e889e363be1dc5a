//! Runs the loopback media server until killed, for programs in another
//! process (the done-when check and the media benchmark), whose memory must
//! be measured apart from the server's.
//!
//! Usage: `media_server DIR [ADDR]`; prints the server's base URI on stdout.

use std::io::Write as _;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: media_server DIR [ADDR]");
        std::process::exit(2);
    };
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:0".to_string());
    let Ok(addr) = addr.parse() else {
        eprintln!("`{addr}` is not a socket address");
        std::process::exit(2);
    };
    let server = match discogen_media_server::MediaServer::start_on(addr, dir).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("cannot start the media server: {e}");
            std::process::exit(1);
        }
    };
    println!("{}", server.uri());
    let _ = std::io::stdout().flush();
    server.wait().await;
}
