//! What a coach keeps across a restart (`workshop coach --state-dir DIR`):
//! its last messages, and the epoch and next id they count in. The board
//! itself is not kept: it rebuilds from what the consoles send again.
//!
//! Keeping the epoch is what lets a console go on after a restart: it
//! asks for the messages after the last id it showed in that epoch, so it
//! shows none of them twice, and a new message (the next id) is new to it.
//! A coach without a state dir starts a new epoch each time, and consoles
//! show its messages, all new, from the start.
//!
//! The file is replaced whole (a unique temporary name in the same folder,
//! then a rename), so a crash leaves the old file or the new one, never
//! half of one.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::check;
use crate::coach::wire::{self, Message};

/// The file's name in the state dir.
const FILE: &str = "coach-messages.json";

/// The coach's messages and the numbering they are in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Kept {
    /// The consoles' `epoch`: message ids count in it.
    pub(crate) epoch: String,
    /// The id the next message gets: above every id ever given in the epoch.
    pub(crate) next_id: u64,
    /// Oldest first, at most `MAX_MESSAGES`.
    pub(crate) messages: VecDeque<Message>,
}

impl Kept {
    /// A new epoch with no message yet.
    pub(crate) fn fresh() -> Kept {
        Kept {
            epoch: uuid::Uuid::new_v4().simple().to_string()[..12].to_string(),
            next_id: 1,
            messages: VecDeque::new(),
        }
    }

    /// Why a file read back cannot be trusted, if it cannot: the rules a
    /// coach keeps when it writes one.
    fn fault(&self, most: usize) -> Option<String> {
        if self.epoch.is_empty() || self.epoch.len() > wire::MAX_ID {
            return Some(format!("epoch: 1 to {} characters", wire::MAX_ID));
        }
        if self.messages.len() > most {
            return Some(format!("messages: more than {most}"));
        }
        let mut previous = 0;
        for m in &self.messages {
            if m.id <= previous || m.id >= self.next_id {
                return Some(format!(
                    "messages: id {} out of order or not below next_id {}",
                    m.id, self.next_id
                ));
            }
            previous = m.id;
            if let Err(refused) = check::message(&m.text) {
                return Some(format!("messages: id {}: {}", m.id, refused.error));
            }
        }
        None
    }
}

/// The folder a coach keeps its messages in.
#[derive(Debug, Clone)]
pub(crate) struct StateDir {
    dir: PathBuf,
}

impl StateDir {
    /// Creates `dir` if need be (0700: it is the coach's alone).
    pub(crate) fn create(dir: &Path) -> Result<StateDir, String> {
        crate::files::private_dir(dir).map_err(|e| {
                format!(
                    "cannot create the coach's state dir {} ({e}); give a folder you can write with --state-dir",
                    dir.display()
                )
            })?;
        Ok(StateDir {
            dir: dir.to_path_buf(),
        })
    }

    /// The file the messages are kept in.
    pub(crate) fn file(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    /// What the last coach kept: `Ok(None)` when it kept nothing yet, and
    /// `Err` with a one-line warning (the file, the cause, the fix) when
    /// the file cannot be read or trusted.
    pub(crate) fn load(&self, most: usize) -> Result<Option<Kept>, String> {
        let file = self.file();
        let warn = |why: String| {
            format!(
                "warning: cannot read the coach's messages in {} ({why}); the board starts with none, and the next message replaces the file (move it away first to keep it)",
                file.display()
            )
        };
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(warn(e.to_string())),
        };
        let kept: Kept = serde_json::from_slice(&bytes).map_err(|e| warn(e.to_string()))?;
        match kept.fault(most) {
            Some(why) => Err(warn(why)),
            None => Ok(Some(kept)),
        }
    }

    /// Replaces the file with `kept`, whole.
    pub(crate) fn save(&self, kept: &Kept) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(kept).map_err(std::io::Error::other)?;
        crate::files::write_atomically(&self.file(), &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn kept(ids: &[u64], next_id: u64) -> Kept {
        Kept {
            epoch: "e1".into(),
            next_id,
            messages: ids
                .iter()
                .map(|&id| Message {
                    id,
                    at: DateTime::from_timestamp(1_796_000_000 + id as i64, 0).expect("a time"),
                    text: format!("message {id}"),
                })
                .collect(),
        }
    }

    #[test]
    fn what_is_saved_is_loaded_and_nothing_is_left_beside_it() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = StateDir::create(&root.path().join("state")).expect("created");
        assert_eq!(dir.load(20), Ok(None), "nothing kept yet");
        dir.save(&kept(&[1, 2], 3)).expect("saved");
        dir.save(&kept(&[2, 3], 4)).expect("saved again");
        assert_eq!(dir.load(20), Ok(Some(kept(&[2, 3], 4))));
        let names: Vec<_> = std::fs::read_dir(root.path().join("state"))
            .expect("listed")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, [FILE], "no temporary file left");
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(root.path().join("state"))
            .expect("dir")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn a_corrupt_file_is_one_line_naming_the_file_and_the_fix() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = StateDir::create(root.path()).expect("created");
        for bad in [
            b"{\"epoch\":".to_vec(),
            serde_json::to_vec(&kept(&[3, 2], 4)).expect("json"),
            serde_json::to_vec(&kept(&[4], 4)).expect("json"),
            serde_json::to_vec(&kept(&[1, 2, 3], 4)).expect("json"),
        ] {
            std::fs::write(dir.file(), bad).expect("written");
            let warning = dir.load(2).expect_err("refused");
            assert!(!warning.contains('\n'), "{warning}");
            assert!(warning.starts_with("warning: "), "{warning}");
            assert!(
                warning.contains(&dir.file().display().to_string()),
                "{warning}"
            );
            assert!(warning.contains("move it away"), "{warning}");
        }
    }
}
