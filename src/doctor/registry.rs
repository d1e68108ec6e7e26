//! Reaching registries without pulling anything: the classroom mirror
//! (`WORKSHOP_REGISTRY`) and the registry a missing image would come from.

use std::net::IpAddr;
use std::time::Duration;

use super::Check;
use super::engine::InfoFacts;
use crate::stack::images::reference::Reference;

/// Where a missing image would be pulled from, and whether it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PullSource {
    /// For people: "Docker Hub", "registry localhost", "the classroom mirror 10.0.0.5:5000".
    pub from: String,
    pub answers: bool,
    pub mirror: bool,
}

/// How long a registry or the mirror gets to answer.
pub(super) const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The classroom mirror (`WORKSHOP_REGISTRY`) as probed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MirrorFacts {
    pub registry: String,
    /// The HTTP status of `/v2/`, or why there was none.
    pub answer: Result<u16, String>,
    /// Whether the engine pulls from it over plain HTTP; `None` without an engine.
    pub plain_http_allowed: Option<bool>,
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

pub(super) async fn resolve(registry: &str) -> Vec<IpAddr> {
    let (host, port) = split_host(registry, 80);
    match tokio::time::timeout(PROBE_TIMEOUT, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
        _ => Vec::new(),
    }
}

/// `GET http://registry/v2/`: any HTTP answer (401 included) means a
/// registry listens there.
pub(super) async fn probe_mirror(registry: &str) -> Result<u16, String> {
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
pub(super) async fn probe_registry(reference: &str) -> PullSource {
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
