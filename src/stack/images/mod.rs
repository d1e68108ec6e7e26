//! The stack's images: which they are, where each comes from, and how a
//! classroom gets them without thirty laptops pulling a gigabyte each.
//!
//! - [`reference`]: image names, and the same image's name on a classroom
//!   mirror (`WORKSHOP_REGISTRY`).
//! - [`context`]: the app image's build context, read from a checkout the
//!   way `docker build` reads it (`.dockerignore`), and the hash of what it
//!   was built from, so `up` rebuilds only when that changed.
//!
//! The Docker calls (pull, build, save, load) live with the Docker backend
//! (`docker::images`); this module is pure data and files.

pub mod context;
pub mod reference;

use serde::Serialize;

use super::service::ServiceRole;
use super::settings::{APP_IMAGE, ImageSet, StackSettings};

/// Where an image of the stack comes from when it is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Pulled from its registry (or the classroom mirror).
    Registry,
    /// Built by the engine from the checkout's Dockerfile (or pulled from
    /// the classroom mirror, where a coach pushed it).
    Dockerfile,
    /// Made on this machine by `scripts/build-images`; never pulled.
    Debootstrap,
}

/// One image of the stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackImage {
    /// `db`, `app`, `prometheus`, `grafana`.
    pub service: &'static str,
    /// The name the stack runs it under.
    pub reference: String,
    pub origin: Origin,
    /// The stack comes up without it (Grafana).
    pub optional: bool,
    /// The setting that names another image for this service.
    pub env: &'static str,
}

/// Every image the stack runs, in start order.
pub fn stack_images(s: &StackSettings) -> Vec<StackImage> {
    let pulled = match s.image_set {
        ImageSet::Official => Origin::Registry,
        ImageSet::Debootstrap => Origin::Debootstrap,
    };
    // Only the project's own name is built; any other app image is the
    // user's choice and is pulled like the rest (never overwritten by a build).
    let app = match s.image_set {
        ImageSet::Official if s.images.app == APP_IMAGE => Origin::Dockerfile,
        ImageSet::Official => Origin::Registry,
        ImageSet::Debootstrap => Origin::Debootstrap,
    };
    let image = |role: ServiceRole, reference: &String, origin, env| StackImage {
        service: role.name(),
        reference: reference.clone(),
        origin,
        optional: role.optional(),
        env,
    };
    vec![
        image(ServiceRole::Db, &s.images.db, pulled, "WORKSHOP_IMAGE_DB"),
        image(ServiceRole::App, &s.images.app, app, "WORKSHOP_IMAGE_APP"),
        image(
            ServiceRole::Prometheus,
            &s.images.prometheus,
            pulled,
            "WORKSHOP_IMAGE_PROMETHEUS",
        ),
        image(
            ServiceRole::Grafana,
            &s.images.grafana,
            Origin::Registry,
            "WORKSHOP_IMAGE_GRAFANA",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::reference::Reference;
    use super::*;

    /// Docker Hub namespaces this project may name: the official library
    /// and the upstream projects' own (prom, grafana). Anything else on Hub
    /// could be registered by anyone and would run on every student's laptop.
    const TRUSTED_HUB_NAMESPACES: [&str; 3] = ["library", "prom", "grafana"];

    #[test]
    fn the_default_images_are_official_repositories_or_local_names_only() {
        for image in stack_images(&StackSettings::default()) {
            let r = Reference::parse(&image.reference).expect(&image.reference);
            match r.registry.as_deref() {
                None => assert!(
                    TRUSTED_HUB_NAMESPACES.contains(&r.namespace()),
                    "{} names Docker Hub namespace {:?}",
                    image.reference,
                    r.namespace()
                ),
                Some("localhost") => assert_eq!(image.origin, Origin::Dockerfile),
                Some(other) => panic!("{} names registry {other}", image.reference),
            }
            assert!(r.tag.is_some(), "{} is pinned by tag", image.reference);
            assert_ne!(r.tag.as_deref(), Some("latest"), "{}", image.reference);
        }
    }

    #[test]
    fn an_app_image_the_user_names_is_pulled_never_built_over() {
        let mut s = StackSettings::default();
        s.images.app = "postgres:15-bookworm".into();
        let app = stack_images(&s)
            .into_iter()
            .find(|i| i.service == "app")
            .expect("app");
        assert_eq!(app.origin, Origin::Registry);
    }

    #[test]
    fn the_debootstrap_set_names_nothing_that_could_be_pulled_from_docker_hub() {
        let s = StackSettings {
            image_set: ImageSet::Debootstrap,
            images: super::super::settings::Images::debootstrap(),
            ..Default::default()
        };
        for image in stack_images(&s).into_iter().filter(|i| !i.optional) {
            let r = Reference::parse(&image.reference).expect(&image.reference);
            assert_eq!(
                r.registry.as_deref(),
                Some("localhost"),
                "{}",
                image.reference
            );
        }
    }
}
