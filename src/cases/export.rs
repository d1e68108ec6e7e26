//! Markdown pages generated from the cases, one per case and language:
//! `<out>/<id>.md` (English) and `<out>/ru/<id>.md` (Russian). They are
//! committed under `docs/cases`, and a test regenerates them and compares, so
//! the pages can never drift from the YAML.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::CaseSet;
use super::bilingual::{Lang, Text};
use super::check::{Check, Probe, Reduce};
use super::hint::{Hint, Release};
use super::model::{Action, Case, Question};
use crate::words::{M, t};

fn reduce_name(r: Reduce) -> &'static str {
    match r {
        Reduce::Max => "max",
        Reduce::Min => "min",
        Reduce::Avg => "avg",
        Reduce::Sum => "sum",
        Reduce::First => "first",
    }
}

/// Multi-line texts are written as blocks; list items need them on one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn block(out: &mut String, s: &str) {
    out.push_str(s.trim_end());
    out.push_str("\n\n");
}

fn action_line(a: &Action) -> String {
    match a {
        Action::SetFailures(update) => {
            let body = serde_json::to_string(update).unwrap_or_default();
            format!("`POST /api/failures {body}`")
        }
        Action::Reset => "`POST /api/reset`".into(),
        other => other.to_string(),
    }
}

/// A page being written in one language: the text so far and the words
/// around the case's own texts.
struct Page {
    out: String,
    lang: Lang,
}

impl Page {
    fn word(&self, w: M) -> &'static str {
        t(self.lang, w)
    }

    fn heading(&mut self, w: M) {
        let _ = writeln!(self.out, "## {}\n", self.word(w));
    }

    fn label(&mut self, w: M) {
        let _ = writeln!(self.out, "**{}**\n", self.word(w));
    }

    fn check_line(&self, c: &Check) -> String {
        let what = match &c.probe {
            Probe::Query(q) => format!(
                "`{}` ({}) {}",
                one_line(&q.promql),
                reduce_name(q.reduce),
                q.expect
            ),
            Probe::Alert(a) => format!("alert `{}` {}", a.name, a.state.name()),
            Probe::Http(h) => format!("`GET {}` → {}", h.get, h.status),
        };
        let mut timing = Vec::new();
        if !c.hold_for.get().is_zero() {
            timing.push(format!("{} {}", self.word(M::Hold), c.hold_for));
        }
        timing.push(format!("{} {}", self.word(M::Timeout), c.timeout));
        format!(
            "- **{}**: {what} — {}\n  {}\n",
            c.id,
            timing.join(", "),
            one_line(c.message.get(self.lang))
        )
    }

    fn checks(&mut self, list: &[Check]) {
        if list.is_empty() {
            return;
        }
        self.label(M::Checks);
        for c in list {
            let line = self.check_line(c);
            self.out.push_str(&line);
        }
        self.out.push('\n');
    }

    fn actions(&mut self, list: &[Action]) {
        self.label(M::Actions);
        self.action_list(list);
    }

    fn action_list(&mut self, list: &[Action]) {
        for a in list {
            let _ = writeln!(self.out, "- {}", action_line(a));
        }
        self.out.push('\n');
    }

    /// A list of texts, one item a line.
    fn items(&mut self, texts: &[Text]) {
        for x in texts {
            let _ = writeln!(self.out, "- {}", one_line(x.get(self.lang)));
        }
        self.out.push('\n');
    }

    /// The title, the briefing, the objectives, where to look and the load.
    fn front(&mut self, case: &Case) {
        let lang = self.lang;
        let _ = writeln!(self.out, "<!-- {} -->\n", self.word(M::Generated));
        let _ = writeln!(
            self.out,
            "# {} {}: {}\n",
            self.word(M::Case),
            case.order,
            case.title.get(lang)
        );
        let _ = writeln!(
            self.out,
            "*~{} {} · id `{}`*\n",
            case.est_minutes,
            self.word(M::Minutes),
            case.id
        );
        self.heading(M::Briefing);
        block(&mut self.out, case.briefing.get(lang));
        self.heading(M::Objectives);
        self.items(&case.objectives);
        self.heading(M::LookAt);
        for item in &case.look_at {
            let _ = write!(self.out, "- **{}**", one_line(item.what.get(lang)));
            if let Some(q) = &item.promql {
                let _ = write!(self.out, " — `{}`", one_line(q));
            }
            let _ = writeln!(self.out, "\n  {}", one_line(item.why.get(lang)));
        }
        self.out.push('\n');
        self.heading(M::Load);
        let mix = case
            .load
            .mix
            .weights()
            .iter()
            .map(|(name, w)| format!("{name} {w}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            self.out,
            "{} {} ({mix}).\n",
            case.load.rate,
            self.word(M::Rps)
        );
    }

    fn baseline(&mut self, case: &Case) {
        let b = &case.phases.baseline;
        self.heading(M::PhaseBaseline);
        let _ = writeln!(self.out, "{} {}.\n", self.word(M::Settle), b.settle);
        if !b.captures.is_empty() {
            self.label(M::Captures);
            for (name, cap) in &b.captures {
                let _ = writeln!(
                    self.out,
                    "- `{name}` = `{}` ({})",
                    one_line(&cap.promql),
                    reduce_name(cap.reduce)
                );
            }
            self.out.push('\n');
        }
        self.checks(&b.checks);
    }

    fn inject(&mut self, case: &Case) {
        let i = &case.phases.inject;
        self.heading(M::PhaseInject);
        self.actions(&i.actions);
        if let Some(d) = i.max_duration {
            let _ = writeln!(self.out, "{} {d}.\n", self.word(M::SelfRecovery));
        }
    }

    fn detect(&mut self, case: &Case) {
        let d = &case.phases.detect;
        self.heading(M::PhaseDetect);
        self.checks(&d.checks);
        if !d.expected_alerts.is_empty() {
            self.label(M::Alerts);
            for a in &d.expected_alerts {
                let within = self.word(M::Within);
                let _ = writeln!(self.out, "- `{}` {within} {}", a.name, a.within);
            }
            self.out.push('\n');
        }
        self.questions(&d.questions);
        self.hints(&d.hints);
    }

    fn questions(&mut self, list: &[Question]) {
        if list.is_empty() {
            return;
        }
        self.label(M::Questions);
        for (i, q) in list.iter().enumerate() {
            let unit = q
                .unit
                .as_deref()
                .map(|u| format!(" {u}"))
                .unwrap_or_default();
            let _ = writeln!(
                self.out,
                "{}. {}\n   `{}` ({}), {} {}{unit}",
                i + 1,
                one_line(q.ask.get(self.lang)),
                one_line(&q.promql),
                reduce_name(q.reduce),
                self.word(M::Tolerance),
                q.tolerance
            );
        }
        self.out.push('\n');
    }

    fn hints(&mut self, list: &[Hint]) {
        if list.is_empty() {
            return;
        }
        self.label(M::Hints);
        for h in list {
            let when = match &h.release {
                Release::After(d) => format!("{} {d}", self.word(M::After)),
                Release::OnRequest => self.word(M::OnRequest).to_string(),
                Release::Pending { check, longer_than } => {
                    format!("{} {longer_than} (`{check}`)", self.word(M::Pending))
                }
            };
            let _ = writeln!(self.out, "- *{when}:* {}", one_line(h.text.get(self.lang)));
        }
        self.out.push('\n');
    }

    /// Respond, recover, rollback and the post-mortem questions.
    fn back(&mut self, case: &Case) {
        let p = &case.phases;
        self.heading(M::PhaseRespond);
        self.items(&p.respond.prompts);
        self.heading(M::PhaseRecover);
        self.actions(&p.recover.actions);
        self.checks(&p.recover.checks);
        let _ = writeln!(
            self.out,
            "{}: {}.\n",
            self.word(M::TimeLimit),
            p.recover.time_limit
        );
        self.heading(M::PhaseRollback);
        self.action_list(&p.rollback.actions);
        self.heading(M::PostMortem);
        for (i, q) in case.post_mortem.iter().enumerate() {
            let _ = writeln!(self.out, "{}. {}", i + 1, one_line(q.get(self.lang)));
        }
    }
}

/// The page of one case in one language.
pub fn markdown(case: &Case, lang: Lang) -> String {
    let mut page = Page {
        out: String::new(),
        lang,
    };
    page.front(case);
    page.baseline(case);
    page.inject(case);
    page.detect(case);
    page.back(case);
    page.out
}

/// Where the page of `id` in `lang` goes under `out`.
pub fn page_path(out: &Path, id: &str, lang: Lang) -> PathBuf {
    match lang {
        Lang::En => out.join(format!("{id}.md")),
        Lang::Ru => out.join("ru").join(format!("{id}.md")),
    }
}

/// Every page of `set`: `(relative path, content)`, in a stable order.
pub fn pages(set: &CaseSet) -> Vec<(PathBuf, String)> {
    let mut all = Vec::new();
    for case in set.cases() {
        for lang in Lang::ALL {
            all.push((
                page_path(Path::new(""), &case.id, lang),
                markdown(case, lang),
            ));
        }
    }
    all
}

/// Writes every page of `set` under `out`; returns the files written.
pub fn write_markdown(set: &CaseSet, out: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (rel, content) in pages(set) {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, content)?;
        written.push(path);
    }
    Ok(written)
}
