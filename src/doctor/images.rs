//! The stack's images: here, or how `workshop up` would get each one — and
//! whether it could from here, now. Nothing is pulled or built: a registry
//! is only connected to, the classroom mirror asked for `/v2/`.

use std::path::PathBuf;

use super::Check;
use super::engine::EngineFacts;
use super::registry::{
    MirrorFacts, PullSource, check_mirror, plain_http_allowed, probe_mirror, probe_registry,
    resolve,
};
use crate::stack::StackSettings;
use crate::stack::images::context::find_checkout;
use crate::stack::images::{Origin, StackImage, stack_images};

/// The image checks, plus the mirror's when one is set.
pub(super) async fn examine(settings: &StackSettings, docker: Option<&EngineFacts>) -> Vec<Check> {
    let mut checks = Vec::new();
    let mirror = match &settings.registry {
        Some(registry) => {
            let answer = probe_mirror(registry).await;
            let ips = resolve(registry).await;
            let plain_http_allowed = docker
                .and_then(|e| e.info.as_ref())
                .map(|info| plain_http_allowed(registry, &ips, info));
            let facts = MirrorFacts {
                registry: registry.clone(),
                answer,
                plain_http_allowed,
            };
            checks.push(check_mirror(&facts));
            Some(facts)
        }
        None => None,
    };
    let Some(engine) = docker else {
        checks.push(Check::warn(
            "images",
            "not checked: no Docker engine answered (local mode needs no images)",
            "start Docker, then run `workshop doctor` again to see which images are here",
        ));
        return checks;
    };
    let checkout = find_checkout(settings.source.as_deref()).map_err(|e| e.to_string());
    for image in stack_images(settings) {
        let present = engine
            .stack
            .docker()
            .inspect_image(&image.reference)
            .await
            .is_ok();
        let source = if present || image.origin == Origin::Debootstrap {
            None
        } else {
            Some(match &mirror {
                Some(m) => PullSource {
                    from: format!("the classroom mirror {}", m.registry),
                    answers: m.answer.is_ok() && m.plain_http_allowed != Some(false),
                    mirror: true,
                },
                None => probe_registry(&image.reference).await,
            })
        };
        checks.push(check_image(&image, present, source.as_ref(), &checkout));
    }
    checks
}

/// Present: fine. Missing: by where it comes from (see the module doc of
/// [`super`] for what blocks).
pub(super) fn check_image(
    image: &StackImage,
    present: bool,
    source: Option<&PullSource>,
    checkout: &Result<Option<PathBuf>, String>,
) -> Check {
    let name = format!("image-{}", image.service);
    let what = format!("{} image {}", image.service, image.reference);
    if present {
        return Check::ok(name, format!("{what} is here"));
    }
    let prepare = "get it today, while online: `workshop images pull` (or load the coach's \
                   bundle: `workshop images load FILE`)";
    let unobtainable = format!(
        "set {} to an image that is here (`docker images`), load the coach's bundle \
         (`workshop images load FILE`), or pull through the classroom mirror \
         (WORKSHOP_REGISTRY=host:port)",
        image.env
    );
    match image.origin {
        Origin::Debootstrap => Check::fail(
            name,
            format!(
                "{what} is not here; WORKSHOP_IMAGES=debootstrap images are made on this machine"
            ),
            "run `scripts/build-images` from a checkout, or unset WORKSHOP_IMAGES for the \
             official images",
        ),
        Origin::Dockerfile => from_dockerfile(name, &what, checkout, source, prepare, unobtainable),
        Origin::Registry => from_registry(name, &what, image, source, prepare, unobtainable),
    }
}

/// The app's image, built from a checkout when there is one.
fn from_dockerfile(
    name: String,
    what: &str,
    checkout: &Result<Option<PathBuf>, String>,
    source: Option<&PullSource>,
    prepare: &str,
    unobtainable: String,
) -> Check {
    match (checkout, source) {
        (Err(e), _) => Check::fail(
            name,
            format!("{what} is not here and cannot be built: {e}"),
            "point WORKSHOP_SOURCE at a clone of the workshop repository, or unset it",
        ),
        (Ok(Some(dir)), _) => Check::warn(
            name,
            format!(
                "{what} is not here yet: `workshop up` builds it from {}; the first build \
                 takes several minutes",
                dir.display()
            ),
            "build it today: `workshop images pull`",
        ),
        (Ok(None), Some(s)) if s.mirror && s.answers => Check::warn(
            name,
            format!("{what} is not here: `workshop up` pulls it from {}", s.from),
            prepare,
        ),
        (Ok(None), _) => Check::fail(
            name,
            format!(
                "{what} is not here, and this binary was installed without a checkout to \
                 build it from"
            ),
            format!(
                "clone the workshop repository and run `workshop` inside it (or set \
                 WORKSHOP_SOURCE to the clone); or {unobtainable}"
            ),
        ),
    }
}

/// An official image: pulled from its registry or the classroom mirror.
fn from_registry(
    name: String,
    what: &str,
    image: &StackImage,
    source: Option<&PullSource>,
    prepare: &str,
    unobtainable: String,
) -> Check {
    let optional = if image.optional {
        " (optional: the stack comes up without it)"
    } else {
        ""
    };
    match source {
        Some(s) if s.answers => Check::warn(
            name,
            format!(
                "{what} is not here: `workshop up` pulls it from {}{optional}",
                s.from
            ),
            prepare,
        ),
        Some(s) if s.mirror => {
            let finding = format!(
                "{what} is not here, and {} cannot serve it{optional}",
                s.from
            );
            let fix = format!(
                "fix the mirror (above), or load the coach's bundle (`workshop images \
                     load FILE`), or set {} to an image that is here",
                image.env
            );
            if image.optional {
                Check::warn(name, finding, fix)
            } else {
                Check::fail(name, finding, fix)
            }
        }
        _ => {
            let from = source.map_or("its registry", |s| s.from.as_str());
            let finding = format!("{what} is not here, and {from} does not answer{optional}");
            if image.optional {
                Check::warn(name, finding, unobtainable)
            } else {
                Check::fail(name, finding, unobtainable)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::*;
    use crate::stack::images::stack_images;

    fn image(service: &str) -> StackImage {
        stack_images(&StackSettings::default())
            .into_iter()
            .find(|i| i.service == service)
            .expect(service)
    }

    fn source(answers: bool, mirror: bool) -> PullSource {
        PullSource {
            from: if mirror {
                "the classroom mirror m:5000"
            } else {
                "Docker Hub"
            }
            .into(),
            answers,
            mirror,
        }
    }

    const NO_CHECKOUT: Result<Option<PathBuf>, String> = Ok(None);

    #[test]
    fn an_image_that_is_here_is_fine() {
        let c = check_image(&image("db"), true, None, &NO_CHECKOUT);
        assert_eq!(c.status, Status::Ok);
        assert!(c.finding.contains("postgres:15-bookworm"), "{}", c.finding);
    }

    #[test]
    fn a_missing_image_whose_registry_answers_warns_that_up_pulls_it() {
        let c = check_image(
            &image("db"),
            false,
            Some(&source(true, false)),
            &NO_CHECKOUT,
        );
        assert_eq!(c.status, Status::Warn);
        assert!(c.finding.contains("Docker Hub"), "{}", c.finding);
        assert!(c.fix.is_some_and(|f| f.contains("workshop images pull")));
    }

    #[test]
    fn a_missing_image_nobody_can_serve_fails_and_names_its_setting() {
        let c = check_image(
            &image("db"),
            false,
            Some(&source(false, false)),
            &NO_CHECKOUT,
        );
        assert_eq!(c.status, Status::Fail);
        assert!(c.fix.is_some_and(|f| f.contains("WORKSHOP_IMAGE_DB")));
    }

    #[test]
    fn the_optional_grafana_image_only_warns() {
        let c = check_image(
            &image("grafana"),
            false,
            Some(&source(false, false)),
            &NO_CHECKOUT,
        );
        assert_eq!(c.status, Status::Warn);
        assert!(c.finding.contains("optional"), "{}", c.finding);
    }

    #[test]
    fn the_app_image_is_built_from_a_checkout_else_needs_a_mirror_or_a_bundle() {
        let app = image("app");
        let checkout = Ok(Some(PathBuf::from("/src/workshop")));
        let built = check_image(&app, false, None, &checkout);
        assert_eq!(built.status, Status::Warn);
        assert!(
            built.finding.contains("several minutes"),
            "{}",
            built.finding
        );

        let nothing = check_image(&app, false, Some(&source(false, false)), &NO_CHECKOUT);
        assert_eq!(nothing.status, Status::Fail);
        let fix = nothing.fix.expect("fix");
        assert!(
            fix.contains("clone") && fix.contains("images load"),
            "{fix}"
        );

        let mirrored = check_image(&app, false, Some(&source(true, true)), &NO_CHECKOUT);
        assert_eq!(mirrored.status, Status::Warn);

        let bad_source = check_image(&app, false, None, &Err("not a checkout".into()));
        assert_eq!(bad_source.status, Status::Fail);
    }

    #[test]
    fn a_missing_debootstrap_image_says_to_run_build_images() {
        let mut img = image("db");
        img.origin = Origin::Debootstrap;
        let c = check_image(&img, false, None, &NO_CHECKOUT);
        assert_eq!(c.status, Status::Fail);
        assert!(c.fix.is_some_and(|f| f.contains("scripts/build-images")));
    }
}
