//! Getting the stack's images onto the engine: pulled (through a classroom
//! mirror when `WORKSHOP_REGISTRY` is set), built from the checkout's
//! Dockerfile (the app), each with progress as [`StackEvent::Progress`], so
//! the CLI prints it and the console's stack panel shows it.

use std::collections::HashMap;
use std::time::Duration;

use bollard::body_full;
use bollard::query_parameters::{
    BuildImageOptions, CreateImageOptions, RemoveImageOptions, TagImageOptions,
};
use futures::StreamExt;

use super::DockerStack;
use super::spec::ServiceSpec;
use crate::stack::error::StackError;
use crate::stack::images::context::{self, LABEL_SOURCE_HASH};
use crate::stack::images::reference::Reference;
use crate::stack::images::{Origin, StackImage, stack_images};
use crate::stack::service::ServiceRole;

/// How long one pull may take before `up` gives up on it.
const PULL_TIMEOUT: Duration = Duration::from_secs(900);
/// Builds, saves and loads stream for minutes; a request only times out
/// when the engine does not answer at all for this long.
pub(crate) const LONG_REQUEST: Duration = Duration::from_secs(3600);
/// Lines of build output kept for the error message.
const BUILD_TAIL: usize = 25;

impl DockerStack {
    /// The stack's image for `role`.
    pub(crate) fn image_of(&self, role: ServiceRole) -> Option<StackImage> {
        stack_images(&self.settings)
            .into_iter()
            .find(|i| i.service == role.name())
    }

    /// The label `key` of a local image: `None` when the image is absent,
    /// `Some(None)` when it is here without that label.
    pub(crate) async fn image_label(&self, image: &str, key: &str) -> Option<Option<String>> {
        let inspect = self.docker.inspect_image(image).await.ok()?;
        Some(
            inspect
                .config
                .and_then(|c| c.labels)
                .and_then(|l| l.get(key).cloned()),
        )
    }

    /// True when the service's image is here (pulled or built now if need
    /// be); false when an optional service's image cannot be had.
    pub(super) async fn ensure_image(&self, s: &ServiceSpec) -> Result<bool, StackError> {
        let Some(image) = self.image_of(s.service.role) else {
            return Ok(true);
        };
        match self.obtain(&image).await {
            Ok(()) => Ok(true),
            Err(StackError::ImageMissing { reason, .. }) if image.optional => {
                self.emit(
                    s.service,
                    format!("image missing: {} ({reason})", image.reference),
                );
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Makes `image` present: as is, pulled, or built, by its origin.
    pub async fn obtain(&self, image: &StackImage) -> Result<(), StackError> {
        let present = self.docker.inspect_image(&image.reference).await.is_ok();
        match image.origin {
            Origin::Registry if present => Ok(()),
            Origin::Registry => self.pull(image).await,
            Origin::Debootstrap if present => Ok(()),
            Origin::Debootstrap => Err(StackError::ImageMissing {
                service: image.service.into(),
                image: image.reference.clone(),
                reason: "WORKSHOP_IMAGES=debootstrap images are made on this machine".into(),
                fix: "Run `scripts/build-images` from a checkout, or use the official images \
                      (unset WORKSHOP_IMAGES)"
                    .into(),
            }),
            Origin::Dockerfile => self.obtain_app(image, present).await,
        }
    }

    /// The app image: built from the checkout when the image is missing or
    /// was built from other sources; pulled from the classroom mirror first
    /// when one is set and its image was built from the same sources.
    async fn obtain_app(&self, image: &StackImage, present: bool) -> Result<(), StackError> {
        let Some(dir) = context::find_checkout(self.settings.source.as_deref())? else {
            if present {
                return Ok(());
            }
            if self.settings.registry.is_some() {
                return self.pull(image).await;
            }
            return Err(StackError::ImageMissing {
                service: image.service.into(),
                image: image.reference.clone(),
                reason: "this binary was installed without a checkout to build it from".into(),
                fix: "Clone the workshop repository and run `workshop up` inside it (or set \
                      WORKSHOP_SOURCE to the clone); or load the coach's bundle with \
                      `workshop images load FILE`; or pull through the classroom mirror with \
                      WORKSHOP_REGISTRY=host:port"
                    .into(),
            });
        };
        let ctx = context::read(&dir, self.settings.build_ca.as_deref())?;
        let built_from = self.image_label(&image.reference, LABEL_SOURCE_HASH).await;
        if built_from == Some(Some(ctx.hash.clone())) {
            return Ok(());
        }
        if !present && self.settings.registry.is_some() && self.pull(image).await.is_ok() {
            let pulled = self.image_label(&image.reference, LABEL_SOURCE_HASH).await;
            if pulled == Some(Some(ctx.hash.clone())) {
                return Ok(());
            }
            self.emit(
                image.service,
                "the mirror's app image was built from other sources: building",
            );
        } else if present {
            self.emit(
                image.service,
                "the image was not built from this checkout (other sources, or another tool): \
                 building; unchanged steps come from the engine's cache",
            );
        }
        self.build(image, ctx).await
    }

    /// Builds the app image from `ctx` with the engine, labelled with the
    /// context's hash; progress as events: each Dockerfile step, and the
    /// crates compiled so far.
    async fn build(
        &self,
        image: &StackImage,
        ctx: context::BuildContext,
    ) -> Result<(), StackError> {
        let service = image.service;
        self.emit(
            service,
            format!(
                "building {} from {} ({} files; the first build compiles for several minutes)",
                image.reference,
                ctx.dir.display(),
                ctx.files
            ),
        );
        let opts = BuildImageOptions {
            dockerfile: "Dockerfile".into(),
            t: Some(image.reference.clone()),
            rm: true,
            forcerm: true,
            labels: Some(HashMap::from([(
                LABEL_SOURCE_HASH.to_string(),
                ctx.hash.clone(),
            )])),
            ..Default::default()
        };
        let docker = self.docker.clone().with_timeout(LONG_REQUEST);
        let mut stream = docker.build_image(opts, None, Some(body_full(ctx.tar.into())));
        let mut tail: Vec<String> = Vec::new();
        let mut compiled = 0usize;
        let fail = |reason: String, tail: &[String]| StackError::Build {
            image: image.reference.clone(),
            dir: ctx.dir.display().to_string(),
            reason,
            last_output: if tail.is_empty() {
                "  (none)".into()
            } else {
                tail.iter()
                    .map(|l| format!("  | {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            },
        };
        while let Some(item) = stream.next().await {
            let info = item.map_err(|e| fail(e.to_string(), &tail))?;
            if let Some(err) = info.error_detail.and_then(|d| d.message) {
                return Err(fail(err, &tail));
            }
            for raw in info.stream.iter().flat_map(|s| s.lines()) {
                let line = without_colours(raw);
                let line = line.trim_end();
                if line.is_empty() {
                    continue;
                }
                if tail.len() == BUILD_TAIL {
                    tail.remove(0);
                }
                tail.push(line.to_string());
                let trimmed = line.trim_start();
                if trimmed.starts_with("Step ") {
                    self.emit(service, shorten(trimmed, 100));
                } else if let Some(krate) = trimmed.strip_prefix("Compiling ") {
                    compiled += 1;
                    if compiled % 10 == 1 {
                        self.emit(
                            service,
                            format!("compiling: {compiled} crates so far ({krate})"),
                        );
                    }
                }
            }
        }
        match self.image_label(&image.reference, LABEL_SOURCE_HASH).await {
            Some(Some(h)) if h == ctx.hash => {
                self.emit(service, format!("built {}", image.reference));
                Ok(())
            }
            _ => Err(fail("the build ended without the image".into(), &tail)),
        }
    }

    /// Pulls `image`, through the classroom mirror when one is set (then
    /// tagged with its usual name, so everything else reads one name),
    /// with per-layer progress as events.
    pub(crate) async fn pull(&self, image: &StackImage) -> Result<(), StackError> {
        let missing = |reason: String| StackError::ImageMissing {
            service: image.service.into(),
            image: image.reference.clone(),
            reason,
            fix: format!(
                "Connect to a network that reaches the registry and retry; or load the coach's \
                 bundle with `workshop images load FILE`; or pull through a classroom mirror \
                 with WORKSHOP_REGISTRY=host:port; or set {} to an image you have",
                image.env
            ),
        };
        let canonical = Reference::parse(&image.reference)
            .ok_or_else(|| missing(format!("{:?} is not an image name", image.reference)))?;
        let source = match &self.settings.registry {
            Some(r) => canonical.on_mirror(r),
            None => canonical.clone(),
        };
        self.emit(image.service, format!("pulling {source}"));
        let pulled = tokio::time::timeout(PULL_TIMEOUT, self.pull_layers(image.service, &source))
            .await
            .unwrap_or_else(|_| Err(format!("no end within {PULL_TIMEOUT:?}")));
        pulled.map_err(&missing)?;
        if self.settings.registry.is_some() {
            let text = image.reference.trim();
            let (repo, tag) = match &canonical.tag {
                Some(t) => (&text[..text.len() - t.len() - 1], t.as_str()),
                None => (text, "latest"),
            };
            let opts = TagImageOptions {
                repo: Some(repo.to_string()),
                tag: Some(tag.to_string()),
            };
            self.docker
                .tag_image(&source.to_string(), Some(opts))
                .await
                .map_err(StackError::docker(format!(
                    "tagging {source} as {}",
                    image.reference
                )))?;
            // Only the mirror's name goes; the layers stay under the usual one.
            let _ = self
                .docker
                .remove_image(&source.to_string(), None::<RemoveImageOptions>, None)
                .await;
        }
        if self.docker.inspect_image(&image.reference).await.is_ok() {
            Ok(())
        } else {
            Err(missing("the pull ended without the image".into()))
        }
    }

    /// One pull; events when a layer's status changes and at every quarter
    /// of its download. The error is the engine's reason.
    async fn pull_layers(&self, service: &str, source: &Reference) -> Result<(), String> {
        let opts = CreateImageOptions {
            from_image: Some(source.repository()),
            tag: Some(source.tag.clone().unwrap_or_else(|| "latest".into())),
            ..Default::default()
        };
        let docker = self.docker.clone().with_timeout(LONG_REQUEST);
        let mut stream = docker.create_image(Some(opts), None, None);
        let mut shown: HashMap<String, (String, i64)> = HashMap::new();
        while let Some(item) = stream.next().await {
            let info = item.map_err(|e| first_line(&e.to_string()))?;
            if let Some(err) = info.error_detail.and_then(|d| d.message) {
                return Err(err);
            }
            let Some(status) = info.status else { continue };
            let Some(id) = info
                .id
                .filter(|id| id.len() >= 8 && !status.starts_with("Pulling from"))
            else {
                self.emit(service, status);
                continue;
            };
            let (current, total) = info
                .progress_detail
                .map(|p| (p.current.unwrap_or(0), p.total.unwrap_or(0)))
                .unwrap_or((0, 0));
            let quarter = if total > 0 {
                (current.max(0) * 4 / total).min(4)
            } else {
                0
            };
            let changed = shown
                .get(&id)
                .is_none_or(|(s, q)| *s != status || *q != quarter);
            if changed {
                let size = if total > 0 {
                    format!(" {:.1}/{:.1} MB", current as f64 / 1e6, total as f64 / 1e6)
                } else {
                    String::new()
                };
                self.emit(service, format!("layer {id}: {status}{size}"));
                shown.insert(id, (status, quarter));
            }
        }
        Ok(())
    }
}

/// The line without terminal colour codes (the engine wraps a step's
/// stderr in them).
fn without_colours(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte (a letter).
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// At most `max` characters of a line, with `…` when cut.
fn shorten(line: &str, max: usize) -> String {
    match line.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_lines_lose_their_colour_codes_and_long_steps_are_cut() {
        assert_eq!(
            without_colours("\u{1b}[91merror: failed\u{1b}[0m"),
            "error: failed"
        );
        assert_eq!(shorten("Step 1/2 : RUN x", 8), "Step 1/2…");
        assert_eq!(shorten("short", 8), "short");
    }
}
