//! What the local stack runs: the child specs of `app` (`workshop serve`)
//! and `prometheus`, with their arguments, environment and files.

use std::path::PathBuf;

use super::LocalStack;
use super::child::ChildSpec;
use super::limit::MemoryLimit;
use crate::stack::error::StackError;
use crate::stack::files;
use crate::stack::service::{Service, ServiceRole};

impl LocalStack {
    pub(super) fn app_spec(&self) -> Result<ChildSpec, StackError> {
        let program = self.options.program.clone();
        let database_url =
            self.options.database_url.clone().unwrap_or_else(|| {
                format!("sqlite://{}", self.dir.join("ledger.sqlite").display())
            });
        let name = format!("workshop-{}-app", self.settings.project);
        let limit = if self.options.force_rlimit {
            MemoryLimit::Rlimit {
                bytes: self.settings.app_memory,
            }
        } else {
            MemoryLimit::create(&name, self.settings.app_memory)
        };
        self.emit(
            ServiceRole::App,
            format!(
                "memory limit {} via {}",
                crate::stack::model::mib(limit.bytes()),
                limit.describe()
            ),
        );
        Ok(ChildSpec {
            service: Service::of(ServiceRole::App),
            program,
            args: vec![
                "serve".into(),
                "--listen".into(),
                format!("127.0.0.1:{}", self.settings.api_port),
            ],
            env: vec![
                ("DATABASE_URL".into(), database_url),
                // Few malloc arenas: less address space reserved per thread,
                // which matters under the RLIMIT_DATA fallback.
                ("MALLOC_ARENA_MAX".into(), "2".into()),
            ],
            // The app then caps its leak above the limit: the limit acts first.
            env_remove: vec!["WORKSHOP_LEAK_CAP_MB".into()],
            limit: Some(limit),
            log: self.dir.join("app.log"),
            health_url: Some(format!(
                "http://127.0.0.1:{}/readyz",
                self.settings.api_port
            )),
        })
    }

    pub(super) fn prometheus_spec(&self, bin: PathBuf) -> Result<ChildSpec, StackError> {
        let config = self.dir.join("prometheus.yml");
        let targets = [format!("127.0.0.1:{}", self.settings.api_port)];
        let own = format!("127.0.0.1:{}", self.settings.prometheus_port);
        let text = files::prometheus_config(&targets, &own, &self.settings.project);
        std::fs::write(&config, text)
            .and_then(|_| std::fs::write(self.dir.join("alerts.yml"), files::ALERT_RULES))
            .map_err(StackError::io("writing the Prometheus configuration"))?;
        Ok(ChildSpec {
            service: Service::of(ServiceRole::Prometheus),
            program: bin,
            args: vec![
                format!("--config.file={}", config.display()),
                format!(
                    "--storage.tsdb.path={}",
                    self.dir.join("prometheus").display()
                ),
                format!(
                    "--web.listen-address=127.0.0.1:{}",
                    self.settings.prometheus_port
                ),
            ],
            env: vec![],
            env_remove: vec![],
            limit: None,
            log: self.dir.join("prometheus.log"),
            health_url: Some(format!(
                "http://127.0.0.1:{}/-/ready",
                self.settings.prometheus_port
            )),
        })
    }
}
