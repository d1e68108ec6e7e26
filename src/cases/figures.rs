//! The rule that a case's questions ask about what the screen shows: the
//! console lists each `look_at` of one number live under "Live figures".

use super::model::Case;
/// Where a problem is reported: the field's path, and what to do.
type Report<'a> = dyn FnMut(&str, String) + 'a;

/// Every question asks about a figure the screen shows live, in the same
/// words: a `look_at` with the question's very query (the console shows it
/// under "Live figures"), named in the question's text in both languages.
pub(crate) fn questions_on_screen(c: &Case, report: &mut Report<'_>) {
    for (i, q) in c.phases.detect.questions.iter().enumerate() {
        let path = format!("phases.detect.questions[{i}]");
        let shown = c
            .look_at
            .iter()
            .find(|l| l.promql.as_deref().map(str::trim) == Some(q.promql.trim()));
        let Some(shown) = shown else {
            report(
                &format!("{path}.promql"),
                "no look_at shows this figure on screen: add a look_at with this very query (and \
                 its unit), so the student can read what is asked"
                    .into(),
            );
            continue;
        };
        for (lang, ask, what) in [
            ("en", &q.ask.en, &shown.what.en),
            ("ru", &q.ask.ru, &shown.what.ru),
        ] {
            if !ask.to_lowercase().contains(&what.to_lowercase()) {
                report(
                    &format!("{path}.ask.{lang}"),
                    format!("name the figure as the screen labels it: “{what}”"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::CaseSet;

    fn problems(c: &Case) -> Vec<String> {
        let mut found = Vec::new();
        questions_on_screen(c, &mut |path: &str, msg: String| {
            found.push(format!("{path}: {msg}"))
        });
        found
    }

    #[test]
    fn a_question_about_a_figure_not_on_screen_or_named_otherwise_is_refused() {
        let set = CaseSet::shipped().expect("cases");
        let leak = set
            .cases()
            .iter()
            .find(|c| c.id == "memory-leak")
            .expect("case 4");
        assert!(problems(leak).is_empty(), "{:?}", problems(leak));
        let mut off_screen = leak.clone();
        off_screen
            .look_at
            .retain(|l| l.what.en != "Memory held by the leak");
        let found = problems(&off_screen);
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("phases.detect.questions[0].promql: no look_at")),
            "{found:?}"
        );
        let mut renamed = leak.clone();
        renamed.phases.detect.questions[0].ask.ru = "Сколько МиБ сейчас удерживает утечка?".into();
        let found = problems(&renamed);
        assert_eq!(
            found,
            [
                "phases.detect.questions[0].ask.ru: name the figure as the screen labels it: \
              «Память, удерживаемая утечкой»"
                    .replace('«', "“")
                    .replace('»', "”")
            ],
        );
    }
}
