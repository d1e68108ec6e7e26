//! The stack's images: here, or how `workshop up` would get each one — and
//! whether it could from here, now. Nothing is pulled or built: a registry
//! is only connected to, the classroom mirror asked for `/v2/`.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::Check;
use super::engine::{EngineFacts, InfoFacts};
use crate::stack::StackSettings;
use crate::stack::images::context::find_checkout;
use crate::stack::images::reference::Reference;
use crate::stack::images::{Origin, StackImage, stack_images};

/// How long a registry or the mirror gets to answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Where a missing image would be pulled from, and whether it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PullSource {
    /// For people: "Docker Hub", "registry localhost", "the classroom mirror 10.0.0.5:5000".
    pub from: String,
    pub answers: bool,
    pub mirror: bool,
}

/// The classroom mirror (`WORKSHOP_REGISTRY`) as probed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MirrorFacts {
    pub registry: String,
    /// The HTTP status of `/v2/`, or why there was none.
    pub answer: Result<u16, String>,
    /// Whether the engine pulls from it over plain HTTP; `None` without an engine.
    pub plain_http_allowed: Option<bool>,
}

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
        Origin::Dockerfile => match (checkout, source) {
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
        },
        Origin::Registry => {
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
                    let finding =
                        format!("{what} is not here, and {from} does not answer{optional}");
                    if image.optional {
                        Check::warn(name, finding, unobtainable)
                    } else {
                        Check::fail(name, finding, unobtainable)
                    }
                }
            }
        }
    }
}

/// An explicit mirror that does not answer, or that the engine will not
/// speak plain HTTP to, fails: every missing image goes through it.
pub(super) fn check_mirror(m: &MirrorFacts) -> Check {
    let reg = &m.registry;
    match (&m.answer, m.plain_http_allowed) {
        (Err(why), _) => Check::fail(
            "mirror",
            format!("WORKSHOP_REGISTRY={reg}: the classroom mirror does not answer ({why})"),
            "check the address with the coach and that you are on the room's network; or \
             unset WORKSHOP_REGISTRY to pull from the usual registries",
        ),
        (Ok(_), Some(false)) => Check::fail(
            "mirror",
            format!(
                "WORKSHOP_REGISTRY={reg}: the mirror answers, but the engine refuses plain HTTP \
                 from it"
            ),
            format!(
                "add {{ \"insecure-registries\": [\"{reg}\"] }} to the engine's daemon.json \
                 (Docker Desktop: Settings → Docker Engine; Linux: /etc/docker/daemon.json), \
                 then restart the engine"
            ),
        ),
        (Ok(status), _) => Check::ok(
            "mirror",
            format!(
                "the classroom mirror {reg} answers (HTTP {status}); missing images are pulled \
                 through it"
            ),
        ),
    }
}

/// The engine pulls over plain HTTP from registries it lists as insecure by
/// name, or whose address is in one of its insecure CIDRs (127.0.0.0/8 by
/// default).
pub(super) fn plain_http_allowed(registry: &str, ips: &[IpAddr], info: &InfoFacts) -> bool {
    info.insecure_names.iter().any(|n| n == registry)
        || ips
            .iter()
            .any(|ip| info.insecure_cidrs.iter().any(|c| in_cidr(*ip, c)))
}

fn in_cidr(ip: IpAddr, cidr: &str) -> bool {
    let (net, bits) = cidr.split_once('/').unwrap_or((cidr, ""));
    let Ok(net) = net.parse::<IpAddr>() else {
        return false;
    };
    let (ip, net, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => (u32::from(a) as u128, u32::from(n) as u128, 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
        _ => return false,
    };
    let bits: u32 = bits.parse().unwrap_or(width);
    if bits > width {
        return false;
    }
    let shift = width - bits;
    shift >= 128 || (ip >> shift) == (net >> shift)
}

/// `host` of `host[:port]` and the port (default `default`).
fn split_host(registry: &str, default: u16) -> (&str, u16) {
    match registry.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().unwrap_or(default)),
        None => (registry, default),
    }
}

async fn resolve(registry: &str) -> Vec<IpAddr> {
    let (host, port) = split_host(registry, 80);
    match tokio::time::timeout(PROBE_TIMEOUT, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
        _ => Vec::new(),
    }
}

/// `GET http://registry/v2/`: any HTTP answer (401 included) means a
/// registry listens there.
async fn probe_mirror(registry: &str) -> Result<u16, String> {
    let client = reqwest::Client::builder()
        .timeout(PROBE_TIMEOUT)
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    match client.get(format!("http://{registry}/v2/")).send().await {
        Ok(r) => Ok(r.status().as_u16()),
        Err(e) if e.is_timeout() => Err(format!("no answer within {PROBE_TIMEOUT:?}")),
        Err(e) if e.is_connect() => Err("cannot connect: nothing listens there".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Whether the image's own registry accepts a connection (this build speaks
/// no TLS, so a TCP connection is the whole probe).
async fn probe_registry(reference: &str) -> PullSource {
    let registry = Reference::parse(reference).and_then(|r| r.registry);
    let (from, host) = match &registry {
        None => ("Docker Hub".to_string(), "registry-1.docker.io"),
        Some(r) => (format!("registry {r}"), r.as_str()),
    };
    let (name, port) = split_host(host, 443);
    let mut ports = vec![port];
    // The engine tries plain HTTP too for a loopback registry without a port.
    if !host.contains(':') && (name == "localhost" || name.starts_with("127.")) {
        ports.push(80);
    }
    let mut answers = false;
    for port in ports {
        let connect = tokio::net::TcpStream::connect((name, port));
        if matches!(
            tokio::time::timeout(PROBE_TIMEOUT, connect).await,
            Ok(Ok(_))
        ) {
            answers = true;
            break;
        }
    }
    PullSource {
        from,
        answers,
        mirror: false,
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

    #[test]
    fn a_mirror_that_does_not_answer_or_is_refused_fails() {
        let m = |answer, allowed| MirrorFacts {
            registry: "10.0.0.5:5000".into(),
            answer,
            plain_http_allowed: allowed,
        };
        assert_eq!(check_mirror(&m(Ok(200), Some(true))).status, Status::Ok);
        assert_eq!(check_mirror(&m(Ok(401), None)).status, Status::Ok);
        let refused = check_mirror(&m(Ok(200), Some(false)));
        assert_eq!(refused.status, Status::Fail);
        assert!(
            refused
                .fix
                .is_some_and(|f| f.contains("insecure-registries"))
        );
        let silent = check_mirror(&m(Err("nothing listens there".into()), None));
        assert_eq!(silent.status, Status::Fail);
        assert!(silent.finding.contains("WORKSHOP_REGISTRY=10.0.0.5:5000"));
    }

    #[test]
    fn plain_http_is_allowed_by_name_or_by_cidr() {
        let info = InfoFacts {
            insecure_cidrs: vec!["127.0.0.0/8".into()],
            insecure_names: vec!["mirror.lan:5000".into()],
            ..Default::default()
        };
        let ip = |s: &str| vec![s.parse::<IpAddr>().expect("ip")];
        assert!(plain_http_allowed(
            "127.0.0.1:5000",
            &ip("127.0.0.1"),
            &info
        ));
        assert!(plain_http_allowed("mirror.lan:5000", &[], &info));
        assert!(!plain_http_allowed("10.0.0.5:5000", &ip("10.0.0.5"), &info));
        assert!(in_cidr(
            "192.168.1.20".parse().expect("ip"),
            "192.168.0.0/16"
        ));
        assert!(!in_cidr(
            "192.169.1.20".parse().expect("ip"),
            "192.168.0.0/16"
        ));
        assert!(in_cidr("10.1.2.3".parse().expect("ip"), "0.0.0.0/0"));
    }
}
