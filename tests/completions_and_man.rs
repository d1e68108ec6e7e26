//! What the shell and the manual learn of the command line: the
//! completion scripts (bash run for real, zsh, fish, PowerShell) and the man
//! pages name every subcommand `workshop --help` lists.

mod common;

use std::process::{Command, Output};

use common::{text, workshop};

/// `workshop ARGS` run to its end, without a `WORKSHOP_API_URL` from the
/// test's environment (clap may show an option's value from it).
fn run(args: &[&str]) -> Output {
    workshop(args)
        .env_remove("WORKSHOP_API_URL")
        .output()
        .expect("run workshop")
}

/// The subcommands `workshop --help` lists (clap's `help` aside): what a
/// completion script and the manual must know about.
fn subcommands_in_help() -> Vec<String> {
    let help = text(&run(&["--help"]).stdout);
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
    let completion = run(&["completions", "bash"]);
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
    let out = run(&["completions", "bash"]);
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
        let out = run(&["completions", shell]);
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
    let out = run(&["completions", "tcsh"]);
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
    let out = run(&["man"]);
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
    let out = workshop(&["man"])
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
    let out = run(&["man", "--out-dir", &target.display().to_string()]);
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
