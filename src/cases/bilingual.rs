//! Texts in both workshop languages. Every text a student reads exists in
//! English and Russian side by side, so a translation cannot silently fall
//! behind: a case with a missing `ru` does not load.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::Deserialize;

/// A language a case is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// A number written out in `text` as this language writes it: Russian
    /// with a decimal comma, as the case texts do.
    pub(crate) fn decimal(self, text: String) -> String {
        match self {
            Lang::Ru => text.replace('.', ","),
            Lang::En => text,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{0}`; use `en` or `ru`")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "ru" => Ok(Lang::Ru),
            _ => Err(UnknownLang(s.to_string())),
        }
    }
}

/// One text in English and Russian.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// In English.
    pub en: String,
    /// In Russian.
    pub ru: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ru => &self.ru,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_parses_from_its_code_in_any_case() {
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert_eq!("RU".parse::<Lang>(), Ok(Lang::Ru));
        assert_eq!(
            "de".parse::<Lang>().unwrap_err().to_string(),
            "unknown language `de`; use `en` or `ru`"
        );
    }

    #[test]
    fn a_text_gives_the_version_of_the_language_asked_for() {
        let t = Text {
            en: "hello".into(),
            ru: "привет".into(),
        };
        assert_eq!(t.get(Lang::En), "hello");
        assert_eq!(t.get(Lang::Ru), "привет");
    }
}
