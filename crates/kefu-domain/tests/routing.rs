//! Routing rules and assignment strategies, pure: fixed clocks and the standard China
//! calendar (Spring Festival 2026 holiday, the 2026-02-14 make-up working day, shift edges).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use kefu_domain::customer::Tier;
use kefu_domain::routing::{
    AssignError, AssignPolicy, Candidate, Condition, Field, Op, RoutingRule, RuleActions, Strategy,
    TicketFacts, evaluate, pick_assignee, rule_problems,
};
use kefu_domain::sla::BusinessCalendar;
use kefu_domain::ticket::Priority;
use serde_json::json;
use uuid::Uuid;

fn cond(field: Field, op: Op, value: serde_json::Value) -> Condition {
    Condition { field, op, value }
}

fn rule(name: &str, conditions: Vec<Condition>, actions: RuleActions, stop: bool) -> RoutingRule {
    RoutingRule {
        id: Uuid::now_v7(),
        name: name.into(),
        enabled: true,
        match_all: true,
        conditions,
        actions,
        stop,
    }
}

fn facts() -> TicketFacts {
    TicketFacts {
        kind: "repair".into(),
        channel: "phone".into(),
        priority: Priority::P3,
        tier: Some(Tier::Vip),
        region: Some("华东".into()),
        product: Some("数控机床 CK6150".into()),
        serial: Some("SN-8842X".into()),
        customer_id: None,
        subject: "主轴异响，产线停机".into(),
        description: "Spindle noise since Monday".into(),
        custom_fields: serde_json::from_value(json!({"downtime_hours": 6, "line": "A2"})).unwrap(),
    }
}

#[test]
fn rules_apply_in_order_and_stop_ends_evaluation() {
    let east = Uuid::now_v7();
    let vip_team = Uuid::now_v7();
    let rules = vec![
        rule(
            "华东维修",
            vec![
                cond(Field::Kind, Op::Is, json!("repair")),
                cond(Field::Region, Op::In, json!(["华东", "华北"])),
            ],
            RuleActions {
                team_id: Some(east),
                add_tags: vec!["现场".into()],
                ..Default::default()
            },
            false,
        ),
        rule(
            "停机升级",
            vec![cond(Field::Text, Op::ContainsAny, json!(["停机", "down"]))],
            RuleActions {
                priority: Some(Priority::P1),
                add_tags: vec!["停机".into(), "现场".into()],
                ..Default::default()
            },
            false,
        ),
        rule(
            "VIP 专线",
            vec![cond(Field::Tier, Op::Is, json!("vip"))],
            RuleActions {
                team_id: Some(vip_team),
                ..Default::default()
            },
            true,
        ),
        rule(
            "never reached",
            vec![],
            RuleActions {
                priority: Some(Priority::P4),
                ..Default::default()
            },
            false,
        ),
    ];
    let d = evaluate(&rules, &facts());
    assert_eq!(d.fired, vec!["华东维修", "停机升级", "VIP 专线"]);
    assert_eq!(
        d.team_id,
        Some(vip_team),
        "later rules override earlier ones"
    );
    assert_eq!(d.priority, Some(Priority::P1));
    assert_eq!(d.add_tags, vec!["停机".to_owned(), "现场".to_owned()]);

    // Without the stop, the catch-all rule applies last.
    let mut no_stop = rules.clone();
    no_stop[2].stop = false;
    assert_eq!(evaluate(&no_stop, &facts()).priority, Some(Priority::P4));
    // Disabled rules are skipped.
    let mut disabled = rules.clone();
    disabled[1].enabled = false;
    assert_eq!(evaluate(&disabled, &facts()).priority, None);
}

#[test]
fn conditions_compare_case_insensitively_and_handle_missing_facts() {
    let f = facts();
    let holds = |field, op, value| cond(field, op, value).holds(&f);
    assert!(holds(Field::Serial, Op::Is, json!("sn-8842x")));
    assert!(holds(Field::Product, Op::Contains, json!("ck6150")));
    assert!(holds(
        Field::Custom("downtime_hours".into()),
        Op::Gte,
        json!(4)
    ));
    assert!(!holds(
        Field::Custom("downtime_hours".into()),
        Op::Lte,
        json!(4)
    ));
    assert!(holds(
        Field::Custom("line".into()),
        Op::In,
        json!(["A1", "a2"])
    ));
    assert!(holds(Field::Channel, Op::NotIn, json!(["email", "portal"])));
    assert!(holds(Field::Priority, Op::Is, json!("P3")));
    // A missing fact satisfies only the negative operators.
    assert!(!holds(Field::Customer, Op::Is, json!("x")));
    assert!(holds(Field::Customer, Op::IsNot, json!("x")));
    assert!(!holds(Field::Customer, Op::Present, json!(null)));
    assert!(!holds(Field::Custom("missing".into()), Op::Gte, json!(0)));
    // Any-of rules.
    let mut any = rule(
        "any",
        vec![
            cond(Field::Kind, Op::Is, json!("complaint")),
            cond(Field::Channel, Op::Is, json!("phone")),
        ],
        RuleActions {
            add_tags: vec!["x".into()],
            ..Default::default()
        },
        false,
    );
    any.match_all = false;
    assert!(any.matches(&f));
    any.match_all = true;
    assert!(!any.matches(&f));
}

#[test]
fn rule_sets_are_checked_before_saving() {
    let bad = vec![
        rule(
            "",
            vec![cond(Field::Kind, Op::In, json!("repair"))],
            RuleActions::default(),
            false,
        ),
        rule(
            "ok",
            vec![cond(Field::Custom("h".into()), Op::Gte, json!(2))],
            RuleActions {
                priority: Some(Priority::P2),
                ..Default::default()
            },
            false,
        ),
    ];
    let problems = rule_problems(&bad);
    let rows: Vec<usize> = problems.iter().map(|(i, _)| *i).collect();
    assert_eq!(rows, vec![0, 0, 0], "{problems:?}");
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    // Beijing wall clock.
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - chrono::Duration::hours(8)
}

fn person(name: &str, load: u32, last: Option<DateTime<Utc>>) -> Candidate {
    Candidate {
        user_id: Uuid::now_v7(),
        name: name.into(),
        skills: vec![],
        region: None,
        open_load: load,
        last_assigned_at: last,
        calendar: Some(BusinessCalendar::standard_china()),
        leave: vec![],
    }
}

#[test]
fn round_robin_prefers_never_then_longest_ago() {
    let now = at(2026, 3, 3, 10, 0);
    let a = person("甲", 0, Some(now - chrono::Duration::minutes(5)));
    let b = person("乙", 9, Some(now - chrono::Duration::hours(3)));
    let c = person("丙", 0, Some(now - chrono::Duration::minutes(30)));
    let policy = AssignPolicy::default();
    let p = pick_assignee(
        &policy,
        &[a.clone(), b.clone(), c.clone()],
        &[],
        None,
        Priority::P3,
        now,
    )
    .unwrap();
    assert_eq!(p.user_id, b.user_id);
    let newcomer = person("丁", 0, None);
    let p = pick_assignee(
        &policy,
        &[a, b, c, newcomer.clone()],
        &[],
        None,
        Priority::P3,
        now,
    )
    .unwrap();
    assert_eq!(p.user_id, newcomer.user_id, "{}", p.reason);
}

#[test]
fn least_open_work_and_capacity_weigh_priorities() {
    let now = at(2026, 3, 3, 10, 0);
    let busy = person("忙", 8, None); // e.g. two P1 tickets
    let light = person("闲", 3, None);
    let policy = AssignPolicy {
        strategy: Strategy::LeastOpen,
        capacity: Some(6),
        ..Default::default()
    };
    let p = pick_assignee(
        &policy,
        &[busy.clone(), light.clone()],
        &[],
        None,
        Priority::P4,
        now,
    )
    .unwrap();
    assert_eq!(p.user_id, light.user_id);
    // A P1 (weight 4) would take the light one to 7 > 6: nobody qualifies.
    let e = pick_assignee(&policy, &[busy, light], &[], None, Priority::P1, now).unwrap_err();
    assert_eq!(
        e,
        AssignError::NobodyQualifies("filtered out by capacity".into())
    );
}

#[test]
fn skills_and_region_filter_field_engineers() {
    let now = at(2026, 3, 3, 10, 0);
    let mut plc = person("王工", 5, None);
    plc.skills = vec!["PLC".into(), "数控".into()];
    plc.region = Some("华东".into());
    let mut south = person("李工", 0, None);
    south.skills = vec!["plc".into()];
    south.region = Some("华南".into());
    let policy = AssignPolicy {
        strategy: Strategy::LeastOpen,
        match_skills: true,
        match_region: true,
        ..Default::default()
    };
    let p = pick_assignee(
        &policy,
        &[plc.clone(), south.clone()],
        &["plc".into()],
        Some("华东"),
        Priority::P2,
        now,
    )
    .unwrap();
    assert_eq!(p.user_id, plc.user_id, "region beats lighter load");
    let e = pick_assignee(
        &policy,
        &[plc, south],
        &["焊接".into()],
        Some("华东"),
        Priority::P2,
        now,
    )
    .unwrap_err();
    assert!(
        matches!(e, AssignError::NobodyQualifies(ref s) if s.contains("skills")),
        "{e:?}"
    );
}

#[test]
fn on_shift_follows_the_calendar_holidays_make_up_days_and_leave() {
    let a = person("甲", 0, None);
    let mut b = person("乙", 0, Some(at(2026, 1, 1, 0, 0)));
    let policy = AssignPolicy {
        on_shift_only: true,
        ..Default::default()
    };
    let pick =
        |now, cands: &[Candidate]| pick_assignee(&policy, cands, &[], None, Priority::P3, now);
    // Spring Festival holiday (2026-02-17, a Tuesday): nobody is on shift.
    assert!(pick(at(2026, 2, 17, 10, 0), &[a.clone(), b.clone()]).is_err());
    // The 2026-02-14 make-up working day (a Saturday): on shift.
    assert!(pick(at(2026, 2, 14, 10, 0), &[a.clone(), b.clone()]).is_ok());
    // Shift edges: 12:00 lunch starts (closed), 13:30 afternoon opens.
    assert!(pick(at(2026, 3, 3, 12, 0), std::slice::from_ref(&a)).is_err());
    assert!(pick(at(2026, 3, 3, 13, 30), std::slice::from_ref(&a)).is_ok());
    assert!(pick(at(2026, 3, 3, 17, 59), std::slice::from_ref(&a)).is_ok());
    assert!(pick(at(2026, 3, 3, 18, 0), std::slice::from_ref(&a)).is_err());
    // Leave takes a person out for the day.
    b.leave = vec![NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()];
    let p = pick(at(2026, 3, 3, 10, 0), &[a.clone(), b]).unwrap();
    assert_eq!(p.user_id, a.user_id);
    // Manual teams never auto-assign.
    let manual = AssignPolicy {
        strategy: Strategy::Manual,
        ..Default::default()
    };
    assert_eq!(
        pick_assignee(
            &manual,
            &[a],
            &[],
            None,
            Priority::P3,
            at(2026, 3, 3, 10, 0)
        ),
        Err(AssignError::Manual)
    );
}
