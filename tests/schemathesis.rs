//! API fuzzing: schemathesis (from PyPI) generates requests from the OpenAPI
//! document of `workshop serve` and runs **every** check on every answer, on
//! SQLite and on PostgreSQL: no 5xx; every response matching the documented
//! schema, status, headers and content type; every request the document
//! refuses refused (`negative_data_rejection`); and every request the
//! document allows accepted (`positive_data_acceptance`). So the document
//! and the API agree both ways: a constraint the API enforces and the
//! document does not state fails the run, and so does the reverse. At least
//! 1,000 generated requests per backend. A missing schemathesis fails loudly
//! (`pip install schemathesis`).
//!
//! Where a schema-valid request is still refused, and why that is honest
//! (`tests/schemathesis/`):
//! - for what the ledger holds, not for its shape: 404 (an account that does
//!   not exist) and 409 (insufficient funds, an Idempotency-Key reused for
//!   another transfer). The API answers insufficient funds with 409, not 422,
//!   so that `schemathesis.toml` can allow exactly `2xx, 401, 404, 409` for
//!   positive data — narrower than schemathesis' default — and a 422 always
//!   means the document said yes where the API says no;
//! - one rule no JSON Schema can state, because it compares two fields: a
//!   transfer's `to_account` must differ from its `from_account`. The
//!   document says it in words; `hooks.py` drops generated transfers that
//!   break it, rather than allowing 422 on the whole operation.
//!
//! Two runs per backend. The first covers the whole API with faults off: the
//! server runs with an admin token schemathesis does not send, so its
//! `POST /api/failures` bodies are answered 401 (documented) instead of
//! injecting real errors mid-run. The second sends the token and covers only
//! the fault controls (`/api/failures`, `/api/reset`), which are never
//! injected themselves, so the faults it sets harm nothing it checks; it is
//! what holds `{"latency_jitter_ms": 241.0}` to the document.

mod common;

use std::path::PathBuf;

use common::{Backend, Server, TestDb};

const TOKEN: &str = "fuzz-keeps-faults-off";

/// What one schemathesis run printed, and how many requests it generated.
struct Run {
    ok: bool,
    text: String,
    generated: u64,
}

async fn schemathesis(s: &Server, extra: &[&str]) -> Run {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis");
    let dir = tempfile::tempdir().expect("temp dir");
    let schema = format!("{}/api/openapi.json", s.url);
    let config = here.join("schemathesis.toml");
    let mut args = vec![
        "--config-file",
        config.to_str().expect("UTF-8 path"),
        "--no-color",
        "run",
        &schema,
        "--checks",
        "all",
        "--max-examples",
        "250",
        "--seed",
        "20261125",
    ];
    args.extend_from_slice(extra);
    let out = tokio::process::Command::new("schemathesis")
        .current_dir(dir.path())
        .env("SCHEMATHESIS_HOOKS", here.join("hooks.py"))
        .args(&args)
        .output()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "cannot run schemathesis ({e}): `scripts/setup` installs it into \
                 ~/.cache/workshop/venv, which `scripts/test` puts on PATH"
            )
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = text
        .lines()
        .find_map(|l| {
            l.trim()
                .split_once(" generated")
                .map(|(n, _)| n.trim().to_string())
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of generated cases in:\n{text}"));
    Run {
        ok: out.status.success(),
        text,
        generated,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_with_every_check_finds_the_document_and_the_api_in_agreement() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::new(backend).await;
        let s = Server::start_with(&db.url, &[("WORKSHOP_ADMIN_TOKEN", TOKEN)]).await;

        let api = schemathesis(&s, &[]).await;
        assert!(
            api.ok,
            "{backend:?}: schemathesis found failures:\n{}",
            api.text
        );
        assert!(
            api.generated >= 1000,
            "{backend:?}: only {} requests generated",
            api.generated
        );
        let (_, f) = s.get("/api/failures").await;
        assert_eq!(f["current_config"]["error_rate"], 0.0, "faults stayed off");

        let bearer = format!("Authorization: Bearer {TOKEN}");
        let controls = schemathesis(
            &s,
            &[
                "--include-path-regex",
                "^/api/(failures|reset)$",
                "-H",
                &bearer,
            ],
        )
        .await;
        assert!(
            controls.ok,
            "{backend:?}: schemathesis found failures in the fault controls:\n{}",
            controls.text
        );
        eprintln!(
            "{backend:?}: {} requests on the whole API, {} on the fault controls",
            api.generated, controls.generated
        );
    }
}
