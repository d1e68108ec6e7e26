//! The local services' logs: each child's stdout and stderr are appended to
//! a file in the state directory, so `workshop logs --local` works from
//! another process, and a file outlives the child that wrote it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::stream::{self, BoxStream, StreamExt};

use crate::stack::error::StackError;
use crate::stack::model::LogRequest;

/// The file's lines (the last `tail`), then, with `follow`, new lines as
/// they are appended (polled every 250 ms).
pub(super) fn lines(
    path: PathBuf,
    req: LogRequest,
) -> BoxStream<'static, Result<String, StackError>> {
    let initial = std::fs::read_to_string(&path).unwrap_or_default();
    let lines: Vec<String> = initial.lines().map(str::to_string).collect();
    let skip = req.tail.map(|n| lines.len().saturating_sub(n)).unwrap_or(0);
    let head = stream::iter(lines.into_iter().skip(skip).map(Ok));
    if !req.follow {
        return head.boxed();
    }
    let offset = initial.len() as u64;
    let tail = stream::unfold((path, offset), |(path, offset)| async move {
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let Ok(text) = tokio::fs::read(&path).await else {
                continue;
            };
            if (text.len() as u64) > offset {
                let new = String::from_utf8_lossy(&text[offset as usize..]).to_string();
                let lines: Vec<Result<String, StackError>> =
                    new.lines().map(|l| Ok(l.to_string())).collect();
                return Some((stream::iter(lines), (path, text.len() as u64)));
            }
        }
    })
    .flatten();
    head.chain(tail).boxed()
}

/// The last `n` lines, indented for an error message.
pub(super) async fn tail_file(path: &Path, n: usize) -> Vec<String> {
    let text = tokio::fs::read_to_string(path).await.unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| format!("  | {l}"))
        .collect()
}
