//! A real terminal for the console's tests: a detached tmux session (100×32,
//! UTF-8), driven with `send-keys` and read with `capture-pane`; killed on
//! drop, whatever happens.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    name: String,
}

impl Tmux {
    pub fn run(args: &[&str]) -> String {
        let out = Command::new("tmux").args(args).output().unwrap_or_else(|e| {
            panic!("tmux is missing ({e}): install it (`apt-get install tmux`); this test needs a real terminal")
        });
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn start(name: &str) -> Self {
        Self::run(&["-V"]);
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", name])
            .output();
        // -u: UTF-8 whatever the locale of the machine running the test.
        Self::run(&[
            "-u",
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "100",
            "-y",
            "32",
            "env",
            "PS1=$ ",
            "sh",
        ]);
        Self { name: name.into() }
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        Self::run(&args);
    }

    /// The screen and up to 500 lines scrolled off it.
    pub fn history(&self) -> String {
        Self::run(&["capture-pane", "-p", "-J", "-S", "-500", "-t", &self.name])
    }

    pub fn screen(&self) -> String {
        Self::run(&["capture-pane", "-p", "-t", &self.name])
    }

    /// Waits until `check` holds on the screen; returns how long it took.
    pub fn wait(&self, what: &str, within: Duration, check: impl Fn(&str) -> bool) -> Duration {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if check(&screen) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < within,
                "{what}: not seen within {within:?}. Screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Proves the shell took the terminal back: waits for its prompt, then
    /// for the answer to a sum typed at it. Typed before the prompt showed,
    /// the answer would land on the prompt's own line.
    pub fn shell_answers(&self, sum_to: u32) {
        self.wait("the shell's prompt", Duration::from_secs(10), |s| {
            s.lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .map(str::trim)
                == Some("$")
        });
        self.keys(&[&format!("echo answer-$((40+{}))", sum_to - 40), "Enter"]);
        let answer = format!("answer-{sum_to}");
        self.wait("a usable shell prompt", Duration::from_secs(10), |s| {
            s.lines()
                .any(|l| l.trim().trim_start_matches("$ ") == answer)
        });
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .output();
    }
}
