//! What the numbers were measured on, and how busy the machine was.
//!
//! The machine is shared, so wall time alone can mislead: besides it we
//! record CPU time (of this thread for in-process work, of finished child
//! processes for builds) and sample the load average all through the run.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Facts about the machine and toolchain, as shown in the report.
pub struct Machine {
    pub nproc: String,
    pub cpu: String,
    pub memory: String,
    pub rustc: String,
    pub cargo: String,
    pub kernel: String,
    pub date: String,
    /// The commit measured, with `+ local changes` when the tree is dirty.
    pub commit: String,
}

impl Machine {
    pub fn probe() -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|m| m.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        Machine {
            nproc: command_line("nproc", &[]),
            cpu,
            memory: command_output("free", &["-h"]).unwrap_or_else(|| "unknown".into()),
            rustc: command_line("rustc", &["-V"]),
            cargo: command_line("cargo", &["-V"]),
            kernel: command_line("uname", &["-sr"]),
            date: command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            commit: {
                let head = command_line("git", &["log", "-1", "--format=%h %s"]);
                let dirty = command_output("git", &["status", "--porcelain", "--untracked-files=no"])
                    .is_some_and(|s| !s.is_empty());
                if dirty {
                    format!("{head} + local changes")
                } else {
                    head
                }
            },
        }
    }
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}

fn command_line(program: &str, args: &[&str]) -> String {
    command_output(program, args)
        .map(|s| s.lines().next().unwrap_or("").to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// `/proc/loadavg` as text, e.g. `1.63 1.97 1.29 3/412 9876`.
pub fn loadavg_text() -> String {
    std::fs::read_to_string("/proc/loadavg").map(|s| s.trim().to_string()).unwrap_or_else(|_| "unknown".into())
}

fn load1() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// Samples the 1-minute load average every few seconds on a background
/// thread, so each section of the report can say how busy the machine was
/// while it ran.
pub struct LoadSampler {
    samples: Arc<Mutex<Vec<(Instant, f64)>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

/// Load average over a time window.
#[derive(Debug, Clone, Copy)]
pub struct LoadWindow {
    pub min: f64,
    pub mean: f64,
    pub max: f64,
}

impl LoadWindow {
    pub fn text(&self) -> String {
        format!("{:.2} (min {:.2}, max {:.2})", self.mean, self.min, self.max)
    }
}

impl LoadSampler {
    pub fn start() -> LoadSampler {
        let samples = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handle = {
            let (samples, stop) = (samples.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(l) = load1() {
                        samples.lock().unwrap_or_else(|e| e.into_inner()).push((Instant::now(), l));
                    }
                    // Sleep in short steps so that stopping is quick.
                    for _ in 0..20 {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
            })
        };
        LoadSampler { samples, stop, handle: Some(handle) }
    }

    /// The load average seen between two instants (including the sample
    /// taken just before `from`, so that short windows are not empty).
    pub fn window(&self, from: Instant, to: Instant) -> Option<LoadWindow> {
        let samples = self.samples.lock().unwrap_or_else(|e| e.into_inner());
        let first = samples.iter().rposition(|(t, _)| *t <= from).unwrap_or(0);
        let values: Vec<f64> = samples[first..].iter().filter(|(t, _)| *t <= to).map(|(_, l)| *l).collect();
        if values.is_empty() {
            return None;
        }
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some(LoadWindow { min, mean: values.iter().sum::<f64>() / values.len() as f64, max })
    }
}

impl Drop for LoadSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// CPU time consumed so far by this whole process (all threads), where the
/// platform tells. `discogen::generate` runs its pipeline on a thread of its
/// own, so the calling thread's CPU time would miss it; the only other
/// thread of ours, the load sampler, costs microseconds.
pub fn process_cpu() -> Option<Duration> {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    {
        #[repr(C)]
        struct Timespec {
            tv_sec: i64,
            tv_nsec: i64,
        }
        extern "C" {
            fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
        }
        const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
        let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `ts` is a valid, writable timespec for the duration of the
        // call; on 64-bit Linux both of its fields are 64-bit integers.
        let rc = unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
        if rc == 0 {
            return Some(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32));
        }
        None
    }
    #[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
    {
        None
    }
}

/// User + system CPU time of all child processes this process has waited
/// for (and their waited-for descendants: cargo waits for rustc), from
/// `/proc/self/stat`. Resolution is one clock tick (10 ms).
pub fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Field 3 of the file is fields[0]; cutime and cstime are fields 16 and 17.
    let cutime: u64 = fields.get(13)?.parse().ok()?;
    let cstime: u64 = fields.get(14)?.parse().ok()?;
    let ticks = clock_ticks_per_second();
    Some(Duration::from_secs_f64((cutime + cstime) as f64 / ticks))
}

fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| command_output("getconf", &["CLK_TCK"]).and_then(|s| s.parse().ok()).unwrap_or(100.0))
}

/// Peak resident memory of this process so far, in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
