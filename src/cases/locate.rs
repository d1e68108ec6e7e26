//! Where each value of a YAML file sits, by field path
//! (`phases.detect.checks[0].hold_for` → line 41, column 19).
//!
//! serde reports where *parsing* failed; the checks made after parsing
//! (unknown capture, alert name, bounds) also need to point at a line, and the
//! typed model has no positions in it. So the file is scanned once for
//! positions, and problems are located by the path of the field they are about.

use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Parser};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// Positions of every node of one YAML document, by field path.
#[derive(Debug, Default)]
pub(crate) struct Locator {
    /// Scalars: where the value starts. Collections: where their key (or,
    /// in a sequence, their first item) starts.
    values: HashMap<String, Pos>,
    /// Mapping entries: where the key starts.
    keys: HashMap<String, Pos>,
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
    },
    Seq {
        path: String,
        next: usize,
    },
    /// A mapping or sequence used as a key: not addressable, only skipped.
    ComplexKey,
}

fn join_key(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Locator {
    /// Scans `text`. Stops quietly at the first syntax error: the parser of
    /// the model reports that error itself, with its position.
    pub(crate) fn scan(text: &str) -> Self {
        let mut me = Locator::default();
        let mut stack: Vec<Frame> = Vec::new();
        let mut key_pos: Option<Pos> = None;
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            let pos = Pos {
                line: span.start.line(),
                column: span.start.col() + 1,
            };
            let is_node = matches!(
                event,
                Event::Scalar(..)
                    | Event::Alias(_)
                    | Event::MappingStart(..)
                    | Event::SequenceStart(..)
            );
            if is_node {
                // Is this node a key of the enclosing mapping, or a value?
                let as_key = matches!(stack.last(), Some(Frame::Map { key: None, .. }));
                if as_key {
                    match &event {
                        Event::Scalar(value, ..) => {
                            if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                                *key = Some(value.to_string());
                            }
                            key_pos = Some(pos);
                        }
                        Event::MappingStart(..) | Event::SequenceStart(..) => {
                            stack.push(Frame::ComplexKey)
                        }
                        _ => {}
                    }
                    continue;
                }
                let path = match stack.last_mut() {
                    None => String::new(),
                    Some(Frame::Map { path, key }) => {
                        let key = key.take().unwrap_or_default();
                        let child = join_key(path, &key);
                        if let Some(kp) = key_pos.take() {
                            me.keys.insert(child.clone(), kp);
                        }
                        child
                    }
                    Some(Frame::Seq { path, next }) => {
                        let child = format!("{path}[{next}]");
                        *next += 1;
                        child
                    }
                    Some(Frame::ComplexKey) => {
                        if matches!(event, Event::MappingStart(..) | Event::SequenceStart(..)) {
                            stack.push(Frame::ComplexKey);
                        }
                        continue;
                    }
                };
                let located = match &event {
                    Event::MappingStart(..) | Event::SequenceStart(..) => {
                        me.keys.get(&path).copied().unwrap_or(pos)
                    }
                    _ => pos,
                };
                me.values.entry(path.clone()).or_insert(located);
                match event {
                    Event::MappingStart(..) => stack.push(Frame::Map { path, key: None }),
                    Event::SequenceStart(..) => stack.push(Frame::Seq { path, next: 0 }),
                    _ => {}
                }
            } else if matches!(event, Event::MappingEnd | Event::SequenceEnd) {
                let ended = stack.pop();
                if matches!(ended, Some(Frame::ComplexKey)) {
                    // A complex key just ended: the enclosing mapping now expects its value.
                    if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                        key.get_or_insert_with(|| "?".to_string());
                    }
                }
            }
        }
        me
    }

    /// Where the value at `path` is; falls back to the nearest enclosing
    /// node that exists, so a missing field points at its parent.
    pub(crate) fn value(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.values.get(p) {
                return Some(*pos);
            }
            p = parent(p)?;
        }
    }

    /// Where the key of the entry at `path` is, if `path` is a mapping entry.
    pub(crate) fn key(&self, path: &str) -> Option<Pos> {
        self.keys.get(path).copied()
    }
}

/// `a.b[2].c` → `a.b[2]` → `a.b` → `a` → `` → none.
fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
id: latency
phases:
  detect:
    checks:
      - id: p95
        hold_for: 15s
      - id: alert
captures: {p95_base: {promql: up}}
";

    #[test]
    fn scalars_are_located_where_their_value_starts() {
        let l = Locator::scan(DOC);
        assert_eq!(l.value("id"), Some(Pos { line: 1, column: 5 }));
        assert_eq!(
            l.value("phases.detect.checks[0].hold_for"),
            Some(Pos {
                line: 6,
                column: 19
            })
        );
        assert_eq!(
            l.value("phases.detect.checks[1].id"),
            Some(Pos {
                line: 7,
                column: 13
            })
        );
        assert_eq!(
            l.value("captures.p95_base.promql"),
            Some(Pos {
                line: 8,
                column: 31
            })
        );
    }

    #[test]
    fn collections_are_located_at_their_key() {
        let l = Locator::scan(DOC);
        assert_eq!(l.value("phases"), Some(Pos { line: 2, column: 1 }));
        assert_eq!(l.key("phases.detect"), Some(Pos { line: 3, column: 3 }));
    }

    #[test]
    fn a_missing_path_falls_back_to_its_nearest_parent() {
        let l = Locator::scan(DOC);
        assert_eq!(
            l.value("phases.detect.checks[0].timeout"),
            l.value("phases.detect.checks[0]")
        );
        assert_eq!(l.value("phases.recover"), l.value("phases"));
    }
}
