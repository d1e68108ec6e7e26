//! The command line as a person uses it: `inject`, `failures`, `reset`,
//! `healthcheck`, clear errors, and a graceful stop of `serve`.

mod common;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{Backend, Server, TestDb, free_port, workshop_bin};
use serde_json::json;

fn workshop(args: &[&str]) -> Output {
    Command::new(workshop_bin())
        .args(args)
        .env_remove("WORKSHOP_API_URL")
        .output()
        .expect("run workshop")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inject_failures_and_reset_print_what_changed() {
    let db = TestDb::new(Backend::Sqlite).await;
    let s = Server::start(&db.url).await;
    let api = ["--api-url", s.url.as_str()];

    let out = workshop(
        &[
            &["inject", "--latency-ms", "2000", "--error-rate", "30"][..],
            &api,
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("latency_ms: 0 -> 2000"), "{said}");
    assert!(said.contains("error_rate: 0.0 -> 30.0"), "{said}");

    let out = workshop(&[&["failures"][..], &api].concat());
    assert!(
        text(&out.stdout).contains("latency_ms         2000"),
        "{}",
        text(&out.stdout)
    );

    let out = workshop(&[&["reset"][..], &api].concat());
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("latency_ms: 2000 -> 0"),
        "{}",
        text(&out.stdout)
    );
    let (_, f) = s.get("/api/failures").await;
    assert_eq!(f["current_config"]["latency_ms"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_out_of_range_flag_names_the_flag_and_changes_nothing() {
    let db = TestDb::new(Backend::Sqlite).await;
    let s = Server::start(&db.url).await;
    let out = workshop(&[
        "inject",
        "--error-rate",
        "150",
        "--latency-ms",
        "10",
        "--api-url",
        &s.url,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("--error-rate") && err.contains("0 to 100"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let (_, f) = s.get("/api/failures").await;
    assert_eq!(f["current_config"]["latency_ms"], 0);

    // The jitter's API field is latency_jitter_ms; the flag is --jitter-ms.
    let out = workshop(&["inject", "--jitter-ms", "99999", "--api-url", &s.url]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: --jitter-ms must be an integer from 0 to 10000, got 99999; nothing was changed\n"
    );

    let out = workshop(&["inject", "--api-url", &s.url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("nothing to inject"));
}

#[test]
fn an_unreachable_api_is_a_clear_error_without_a_stack_trace() {
    let url = format!("http://127.0.0.1:{}", free_port());
    for cmd in [
        vec!["failures"],
        vec!["reset"],
        vec!["inject", "--latency-ms", "5"],
    ] {
        let out = workshop(&[&cmd[..], &["--api-url", &url]].concat());
        assert_eq!(out.status.code(), Some(1), "{cmd:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("cannot reach the API at {url}")),
            "{err}"
        );
        assert!(err.contains("WORKSHOP_API_URL"), "{err}");
        assert!(
            !err.contains("panicked") && !err.contains("stack backtrace"),
            "{err}"
        );
    }
    let out = workshop(&["healthcheck", "--api-url", &url]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_bad_database_url_is_named_with_the_fix() {
    let out = Command::new(workshop_bin())
        .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
        .env("DATABASE_URL", "mysql://nope")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("DATABASE_URL must start with postgres://"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_requests_finish_then_exits_cleanly() {
    let db = TestDb::new(Backend::Sqlite).await;
    let mut s = Server::start(&db.url).await;
    s.inject(json!({"latency_ms": 1000})).await;
    let url = format!("{}/api/balance", s.url);
    let http = s.http.clone();
    let in_flight =
        tokio::spawn(async move { http.get(url).send().await.map(|r| r.status().as_u16()) });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = s.pid().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let status = in_flight
        .await
        .expect("join")
        .expect("the in-flight request was cut off");
    assert_eq!(status, 200);
    let t = Instant::now();
    loop {
        if let Some(code) = s.child.try_wait().expect("wait") {
            assert!(code.success(), "exit {code:?}");
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "serve did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_an_admin_token_changes_need_it_and_the_cli_sends_it() {
    let db = TestDb::new(Backend::Sqlite).await;
    let s = Server::start_with(&db.url, &[("WORKSHOP_ADMIN_TOKEN", "s3cret")]).await;
    let (st, body) = s.post("/api/failures", json!({"latency_ms": 100})).await;
    assert_eq!(st, 401, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("admin token"))
    );
    assert_eq!(s.post("/api/reset", json!({})).await.0, 401);
    let wrong = s
        .http
        .post(format!("{}/api/reset", s.url))
        .bearer_auth("guess")
        .send()
        .await
        .expect("request");
    assert_eq!(wrong.status().as_u16(), 401);
    // Reading stays open; nothing changed.
    let (st, f) = s.get("/api/failures").await;
    assert_eq!(st, 200);
    assert_eq!(f["current_config"]["latency_ms"], 0);

    let out = Command::new(workshop_bin())
        .args(["inject", "--latency-ms", "100", "--api-url", &s.url])
        .env("WORKSHOP_ADMIN_TOKEN", "s3cret")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (_, f) = s.get("/api/failures").await;
    assert_eq!(f["current_config"]["latency_ms"], 100);

    let out = Command::new(workshop_bin())
        .args(["reset", "--api-url", &s.url])
        .env_remove("WORKSHOP_ADMIN_TOKEN")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("admin token"),
        "{}",
        text(&out.stderr)
    );
}

/// The subcommands `workshop --help` lists (clap's `help` aside): what a
/// completion script and the manual must know about.
fn subcommands_in_help() -> Vec<String> {
    let help = text(&workshop(&["--help"]).stdout);
    let listed: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect();
    assert!(
        listed.iter().any(|c| c == "doctor") && listed.len() > 10,
        "could not read the commands from --help:\n{help}"
    );
    listed
}

/// `bash -c SCRIPT` with the bash completion of `workshop` loaded; its stdout.
fn bash_with_completion(script: &str) -> String {
    let completion = workshop(&["completions", "bash"]);
    assert!(completion.status.success(), "{}", text(&completion.stderr));
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("workshop.bash");
    std::fs::write(&file, &completion.stdout).expect("write the script");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("source {}\n{script}", file.display()))
        .output()
        .expect("run bash");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn the_bash_completion_is_valid_bash_and_completes_the_subcommands() {
    let out = workshop(&["completions", "bash"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let script = text(&out.stdout);
    for name in subcommands_in_help() {
        assert!(script.contains(&name), "`{name}` is not in:\n{script}");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("workshop.bash");
    std::fs::write(&file, &out.stdout).expect("write the script");
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("run bash -n");
    assert!(syntax.status.success(), "{}", text(&syntax.stderr));

    // What a person gets on `workshop do<Tab>` and `workshop completions <Tab>`.
    let words = bash_with_completion(
        r#"COMP_WORDS=(workshop do); COMP_CWORD=1; COMP_LINE="workshop do"; COMP_POINT=${#COMP_LINE}
_workshop workshop do workshop; printf '%s\n' "${COMPREPLY[@]}""#,
    );
    let mut words: Vec<&str> = words.lines().collect();
    words.sort();
    assert_eq!(words, ["doctor", "down"]);
    let words = bash_with_completion(
        r#"COMP_WORDS=(workshop completions ""); COMP_CWORD=2; COMP_LINE="workshop completions "; COMP_POINT=${#COMP_LINE}
_workshop workshop "" completions; printf '%s\n' "${COMPREPLY[@]}""#,
    );
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert!(
            words.lines().any(|w| w == shell),
            "{shell} not offered: {words}"
        );
    }
}

#[test]
fn zsh_fish_and_powershell_completions_know_doctor() {
    for (shell, marker) in [
        ("zsh", "#compdef workshop"),
        ("fish", "complete -c workshop"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = workshop(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(
            script.contains(marker),
            "{shell}: no {marker:?} in:\n{script}"
        );
        assert!(
            script.contains("doctor"),
            "{shell}: no doctor in:\n{script}"
        );
    }
}

#[test]
fn an_unknown_shell_is_refused_with_the_choices() {
    let out = workshop(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
    assert!(
        err.contains("possible values: bash, elvish, fish, powershell, zsh"),
        "{err}"
    );
}

#[test]
fn the_man_page_is_roff_titled_workshop_and_names_every_subcommand() {
    let out = workshop(&["man"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    // roff's string definitions (.ie/.el) may come first; the title comes
    // before any section.
    let first_macro = page
        .lines()
        .find(|l| l.starts_with(".TH") || l.starts_with(".SH"))
        .unwrap_or_default();
    assert!(first_macro.starts_with(".TH workshop 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    // roff writes a hyphen as `\-`.
    let unescaped = page.replace("\\-", "-");
    for name in subcommands_in_help() {
        assert!(
            unescaped.contains(&format!("workshop-{name}(1)")),
            "workshop-{name}(1) is not named in:\n{page}"
        );
    }
    assert!(!unescaped.contains("workshop-help(1)"), "{page}");
}

#[test]
fn the_man_page_header_carries_the_source_date_and_the_manual() {
    // 2025-05-20T00:00:00Z
    let out = Command::new(workshop_bin())
        .arg("man")
        .env("SOURCE_DATE_EPOCH", "1747699200")
        .output()
        .expect("run workshop man");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    let title = page
        .lines()
        .find(|l| l.starts_with(".TH"))
        .unwrap_or_default();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        title,
        format!(".TH workshop 1 2025-05-20 \"workshop {version}\" \"Workshop Manual\""),
        "{page}"
    );
}

#[test]
fn man_out_dir_writes_one_page_per_command_and_lists_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("man1");
    let out = workshop(&["man", "--out-dir", &target.display().to_string()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    let mut expected: Vec<String> = ["workshop".to_string()]
        .into_iter()
        .chain(
            subcommands_in_help()
                .iter()
                .map(|n| format!("workshop-{n}")),
        )
        .chain(["workshop-cases-list".into(), "workshop-images-save".into()])
        .collect();
    expected.sort();
    for name in expected {
        let page = target.join(format!("{name}.1"));
        let roff = std::fs::read_to_string(&page).unwrap_or_else(|e| {
            panic!(
                "{} was not written ({e}); printed:\n{listed}",
                page.display()
            )
        });
        assert!(roff.contains(&format!(".TH {name} 1")), "{name}: {roff}");
        assert!(
            listed.lines().any(|l| l == page.display().to_string()),
            "{} not printed:\n{listed}",
            page.display()
        );
    }
}
