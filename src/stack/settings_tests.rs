use super::*;

fn values(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn memory_sizes_read_the_way_docker_writes_them() {
    assert_eq!(parse_memory("256m"), Some(256 * MIB));
    assert_eq!(parse_memory("256MiB"), Some(256 * MIB));
    assert_eq!(parse_memory("1g"), Some(1024 * MIB));
    assert_eq!(parse_memory("1.5G"), Some(1536 * MIB));
    assert_eq!(parse_memory("1m"), None, "too small to start the app");
    assert_eq!(parse_memory("lots"), None);
}

#[test]
fn an_image_can_be_pointed_at_a_mirror_and_ports_moved() {
    let s = StackSettings::from_values(&values(&[
        ("WORKSHOP_IMAGE_DB", "mirror.corp/postgres:15"),
        ("WORKSHOP_PORT_API", "15000"),
    ]))
    .expect("valid");
    assert_eq!(s.images.db, "mirror.corp/postgres:15");
    assert_eq!(s.api_port, 15000);
    assert_eq!(s.app_port(3), 15002);
}

#[test]
fn a_classroom_mirror_is_a_host_and_port_and_nothing_else() {
    let s = StackSettings::from_values(&values(&[("WORKSHOP_REGISTRY", "192.168.1.20:5000")]))
        .expect("valid");
    assert_eq!(s.registry.as_deref(), Some("192.168.1.20:5000"));
    for bad in [
        "http://mirror:5000",
        "mirror:5000/library",
        "mirror:port",
        ":5000",
    ] {
        let err = StackSettings::from_values(&values(&[("WORKSHOP_REGISTRY", bad)]))
            .expect_err(bad)
            .to_string();
        assert!(err.starts_with("WORKSHOP_REGISTRY="), "{err}");
        assert!(err.contains("host:port"), "{err}");
    }
}

#[test]
fn the_debootstrap_images_are_one_setting_away_and_never_the_default() {
    assert_eq!(StackSettings::default().image_set, ImageSet::Official);
    let s =
        StackSettings::from_values(&values(&[("WORKSHOP_IMAGES", "debootstrap")])).expect("valid");
    assert_eq!(s.images, Images::debootstrap());
    let err = StackSettings::from_values(&values(&[("WORKSHOP_IMAGES", "mine")]))
        .expect_err("unknown set")
        .to_string();
    assert!(
        err.contains("official") && err.contains("debootstrap"),
        "{err}"
    );
}

#[test]
fn a_bad_value_names_its_key_and_what_is_accepted() {
    let err = StackSettings::from_values(&values(&[("WORKSHOP_PORT_API", "http")]))
        .expect_err("not a port");
    assert_eq!(
        err.to_string(),
        "WORKSHOP_PORT_API=\"http\": a port, 1-65535"
    );
}

#[test]
fn the_config_file_takes_comments_quotes_and_export() {
    let v = parse_env_file(
        "# mirror\nexport WORKSHOP_IMAGE_APP=\"me/app:1\"\n\nWORKSHOP_BIND='0.0.0.0'\n",
    );
    assert_eq!(v["WORKSHOP_IMAGE_APP"], "me/app:1");
    assert_eq!(v["WORKSHOP_BIND"], "0.0.0.0");
}

#[test]
fn a_stack_open_to_the_room_needs_passwords_of_its_own() {
    let err = StackSettings::from_values(&values(&[("WORKSHOP_BIND", "0.0.0.0")]))
        .expect_err("the default Grafana password on the room's network");
    assert!(
        err.to_string().contains("WORKSHOP_GRAFANA_PASSWORD"),
        "{err}"
    );
    let open = [
        ("WORKSHOP_BIND", "0.0.0.0"),
        ("WORKSHOP_GRAFANA_PASSWORD", "k3ep-0ut"),
    ];
    StackSettings::from_values(&values(&open)).expect("a chosen Grafana password");
    let published = [
        ("WORKSHOP_BIND", "0.0.0.0"),
        ("WORKSHOP_GRAFANA_PASSWORD", "k3ep-0ut"),
        ("WORKSHOP_PORT_DB", "5432"),
    ];
    let err = StackSettings::from_values(&values(&published)).expect_err("PostgreSQL's default");
    assert!(err.to_string().contains("WORKSHOP_DB_PASSWORD"), "{err}");
    // On loopback the defaults stay: nobody else can reach them.
    StackSettings::from_values(&values(&[("WORKSHOP_PORT_DB", "5432")])).expect("loopback");
}
