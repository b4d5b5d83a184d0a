//! Cost of routing-rule evaluation with 200 rules (a large installation), ignored by default
//! because timings only mean something in an optimised build:
//! `cargo test --release -p kefu-domain --test routing_perf -- --ignored --nocapture`.
//! Target (issue 6): ≤ 50 µs per ticket.

use std::hint::black_box;
use std::time::Instant;

use kefu_domain::customer::Tier;
use kefu_domain::routing::{Condition, Field, Op, RoutingRule, RuleActions, TicketFacts, evaluate};
use kefu_domain::ticket::Priority;
use serde_json::json;
use uuid::Uuid;

/// 200 rules of the shapes admins write: type + region lists, keyword lists, tiers, custom
/// field thresholds; about one in ten matches a given ticket.
fn rules() -> Vec<RoutingRule> {
    let regions = ["华东", "华北", "华南", "西南", "东北"];
    let kinds = [
        "repair",
        "installation",
        "return_exchange",
        "complaint",
        "inquiry",
    ];
    (0..200)
        .map(|i| {
            let conditions = match i % 4 {
                0 => vec![
                    Condition {
                        field: Field::Kind,
                        op: Op::Is,
                        value: json!(kinds[i % 5]),
                    },
                    Condition {
                        field: Field::Region,
                        op: Op::In,
                        value: json!([regions[i % 5], regions[(i + 1) % 5]]),
                    },
                ],
                1 => vec![Condition {
                    field: Field::Text,
                    op: Op::ContainsAny,
                    value: json!([format!("型号{i}"), "停机", "漏油", "报警", "断电"]),
                }],
                2 => vec![
                    Condition {
                        field: Field::Tier,
                        op: Op::In,
                        value: json!(["vip", "strategic"]),
                    },
                    Condition {
                        field: Field::Product,
                        op: Op::Contains,
                        value: json!(format!("CK{}", 6100 + i)),
                    },
                ],
                _ => vec![Condition {
                    field: Field::Custom("downtime_hours".into()),
                    op: Op::Gte,
                    value: json!(i % 24),
                }],
            };
            RoutingRule {
                id: Uuid::now_v7(),
                name: format!("rule {i}"),
                enabled: true,
                match_all: true,
                conditions,
                actions: RuleActions {
                    add_tags: vec![format!("t{i}")],
                    priority: (i % 7 == 0).then_some(Priority::P2),
                    ..Default::default()
                },
                stop: false,
            }
        })
        .collect()
}

#[test]
#[ignore = "timing; run in release"]
fn two_hundred_rules_cost_microseconds_per_ticket() {
    let rules = rules();
    let facts: Vec<TicketFacts> = (0..1000)
        .map(|i| TicketFacts {
            kind: ["repair", "inquiry", "complaint"][i % 3].into(),
            channel: "phone".into(),
            priority: Priority::P3,
            tier: Some(if i % 4 == 0 {
                Tier::Vip
            } else {
                Tier::Standard
            }),
            region: Some(["华东", "华南", "西北"][i % 3].into()),
            product: Some(format!("数控机床 CK{}", 6100 + (i % 300))),
            serial: Some(format!("SN-{i:05}X")),
            customer_id: None,
            subject: format!(
                "客户来电：设备{}，型号{}",
                ["异响", "停机", "漏油"][i % 3],
                i % 250
            ),
            description: "Customer reports the machine stops after ten minutes; 已重启无效。"
                .into(),
            custom_fields: serde_json::from_value(json!({"downtime_hours": i % 30})).unwrap(),
        })
        .collect();
    let rounds = 50;
    let t = Instant::now();
    let mut fired = 0usize;
    for _ in 0..rounds {
        for f in &facts {
            fired += black_box(evaluate(black_box(&rules), f)).fired.len();
        }
    }
    let per = t.elapsed().as_nanos() as f64 / (rounds * facts.len()) as f64;
    eprintln!(
        "200 rules: {per:.0} ns per ticket ({:.1} rules fired on average)",
        fired as f64 / (rounds * facts.len()) as f64
    );
    assert!(fired > 0);
}
