//! The classroom bundle: every image of the stack in one file a coach hands
//! out on a file share or a USB stick, instead of thirty laptops pulling a
//! gigabyte over conference Wi-Fi.
//!
//! The file is what `docker save` writes (so `docker load -i FILE` also
//! reads it), and beside it `FILE.sha256` in `sha256sum` format, which
//! `load` checks before the engine sees a byte: a truncated copy is refused
//! with a message, not half-loaded.

use std::path::{Path, PathBuf};

use bollard::query_parameters::ImportImageOptions;
use futures::StreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::DockerStack;
use super::images::LONG_REQUEST;
use crate::stack::error::StackError;
use crate::stack::images::stack_images;

/// What `save` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Saved {
    pub file: PathBuf,
    pub images: Vec<String>,
    /// Optional images not on this machine, left out (Grafana here).
    pub left_out: Vec<String>,
    pub bytes: u64,
    pub sha256: String,
}

/// `FILE.sha256`, beside the bundle.
pub fn checksum_file(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

impl DockerStack {
    /// Writes every image of the stack into `file` (and `file.sha256`). A
    /// required image that is missing stops it before anything is written.
    pub async fn save_images(&self, file: &Path) -> Result<Saved, StackError> {
        let bundle_err = |reason: String| StackError::Bundle {
            file: file.display().to_string(),
            reason,
        };
        let mut images = Vec::new();
        let mut left_out = Vec::new();
        for image in stack_images(&self.settings) {
            if self.docker.inspect_image(&image.reference).await.is_ok() {
                images.push(image.reference);
            } else if image.optional {
                left_out.push(image.reference);
            } else {
                return Err(bundle_err(format!(
                    "{} ({}) is not on this machine; run `workshop images pull` (or `workshop up`) first",
                    image.reference, image.service
                )));
            }
        }
        let partial = checksum_file(file).with_extension("partial");
        let io = |doing: &str| StackError::io(format!("{doing} {}", partial.display()));
        let mut out = tokio::fs::File::create(&partial)
            .await
            .map_err(io("creating"))?;
        let names: Vec<&str> = images.iter().map(String::as_str).collect();
        let docker = self.docker.clone().with_timeout(LONG_REQUEST);
        let mut stream = docker.export_images(&names);
        let mut hash = Sha256::new();
        let mut bytes = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    let _ = tokio::fs::remove_file(&partial).await;
                    return Err(StackError::docker("exporting the stack's images")(e));
                }
            };
            hash.update(&chunk);
            bytes += chunk.len() as u64;
            out.write_all(&chunk).await.map_err(io("writing"))?;
            if bytes % (256 << 20) < chunk.len() as u64 {
                self.emit("images", format!("saved {} MB", bytes >> 20));
            }
        }
        out.flush().await.map_err(io("writing"))?;
        drop(out);
        let sha256 = format!("{:x}", hash.finalize());
        tokio::fs::rename(&partial, file)
            .await
            .map_err(StackError::io(format!("writing {}", file.display())))?;
        let base = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        tokio::fs::write(checksum_file(file), format!("{sha256}  {base}\n"))
            .await
            .map_err(StackError::io(format!(
                "writing {}",
                checksum_file(file).display()
            )))?;
        Ok(Saved {
            file: file.to_path_buf(),
            images,
            left_out,
            bytes,
            sha256,
        })
    }

    /// Loads a bundle after checking it against `file.sha256` (unless
    /// `verify` is off); returns the images the engine says it loaded.
    pub async fn load_images(&self, file: &Path, verify: bool) -> Result<Vec<String>, StackError> {
        let bundle_err = |reason: String| StackError::Bundle {
            file: file.display().to_string(),
            reason,
        };
        if verify {
            let sums = checksum_file(file);
            let text = tokio::fs::read_to_string(&sums).await.map_err(|e| {
                bundle_err(format!(
                    "cannot read its checksum {} ({e}); copy it from the same place as the \
                     bundle, or load without checking: --no-verify",
                    sums.display()
                ))
            })?;
            let want = text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            self.emit("images", format!("checking {}", file.display()));
            let got = sha256_of(file)
                .await
                .map_err(|e| bundle_err(e.to_string()))?;
            if want != got {
                return Err(bundle_err(format!(
                    "its SHA-256 is {got}, but {} says {want}: the copy is damaged or \
                     incomplete; copy it again (nothing was loaded)",
                    sums.display()
                )));
            }
        }
        let reader = tokio::fs::File::open(file)
            .await
            .map_err(|e| bundle_err(format!("cannot open it: {e}")))?;
        self.emit("images", format!("loading {}", file.display()));
        let docker = self.docker.clone().with_timeout(LONG_REQUEST);
        let body = tokio_util::io::ReaderStream::new(reader);
        let mut stream = docker.import_image_stream(ImportImageOptions::default(), body, None);
        let mut loaded = Vec::new();
        while let Some(item) = stream.next().await {
            let info = item.map_err(|e| {
                bundle_err(format!(
                    "the engine refused it ({e}); is it a file `workshop images save` wrote?"
                ))
            })?;
            for line in info.stream.iter().flat_map(|s| s.lines()) {
                if let Some(name) = line.trim().strip_prefix("Loaded image: ") {
                    self.emit("images", format!("loaded {name}"));
                    loaded.push(name.to_string());
                }
            }
        }
        if loaded.is_empty() {
            return Err(bundle_err(
                "the engine loaded no image from it; is it a file `workshop images save` wrote?"
                    .into(),
            ));
        }
        Ok(loaded)
    }
}

/// Hex SHA-256 of a file, read in 1 MiB pieces.
async fn sha256_of(file: &Path) -> std::io::Result<String> {
    let mut f = tokio::fs::File::open(file).await?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(format!("{:x}", hash.finalize()))
}
