//! API fuzzing: schemathesis (from PyPI) generates requests from the OpenAPI
//! document of `workshop serve` (faults off) and checks every answer: no
//! 5xx, every response matching the documented schema, status and content
//! type. At least 1,000 generated requests. A missing schemathesis fails
//! loudly (`pip install schemathesis`).
//!
//! Faults stay off: the server runs with an admin token schemathesis does
//! not have, so its generated `POST /api/failures` bodies are answered 401
//! (documented) instead of injecting real errors mid-run. The validation of
//! those bodies is covered by `api_contract`'s bad-input suite.

mod common;

use common::{Backend, Server, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_schema_violation_in_1000_requests() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::new(backend).await;
        let s = Server::start_with(
            &db.url,
            &[("WORKSHOP_ADMIN_TOKEN", "fuzz-keeps-faults-off")],
        )
        .await;
        let dir = tempfile::tempdir().expect("temp dir");
        let out = tokio::process::Command::new("schemathesis")
            .current_dir(dir.path())
            .args([
                "run",
                &format!("{}/api/openapi.json", s.url),
                "--checks",
                "all",
                // The API is stricter than a schema can say (cents only,
                // accounts that exist, funds): refusing such data is right.
                "--exclude-checks",
                "positive_data_acceptance",
                "--max-examples",
                "250",
                "--seed",
                "20261125",
                "--no-color",
            ])
            .output()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run schemathesis ({e}): `scripts/setup` installs it into \
                     ~/.cache/workshop/venv, which `scripts/test` puts on PATH"
                )
            });
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{backend:?}: schemathesis found failures:\n{text}"
        );
        let generated: u64 = text
            .lines()
            .find_map(|l| {
                l.trim()
                    .split_once(" generated")
                    .map(|(n, _)| n.trim().to_string())
            })
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count of generated cases in:\n{text}"));
        assert!(
            generated >= 1000,
            "{backend:?}: only {generated} requests generated"
        );
        let (_, f) = s.get("/api/failures").await;
        assert_eq!(f["current_config"]["error_rate"], 0.0, "faults stayed off");
    }
}
