//! `workshop cases …` as a user runs it: exit codes and what is printed.

mod common;

use common::{text, workshop};

/// `workshop ARGS` from a folder without case files, where the built-in
/// cases must still work: its exit code, stdout and stderr.
fn from_a_folder_without_cases(args: &[&str]) -> (i32, String, String) {
    let out = workshop(args)
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run the workshop binary");
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

#[test]
fn validate_exits_0_for_the_built_in_cases_from_any_directory() {
    let (code, out, err) = from_a_folder_without_cases(&["cases", "validate"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "6 cases valid (built in): latency, error-rate, db-slow, memory-leak, chaos-mix, db-fail\n"
    );
}

#[test]
fn validate_exits_1_and_prints_every_problem_of_a_broken_folder() {
    let dir = std::env::temp_dir().join(format!("workshop-cli-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create dir");
    std::fs::write(dir.join("a.yaml"), "schema_version: 1\nidd: x\n").expect("write");
    std::fs::write(dir.join("b.yaml"), "schema_version: [\n").expect("write");
    let (code, out, err) =
        from_a_folder_without_cases(&["cases", "validate", dir.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 1);
    assert_eq!(out, "");
    let a = dir.join("a.yaml");
    let b = dir.join("b.yaml");
    assert!(
        err.contains(&format!(
            "{}:2:1: idd: unknown field `idd`, did you mean `id`?",
            a.display()
        )),
        "{err}"
    );
    assert!(err.contains(&format!("{}:", b.display())), "{err}");
    assert!(err.ends_with("2 problems found\n"), "{err}");
}

#[test]
fn show_prints_a_case_and_suggests_the_id_on_a_typo() {
    let (code, out, _) =
        from_a_folder_without_cases(&["cases", "show", "error-rate", "--lang", "ru"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("# Кейс 2: Каждый третий платёж падает"),
        "{out}"
    );

    let (code, _, err) = from_a_folder_without_cases(&["cases", "show", "latncy"]);
    assert_eq!(code, 2, "a usage mistake, as in `workshop run`");
    assert_eq!(err, "error: no case `latncy`, did you mean `latency`?\n");
}

#[test]
fn an_unknown_case_is_the_same_mistake_with_the_same_exit_code_everywhere() {
    for args in [
        &["cases", "show", "latncy"][..],
        &["run", "latncy"][..],
        &["cases", "check", "latncy"][..],
    ] {
        let (code, _, err) = from_a_folder_without_cases(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(
            err, "error: no case `latncy`, did you mean `latency`?\n",
            "{args:?}"
        );
    }
}

#[test]
fn validate_takes_the_folder_as_dir_like_every_other_cases_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("01-broken.yaml"),
        "schema_version: 1\nidd: x\n",
    )
    .expect("write");
    let path = dir.path().to_str().expect("utf-8 path");
    let (by_flag, _, flag_err) = from_a_folder_without_cases(&["cases", "validate", "--dir", path]);
    let (bare, _, bare_err) = from_a_folder_without_cases(&["cases", "validate", path]);
    assert_eq!(by_flag, 1, "{flag_err}");
    assert_eq!(
        (bare, bare_err),
        (by_flag, flag_err),
        "the old spelling still works"
    );
}

#[test]
fn list_prints_one_line_per_case() {
    let (code, out, _) = from_a_folder_without_cases(&["cases", "list", "--lang", "en"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 6, "{out}");
    assert!(out.starts_with(" 1  latency"), "{out}");
}
