//! Processes of the real `probity` binary for the benchmarks: started in a folder,
//! their address read from the first line they print, killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running node.
pub struct Process {
    /// The child process.
    pub child: Child,
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `probity` binary, with the caller's log settings removed.
pub fn probity() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_probity"));
    cmd.env_remove("RUST_LOG");
    cmd
}

/// Starts a node and reads the address from its first line.
pub fn start(dir: &Path, args: &[&str]) -> Process {
    let mut child = probity()
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
            sink.clear();
        }
    });
    let base = line.trim().trim_start_matches("listening on ").to_owned();
    Process { child, base }
}
