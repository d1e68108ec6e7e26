//! `workshop coach`: the class board a coach projects. Flags → a
//! [`Class`](crate::coach::server::Class) served until a signal.
//!
//! What it prints on start is stable (a test reads the `board:` line).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use rand::Rng;
use tokio_util::sync::CancellationToken;

use super::parse_duration;
use crate::cases::{CaseSet, Lang};
use crate::coach::server::{self, Class, ClassOptions, Column, Kept, StateDir};

/// The letters of a generated class code: no 0/O, 1/I/L to misread.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

#[derive(Debug, Args)]
pub struct CoachArgs {
    /// Address to listen on. The default answers this machine only; to let
    /// a room's laptops in, use 0.0.0.0:7070.
    #[arg(long, env = "WORKSHOP_COACH_LISTEN", default_value = "127.0.0.1:7070")]
    pub listen: SocketAddr,
    /// The class code students need to join: 4 to 32 letters, digits or
    /// '-' (default: 6 random characters).
    #[arg(long, env = "WORKSHOP_CLASS_CODE", value_parser = parse_code)]
    pub code: Option<String>,
    /// The coach's token, needed to send messages to every console: 16
    /// characters or more (default: 32 random hex digits).
    #[arg(long, env = "WORKSHOP_COACH_TOKEN", hide_env_values = true, value_parser = parse_token)]
    pub token: Option<String>,
    /// The URL students reach this board at when it sits behind an HTTPS
    /// reverse proxy, e.g. https://coach.example.org (changes only what is printed).
    #[arg(long, value_name = "URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
    /// Read the cases (the board's columns) from this folder instead of the
    /// ones built in.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Keep the coach's last messages in this folder (created, 0700), so a
    /// restart shows them again and consoles do not show them twice. The
    /// board itself needs no keeping: consoles send it again.
    #[arg(long, value_name = "DIR", env = "WORKSHOP_COACH_STATE_DIR")]
    pub state_dir: Option<PathBuf>,
    /// A student with a case open and no progress for this long is
    /// highlighted as stuck.
    #[arg(long, default_value = "5m", value_parser = parse_stuck_after)]
    pub stuck_after: Duration,
    /// Language of the board page: en or ru.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
}

fn parse_code(s: &str) -> Result<String, String> {
    let ok =
        (4..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(s.to_string())
    } else {
        Err("a class code is 4 to 32 letters, digits or '-', e.g. --code room-12".into())
    }
}

fn parse_token(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.chars().count() < 16 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(
            "the coach token is 16 characters or more, no spaces; leave --token out for a random one"
                .into(),
        );
    }
    Ok(s.to_string())
}

fn parse_public_url(s: &str) -> Result<String, String> {
    let fix = "give the base URL students open, e.g. --public-url https://coach.example.org";
    let url = reqwest::Url::parse(s.trim()).map_err(|e| format!("{e}; {fix}"))?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.query().is_none()
        && url.fragment().is_none();
    if !plain {
        return Err(format!(
            "not an http(s) URL without query or fragment; {fix}"
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

fn parse_stuck_after(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d < Duration::from_secs(10) {
        return Err("at least 10s; e.g. --stuck-after 5m".into());
    }
    Ok(d)
}

/// `n` characters of [`CODE_ALPHABET`].
fn random_code(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
        .collect()
}

/// The address students use: when listening on every network, this
/// machine's address on the network its default route leaves by (a UDP
/// "connect" picks the interface and sends nothing); else the one listened on.
fn shown_address(local: SocketAddr) -> SocketAddr {
    if !local.ip().is_unspecified() {
        return local;
    }
    let outward = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr());
    match outward {
        Ok(a) if !a.ip().is_unspecified() && !a.ip().is_loopback() => {
            SocketAddr::new(a.ip(), local.port())
        }
        _ => local,
    }
}

/// What the last coach kept in `dir`, or a fresh start (with a warning
/// when what it kept cannot be read).
fn kept_in(dir: &StateDir) -> Kept {
    match dir.load(server::MAX_MESSAGES) {
        Ok(Some(kept)) => kept,
        Ok(None) => Kept::fresh(),
        Err(warning) => {
            eprintln!("{warning}");
            Kept::fresh()
        }
    }
}

/// What `workshop coach` prints on start, one line each.
fn start_lines(base: &str, code: &str, token: &str, listen: SocketAddr) -> Vec<String> {
    let class = format!("{base}/class/{code}");
    let mut lines = vec![
        format!("board: {class}"),
        format!("coach view: {class}#token={token}"),
        format!("students join with: workshop tui --coach {class} --name NAME"),
    ];
    if listen.ip().is_loopback() {
        lines.push(format!(
            "listening on loopback only: other machines cannot reach it; to open it to the room's network use --listen 0.0.0.0:{}",
            listen.port()
        ));
    } else if listen.ip().is_unspecified() {
        lines.push(
            "listening on every network of this machine; if the address above is not its address on the room's network, give the right one with --public-url http://ADDRESS:PORT"
                .into(),
        );
    }
    lines
}

pub(super) async fn run(args: CoachArgs, shutdown: CancellationToken) -> anyhow::Result<ExitCode> {
    let set = match CaseSet::load(args.dir.as_deref()) {
        Ok(s) => s,
        Err(problems) => {
            eprintln!("{problems}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let columns = Column::of(set.cases(), args.lang);
    let stuck_after = chrono::TimeDelta::from_std(args.stuck_after)
        .map_err(|_| anyhow::anyhow!("--stuck-after is too long; e.g. --stuck-after 5m"))?;
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "error: cannot listen on {} ({e}): is another `workshop coach` running there? Choose another address with --listen",
                args.listen
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let (kept, state_dir) = match args.state_dir.as_deref().map(StateDir::create) {
        None => (Kept::fresh(), None),
        Some(Err(why)) => {
            eprintln!("error: {why}");
            return Ok(ExitCode::FAILURE);
        }
        Some(Ok(dir)) => (kept_in(&dir), Some(dir)),
    };
    let local = listener.local_addr().unwrap_or(args.listen);
    let code = args.code.unwrap_or_else(|| random_code(6));
    let token = args
        .token
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let base = args
        .public_url
        .unwrap_or_else(|| format!("http://{}", shown_address(local)));
    for line in start_lines(&base, &code, &token, local) {
        println!("{line}");
    }
    let class = Class::new(ClassOptions {
        code,
        token,
        columns,
        stuck_after,
        lang: args.lang,
        clock: Arc::new(chrono::Utc::now),
        stop: shutdown.clone(),
        kept,
        state_dir,
    });
    server::serve(listener, class, base, shutdown).await;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn students_are_shown_an_address_they_can_reach() {
        let loopback: SocketAddr = "127.0.0.1:7070".parse().expect("an address");
        assert_eq!(shown_address(loopback), loopback);
        let every: SocketAddr = "0.0.0.0:7070".parse().expect("an address");
        let shown = shown_address(every);
        assert_eq!(shown.port(), 7070);
        assert!(!shown.ip().is_loopback(), "{shown}");
    }

    #[test]
    fn a_generated_code_is_easy_to_read_aloud() {
        for _ in 0..50 {
            let code = random_code(6);
            assert_eq!(code.len(), 6);
            assert!(parse_code(&code).is_ok(), "{code}");
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
        }
    }

    #[test]
    fn bad_flag_values_say_the_fix() {
        assert!(parse_code("abc").is_err());
        assert!(parse_code("room 12").is_err());
        assert_eq!(parse_code("room-12").as_deref(), Ok("room-12"));
        assert!(parse_token("short").is_err());
        assert!(parse_public_url("ftp://x").is_err());
        assert_eq!(
            parse_public_url("https://coach.example.org/room/").as_deref(),
            Ok("https://coach.example.org/room")
        );
        assert!(parse_stuck_after("1s").is_err());
    }

    #[test]
    fn the_start_lines_name_the_board_and_the_fix_for_loopback() {
        let listen: SocketAddr = "127.0.0.1:7070".parse().expect("addr");
        let lines = start_lines("http://127.0.0.1:7070", "K7P2QX", "t0k", listen);
        assert_eq!(lines[0], "board: http://127.0.0.1:7070/class/K7P2QX");
        assert_eq!(
            lines[1],
            "coach view: http://127.0.0.1:7070/class/K7P2QX#token=t0k"
        );
        assert!(lines[2].starts_with("students join with: workshop tui --coach http://127.0.0.1:7070/class/K7P2QX --name NAME"));
        assert!(lines[3].contains("--listen 0.0.0.0:7070"));
    }
}
