//! Adoption: `up` labels each container with a hash of its definition and
//! the files put into it. A container whose hash matches is adopted as is
//! (a second `up` loses nothing and is fast); one whose hash differs was made
//! from other settings (another memory limit, scale, image) and is recreated.

use super::spec::ServiceSpec;

/// The label carrying the hash.
pub(super) const LABEL_CONFIG_HASH: &str = "io.workshop.config-hash";

/// A stable hash (FNV-1a) of the definition and the files put into it.
pub(super) fn config_hash(spec: &ServiceSpec) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    // serde_json writes maps in key order only for BTreeMaps; sort via Value.
    let body = serde_json::to_value(&spec.body).unwrap_or_default();
    eat(canonical(&body).as_bytes());
    for f in &spec.files {
        eat(f.path.as_bytes());
        eat(&f.contents);
    }
    format!("{h:016x}")
}

fn canonical(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k:?}:{}", canonical(&map[k])))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        serde_json::Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(canonical).collect::<Vec<_>>().join(",")
            )
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::docker::spec::stack;
    use crate::stack::settings::StackSettings;

    #[test]
    fn a_changed_definition_changes_the_hash_and_an_equal_one_does_not() {
        let a = stack(&StackSettings::default());
        let b = stack(&StackSettings::default());
        assert_eq!(config_hash(&a[1]), config_hash(&b[1]));
        let c = stack(&StackSettings {
            app_memory: 512 * 1024 * 1024,
            ..Default::default()
        });
        assert_ne!(config_hash(&a[1]), config_hash(&c[1]));
    }
}
