//! Historical tickets from another helpdesk's export. Either one row per ticket, or an event
//! log (ServiceNow, Zammad history, RT transactions): several rows with the same number, one
//! per change, in time order; the ticket takes its final state from the last row and every
//! change of status becomes an event in its history. Status, priority and channel are read in
//! the forms other systems write them (`Awaiting User Info`, `3 - Moderate`, `Phone`); a lone
//! `?` or `NULL` is an empty cell.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::{Column, MAX_CELL, Problem, parse_date, problem};
use crate::ticket::{Channel, Priority, StatusCategory, StatusDef, Workflow};

/// A field a ticket row can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketField {
    /// The other system's number; rows with the same number are one ticket.
    Number,
    /// Subject.
    Subject,
    /// The first message.
    Description,
    /// Customer code or exact name.
    Customer,
    /// Ticket type.
    Kind,
    /// Priority.
    Priority,
    /// Status (required).
    Status,
    /// Channel.
    Channel,
    /// A tag (category).
    Tag,
    /// When the ticket was opened (required).
    OpenedAt,
    /// When this row's change happened (event logs).
    UpdatedAt,
    /// When it was resolved.
    ResolvedAt,
    /// When it was closed.
    ClosedAt,
}

impl TicketField {
    /// Every field.
    pub const ALL: [TicketField; 13] = [
        TicketField::Number,
        TicketField::Subject,
        TicketField::Description,
        TicketField::Customer,
        TicketField::Kind,
        TicketField::Priority,
        TicketField::Status,
        TicketField::Channel,
        TicketField::Tag,
        TicketField::OpenedAt,
        TicketField::UpdatedAt,
        TicketField::ResolvedAt,
        TicketField::ClosedAt,
    ];
}

impl Column for TicketField {
    fn all() -> &'static [Self] {
        &TicketField::ALL
    }

    fn key(self) -> &'static str {
        match self {
            TicketField::Number => "number",
            TicketField::Subject => "subject",
            TicketField::Description => "description",
            TicketField::Customer => "customer",
            TicketField::Kind => "kind",
            TicketField::Priority => "priority",
            TicketField::Status => "status",
            TicketField::Channel => "channel",
            TicketField::Tag => "tag",
            TicketField::OpenedAt => "opened_at",
            TicketField::UpdatedAt => "updated_at",
            TicketField::ResolvedAt => "resolved_at",
            TicketField::ClosedAt => "closed_at",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            TicketField::Number => &[
                "工单号",
                "工单编号",
                "编号",
                "ticket",
                "id",
                "ticket number",
            ],
            TicketField::Subject => &["主题", "标题", "title", "short description"],
            TicketField::Description => &["描述", "内容", "问题描述", "body"],
            TicketField::Customer => &["客户", "客户编码", "客户名称", "organization", "company"],
            TicketField::Kind => &["类型", "工单类型", "type"],
            TicketField::Priority => &["优先级", "紧急程度"],
            TicketField::Status => &["状态", "incident state", "state"],
            TicketField::Channel => &["渠道", "来源", "contact type", "source"],
            TicketField::Tag => &["标签", "分类", "category"],
            TicketField::OpenedAt => &["创建时间", "提交时间", "opened", "created", "created at"],
            TicketField::UpdatedAt => &["更新时间", "变更时间", "sys updated at", "changed at"],
            TicketField::ResolvedAt => &["解决时间", "resolved"],
            TicketField::ClosedAt => &["关闭时间", "closed"],
        }
    }

    fn required(self) -> bool {
        matches!(self, TicketField::Status | TicketField::OpenedAt)
    }
}

/// A time as other systems write it, read in `tz`: `2026-11-05 13:20[:05]`,
/// `2026-11-05T13:20:05`, `2026/11/5 13:20`, `05-03-2016 12:00` (day first, as ServiceNow's
/// export writes it), RFC 3339, or a date alone (midnight).
pub fn parse_time(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let (d, t) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d.trim(), Some(t.trim())),
        None => (s, None),
    };
    let date = parse_date(d).or_else(|| {
        // Day first: 05-03-2016, 05/03/2016.
        let p: Vec<&str> = d.split(['-', '/', '.']).collect();
        match p.as_slice() {
            [dd, mm, yyyy] if yyyy.len() == 4 && dd.len() <= 2 => {
                NaiveDate::from_ymd_opt(yyyy.parse().ok()?, mm.parse().ok()?, dd.parse().ok()?)
            }
            _ => None,
        }
    })?;
    let time = match t {
        None | Some("") => NaiveTime::MIN,
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
            .ok()?,
    };
    tz.from_local_datetime(&NaiveDateTime::new(date, time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// A priority as other systems write it: `P2`, `2`, `2 - High`, `High`, `高`.
pub fn parse_priority(s: &str) -> Option<Priority> {
    let s = s.trim();
    if let Some(p) = Priority::parse(&s.to_uppercase()) {
        return Some(p);
    }
    let word = s
        .split(['-', ' '])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>();
    if let Some(n) = word.first().and_then(|w| w.parse::<u8>().ok()) {
        return match n {
            1 => Some(Priority::P1),
            2 => Some(Priority::P2),
            3 => Some(Priority::P3),
            4 | 5 => Some(Priority::P4),
            _ => None,
        };
    }
    match s.to_lowercase().as_str() {
        "critical" | "urgent" | "紧急" | "特急" => Some(Priority::P1),
        "high" | "高" => Some(Priority::P2),
        "moderate" | "medium" | "normal" | "中" | "普通" => Some(Priority::P3),
        "low" | "planning" | "低" => Some(Priority::P4),
        _ => None,
    }
}

/// A channel as other systems write it (`Phone`, `Email`, `Self-service`, `电话`).
pub fn parse_channel(s: &str) -> Option<Channel> {
    let l = s.trim().to_lowercase();
    Channel::parse(&l).or(match l.as_str() {
        "电话" | "telephone" => Some(Channel::Phone),
        "邮件" | "e-mail" | "mail" => Some(Channel::Email),
        "self-service" | "self service" | "门户" | "web form" => Some(Channel::Portal),
        "微信" => Some(Channel::Wechat),
        "在线客服" | "live chat" => Some(Channel::Chat),
        "监控" | "event" | "alert" => Some(Channel::Monitoring),
        "网页" => Some(Channel::Web),
        _ => None,
    })
}

/// The workflow status a status written by another system stands for: a key or name of ours
/// (any case), else the usual words of other helpdesks by meaning (`Active` → the first
/// working status, `Awaiting User Info` → waiting for the customer, `Solved` → resolved).
pub fn status_of<'a>(wf: &'a Workflow, s: &str) -> Option<&'a StatusDef> {
    let l = s.trim().to_lowercase();
    if let Some(d) = wf
        .statuses
        .iter()
        .find(|d| d.key == l || d.name_en.to_lowercase() == l || d.name_zh == s.trim())
    {
        return Some(d);
    }
    let by_key = |k: &str| wf.statuses.iter().find(|d| d.key == k);
    let first = |c: StatusCategory| wf.statuses.iter().find(|d| d.category == c);
    match l.as_str() {
        "awaiting user info"
        | "pending customer"
        | "waiting for customer"
        | "pending reminder"
        | "待客户"
        | "等待客户" => by_key("pending_customer").or(first(StatusCategory::Pending)),
        "awaiting problem" | "awaiting vendor" | "awaiting change" | "awaiting evidence"
        | "pending" | "on hold" | "waiting" | "挂起" => first(StatusCategory::Pending),
        "active" | "in progress" | "work in progress" | "assigned" | "open" | "处理中" => {
            first(StatusCategory::Open)
        }
        "new" | "未处理" | "待处理" => first(StatusCategory::New),
        "resolved" | "solved" | "fixed" | "已解决" => first(StatusCategory::Resolved),
        "closed" | "cancelled" | "canceled" | "rejected" | "已关闭" | "已取消" => {
            first(StatusCategory::Closed)
        }
        _ => None,
    }
}

/// One change in a ticket's life, as a row of the file tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Sheet row.
    pub row: usize,
    /// Status as written.
    pub status: String,
    /// When (the row's update time, else the ticket's opening).
    pub at: DateTime<Utc>,
}

/// A ticket folded from its rows: the last row's fields, the first row's opening time, and
/// every row as a step.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketRow {
    /// Sheet row of its first row.
    pub row: usize,
    /// The other system's number, if the file has one.
    pub number: Option<String>,
    /// Subject (empty: the importer names it after the number).
    pub subject: String,
    /// First message.
    pub description: Option<String>,
    /// Customer code or name.
    pub customer: Option<String>,
    /// Type code as written.
    pub kind: Option<String>,
    /// Priority.
    pub priority: Option<Priority>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Tags.
    pub tags: Vec<String>,
    /// Opened.
    pub opened_at: DateTime<Utc>,
    /// Resolved, when the file says.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Closed, when the file says.
    pub closed_at: Option<DateTime<Utc>>,
    /// Every row, in file order (the last is the current status).
    pub steps: Vec<Step>,
}

/// Checks the rows and folds those with the same number into one ticket each (first
/// appearance order). Rows without a number are tickets of their own.
pub fn parse_ticket_rows(
    rows: &[Vec<String>],
    columns: &[Option<TicketField>],
    first_row: usize,
    tz: Tz,
) -> (Vec<TicketRow>, Vec<Problem>) {
    let mut out: Vec<TicketRow> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut problems = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let n = first_row + i;
        let empty = |v: &str| v.is_empty() || v == "?" || v.eq_ignore_ascii_case("null");
        if row.iter().all(|c| empty(c.trim())) {
            continue;
        }
        let before = problems.len();
        let mut get = std::collections::HashMap::new();
        for (cell, field) in row.iter().zip(columns) {
            let Some(f) = field else { continue };
            let v = cell.trim();
            if empty(v) {
                continue;
            }
            let limit = if *f == TicketField::Description {
                100_000
            } else {
                MAX_CELL
            };
            if v.chars().count() > limit {
                problems.push(problem(n, f.key(), format!("at most {limit} characters")));
                continue;
            }
            get.insert(*f, v.to_owned());
        }
        let time = |f: TicketField, problems: &mut Vec<Problem>| {
            get.get(&f).and_then(|v| {
                let t = parse_time(v, tz);
                if t.is_none() {
                    problems.push(problem(
                        n,
                        f.key(),
                        format!("`{v}` is not a time (2026-11-05 13:20)"),
                    ));
                }
                t
            })
        };
        let opened = time(TicketField::OpenedAt, &mut problems);
        let updated = time(TicketField::UpdatedAt, &mut problems);
        let resolved = time(TicketField::ResolvedAt, &mut problems);
        let closed = time(TicketField::ClosedAt, &mut problems);
        let status = get.get(&TicketField::Status).cloned().unwrap_or_default();
        if status.is_empty() {
            problems.push(problem(n, "status", "required"));
        }
        if opened.is_none() && !get.contains_key(&TicketField::OpenedAt) {
            problems.push(problem(n, "opened_at", "required"));
        }
        let priority = get.get(&TicketField::Priority).and_then(|v| {
            let p = parse_priority(v);
            if p.is_none() {
                problems.push(problem(
                    n,
                    "priority",
                    format!("`{v}` is not a priority (P1–P4)"),
                ));
            }
            p
        });
        let channel = get.get(&TicketField::Channel).and_then(|v| {
            let c = parse_channel(v);
            if c.is_none() {
                problems.push(problem(n, "channel", format!("`{v}` is not a channel")));
            }
            c
        });
        if problems.len() != before {
            continue;
        }
        let Some(opened) = opened else { continue };
        let step = Step {
            row: n,
            status,
            at: updated.unwrap_or(opened),
        };
        let number = get.get(&TicketField::Number).cloned();
        let at = number.as_ref().and_then(|k| index.get(k).copied());
        let t = match at {
            Some(i) => &mut out[i],
            None => {
                if let Some(k) = &number {
                    index.insert(k.clone(), out.len());
                }
                out.push(TicketRow {
                    row: n,
                    number: number.clone(),
                    subject: String::new(),
                    description: None,
                    customer: None,
                    kind: None,
                    priority: None,
                    channel: None,
                    tags: Vec::new(),
                    opened_at: opened,
                    resolved_at: None,
                    closed_at: None,
                    steps: Vec::new(),
                });
                out.last_mut().expect("just pushed")
            }
        };
        // Later rows win, but an empty cell keeps what an earlier row said.
        if let Some(v) = get.get(&TicketField::Subject) {
            t.subject = v.clone();
        }
        if let Some(v) = get.get(&TicketField::Description) {
            t.description = Some(v.clone());
        }
        if let Some(v) = get.get(&TicketField::Customer) {
            t.customer = Some(v.clone());
        }
        if let Some(v) = get.get(&TicketField::Kind) {
            t.kind = Some(v.clone());
        }
        if let Some(v) = get.get(&TicketField::Tag)
            && !t.tags.contains(v)
        {
            t.tags.push(v.clone());
        }
        t.priority = priority.or(t.priority);
        t.channel = channel.or(t.channel);
        t.resolved_at = resolved.or(t.resolved_at);
        t.closed_at = closed.or(t.closed_at);
        t.steps.push(step);
    }
    (out, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cols(h: &[&str]) -> Vec<Option<TicketField>> {
        let header: Vec<String> = h.iter().map(|s| s.to_string()).collect();
        super::super::map_columns::<TicketField>(&header, 1, &HashMap::new()).unwrap()
    }

    fn row(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn times_in_the_forms_other_systems_write() {
        let tz = chrono_tz::Asia::Shanghai;
        let t = parse_time("05-03-2016 12:00", tz).unwrap();
        assert_eq!(t.to_rfc3339(), "2016-03-05T04:00:00+00:00");
        assert_eq!(
            parse_time("2026-11-05 13:20:05", tz),
            parse_time("2026/11/5 13:20:05", tz)
        );
        assert_eq!(
            parse_time("2026-11-05T05:20:00Z", tz).unwrap().to_rfc3339(),
            "2026-11-05T05:20:00+00:00"
        );
        assert!(parse_time("2026-11-05", tz).is_some());
        assert!(parse_time("yesterday", tz).is_none());
        assert!(parse_time("2026-11-05 25:00", tz).is_none());
    }

    #[test]
    fn statuses_of_other_systems_by_meaning() {
        let wf = Workflow::default();
        let key = |s: &str| status_of(&wf, s).map(|d| d.key.as_str());
        assert_eq!(key("Awaiting User Info"), Some("pending_customer"));
        assert_eq!(key("Active"), Some("open"));
        assert_eq!(key("已解决"), Some("resolved"));
        assert_eq!(key("Pending parts"), Some("pending_parts"));
        assert_eq!(key("Cancelled"), Some("closed"));
        assert_eq!(key("Awaiting Vendor"), Some("pending_customer"));
        assert_eq!(key("limbo"), None);
    }

    #[test]
    fn priorities_and_channels_of_other_systems() {
        assert_eq!(parse_priority("3 - Moderate"), Some(Priority::P3));
        assert_eq!(parse_priority("1 - Critical"), Some(Priority::P1));
        assert_eq!(parse_priority("p2"), Some(Priority::P2));
        assert_eq!(parse_priority("低"), Some(Priority::P4));
        assert_eq!(parse_priority("whenever"), None);
        assert_eq!(parse_channel("Phone"), Some(Channel::Phone));
        assert_eq!(parse_channel("Self service"), Some(Channel::Portal));
        assert_eq!(parse_channel("fax"), None);
    }

    #[test]
    fn an_event_log_folds_into_tickets_with_their_steps() {
        // ServiceNow's headers: incident_state, opened_at, sys_updated_at, category.
        let c = cols(&[
            "number",
            "incident_state",
            "opened_at",
            "sys_updated_at",
            "priority",
            "category",
            "contact_type",
        ]);
        let rows = vec![
            row(&[
                "INC1",
                "New",
                "29-02-2016 01:16",
                "29-02-2016 01:23",
                "3 - Moderate",
                "Category 55",
                "Phone",
            ]),
            row(&[
                "INC2",
                "New",
                "29-02-2016 04:40",
                "29-02-2016 04:57",
                "?",
                "?",
                "Phone",
            ]),
            row(&[
                "INC1",
                "Resolved",
                "29-02-2016 01:16",
                "29-02-2016 08:53",
                "2 - High",
                "?",
                "Phone",
            ]),
            row(&["", "", "", "", "", "", ""]),
            row(&[
                "INC1",
                "Closed",
                "29-02-2016 01:16",
                "05-03-2016 12:00",
                "?",
                "?",
                "Phone",
            ]),
        ];
        let (t, p) = parse_ticket_rows(&rows, &c, 2, chrono_tz::Asia::Shanghai);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].number.as_deref(), Some("INC1"));
        assert_eq!(
            t[0].steps
                .iter()
                .map(|s| s.status.as_str())
                .collect::<Vec<_>>(),
            ["New", "Resolved", "Closed"]
        );
        assert_eq!(t[0].steps[2].row, 6);
        assert_eq!(t[0].priority, Some(Priority::P2), "the later row wins");
        assert_eq!(t[0].tags, ["Category 55"], "an empty later cell keeps it");
        assert_eq!(t[0].channel, Some(Channel::Phone));
        assert_eq!(t[1].priority, None);
    }

    #[test]
    fn bad_cells_are_named_by_row_and_field() {
        let c = cols(&["编号", "状态", "创建时间", "优先级", "渠道"]);
        let rows = vec![
            row(&["A1", "", "2026-13-01", "P9", "fax"]),
            row(&["A2", "open", "2026-11-01 09:00", "P1", "电话"]),
        ];
        let (t, p) = parse_ticket_rows(&rows, &c, 2, chrono_tz::Asia::Shanghai);
        assert_eq!(t.len(), 1);
        let mut fields: Vec<(usize, &str)> = p.iter().map(|p| (p.row, p.column.as_str())).collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                (2, "channel"),
                (2, "opened_at"),
                (2, "priority"),
                (2, "status")
            ]
        );
    }
}
