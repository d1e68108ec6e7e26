use super::*;

fn exposition(ok: u64, errors: u64, fast: u64, slow: u64) -> String {
    format!(
        "# HELP fintech_requests Requests.\n\
         # TYPE fintech_requests counter\n\
         fintech_requests_total{{method=\"GET\",endpoint=\"/api/balance\",status=\"200\"}} {ok}\n\
         fintech_requests_total{{method=\"GET\",endpoint=\"/api/balance\",status=\"500\"}} {errors}\n\
         fintech_request_latency_seconds_bucket{{endpoint=\"/api/balance\",le=\"0.1\"}} {fast}\n\
         fintech_request_latency_seconds_bucket{{endpoint=\"/api/balance\",le=\"2.5\"}} {t}\n\
         fintech_request_latency_seconds_bucket{{endpoint=\"/api/balance\",le=\"+Inf\"}} {t}\n\
         fintech_active_transactions 3\n\
         fintech_failure_latency_ms 2000\n",
        t = fast + slow
    )
}

#[test]
fn labels_with_escapes_and_infinities_parse() {
    let s = parse("m{a=\"x\\\"y\",le=\"+Inf\"} 4\nplain 1.5e3 1700000000\n# c\nbroken{ 1\n");
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].label("a"), Some("x\"y"));
    assert_eq!(s[1].value, 1500.0);
}

#[test]
fn two_scrapes_give_rate_error_ratio_and_p95() {
    let a = Scrape::new(0.0, &exposition(100, 0, 100, 0));
    let b = Scrape::new(10.0, &exposition(180, 20, 180, 20));
    let d = derive(&a, &b);
    assert_eq!(d.rps, Some(10.0));
    assert_eq!(d.error_ratio, Some(0.2));
    // 100 new requests: 80 under 0.1 s, 20 between 0.1 and 2.5 s; rank 95
    // is 15/20 into the second bucket.
    let p95 = d.p95.unwrap_or_default();
    assert!((p95 - (0.1 + 2.4 * 0.75)).abs() < 1e-9, "{p95}");
}

#[test]
fn a_restarted_api_counts_its_new_counters_as_the_increase() {
    let a = Scrape::new(0.0, &exposition(1000, 0, 1000, 0));
    let b = Scrape::new(5.0, &exposition(50, 0, 50, 0));
    assert_eq!(derive(&a, &b).rps, Some(10.0));
}

#[test]
fn no_requests_is_no_data_not_zero_latency() {
    let a = Scrape::new(0.0, &exposition(10, 0, 10, 0));
    let b = Scrape::new(5.0, &exposition(10, 0, 10, 0));
    let d = derive(&a, &b);
    assert_eq!(d.rps, Some(0.0));
    assert_eq!(d.error_ratio, None);
    assert_eq!(d.p95, None);
}

#[test]
fn the_window_answers_recording_rule_names_and_plain_gauges() {
    let mut w = ScrapeWindow::default();
    w.push(Scrape::new(0.0, &exposition(0, 0, 0, 0)));
    w.push(Scrape::new(10.0, &exposition(100, 0, 100, 0)));
    assert_eq!(w.values("job:fintech_request_rate:1m"), Ok(vec![10.0]));
    assert_eq!(w.values("sum(fintech_active_transactions)"), Ok(vec![3.0]));
    assert_eq!(
        w.values(r#"max(fintech_failure_latency_ms{job="fintech-api"})"#),
        Ok(vec![2000.0])
    );
    assert!(w.values("rate(x[1m])").is_err());
    assert!(w.values("job:other_rule:1m").is_err());
}

#[test]
fn the_window_keeps_one_minute_of_scrapes() {
    let mut w = ScrapeWindow::default();
    for i in 0..40 {
        w.push(Scrape::new(f64::from(i) * 5.0, &exposition(0, 0, 0, 0)));
    }
    let span = w.scrapes.back().map(|s| s.at).unwrap_or_default()
        - w.scrapes.front().map(|s| s.at).unwrap_or_default();
    assert!(
        (RATE_WINDOW_S..RATE_WINDOW_S + 5.1).contains(&span),
        "{span}"
    );
}

#[test]
fn the_tools_own_probes_are_not_the_apis_traffic() {
    let probes = |n: u64| {
        format!(
            "fintech_requests_total{{method=\"GET\",endpoint=\"/readyz\",status=\"200\"}} {n}\n\
             fintech_requests_total{{method=\"GET\",endpoint=\"/api/failures\",status=\"200\"}} {n}\n\
             fintech_request_latency_seconds_bucket{{endpoint=\"/readyz\",le=\"0.1\"}} {n}\n\
             fintech_request_latency_seconds_bucket{{endpoint=\"/readyz\",le=\"2.5\"}} {n}\n\
             fintech_request_latency_seconds_bucket{{endpoint=\"/readyz\",le=\"+Inf\"}} {n}\n"
        )
    };
    // 2/s of load, all slow; 2 × 11.5/s of probes, all fast.
    let a = Scrape::new(0.0, &(exposition(0, 0, 0, 0) + &probes(0)));
    let b = Scrape::new(10.0, &(exposition(20, 0, 0, 20) + &probes(115)));
    let d = derive(&a, &b);
    assert_eq!(d.rps, Some(2.0));
    assert!(d.p95.is_some_and(|p| p > 0.1), "{d:?}");
}

#[test]
fn the_rules_leave_out_the_same_endpoints_as_the_scrape() {
    let rules = crate::stack::files::ALERT_RULES;
    let wanted = format!("endpoint!~\"{}\"", TOOL_ENDPOINTS.join("|"));
    let filters: Vec<&str> = rules
        .match_indices("endpoint!~\"")
        .map(|(i, _)| {
            let rest = &rules[i..];
            let end = rest[11..].find('"').map_or(rest.len(), |e| e + 12);
            &rest[..end]
        })
        .collect();
    assert_eq!(
        filters.len(),
        5,
        "one per rate in the three recording rules"
    );
    assert!(
        filters.iter().all(|f| *f == wanted),
        "{filters:?} vs {wanted}"
    );
}

#[test]
fn an_api_only_the_tools_call_reads_zero_requests_not_no_data() {
    let probes = |n: u64| {
        format!(
            "fintech_requests_total{{method=\"GET\",endpoint=\"/readyz\",status=\"200\"}} {n}\n"
        )
    };
    let d = derive(
        &Scrape::new(0.0, &probes(3)),
        &Scrape::new(10.0, &probes(13)),
    );
    assert_eq!(d.rps, Some(0.0));
    assert_eq!(d.error_ratio, None);
}
