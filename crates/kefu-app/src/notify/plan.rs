//! Who hears about a ticket event: the rules, free of storage. The customer gets mail for
//! what concerns them (ticket received, an agent's public reply, chosen status changes); the
//! assignee gets in-app notices (assigned, customer replied, SLA warning, mail failed);
//! group bots get whichever events they subscribe to. Nobody is told about their own action.

use kefu_store::entity::{ticket, ticket_event};
use uuid::Uuid;

use crate::intake::OutboundSettings;

/// Events a group bot can subscribe to.
pub const BOT_EVENTS: [&str; 7] = [
    "ticket.created",
    "ticket.assigned",
    "ticket.customer_reply",
    "ticket.status_changed",
    "ticket.sla_warning",
    "ticket.sla_breached",
    "ticket.sla_escalated",
];

/// One thing to do about an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Mail the ticket's contact (`received`, `agent_reply`, `status_changed`).
    CustomerMail(&'static str),
    /// Send the agent's reply to the contact on WeChat (tickets that came by WeChat).
    CustomerWeChat,
    /// Mail a staff member (`sla_warning`).
    StaffMail(Uuid, &'static str),
    /// An in-app notification of `kind` for a user.
    InApp(Uuid, &'static str),
    /// A message to the bots subscribed to this event.
    Bot(&'static str),
}

/// The actions for `ev` on `t`. `actor_is_staff` tells whether a staff member (not a
/// customer, not the system) did it.
pub(crate) fn plan(
    ev: &ticket_event::Model,
    t: &ticket::Model,
    actor_is_staff: bool,
    out: &OutboundSettings,
) -> Vec<Action> {
    let mut a = Vec::new();
    let data = &ev.data;
    let s = |k: &str| data.get(k).and_then(|v| v.as_str()).unwrap_or("");
    let uuid = |k: &str| {
        data.get(k)
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse().ok())
    };
    let not_actor = |u: Uuid| Some(u) != ev.actor_id;
    let merged = t.merged_into_id.is_some();
    match ev.kind.as_str() {
        "created" => {
            if !actor_is_staff && out.notify_received && !merged {
                a.push(Action::CustomerMail("received"));
            }
            if let Some(u) = t.assignee_id.filter(|u| not_actor(*u)) {
                a.push(Action::InApp(u, "assigned"));
            }
            a.push(Action::Bot("ticket.created"));
        }
        "reply" if ev.public => {
            if s("from") == "agent" {
                // The answer goes back where the conversation is.
                if t.channel == "wechat" && !merged {
                    a.push(Action::CustomerWeChat);
                } else if out.notify_agent_reply && !merged {
                    a.push(Action::CustomerMail("agent_reply"));
                }
            } else {
                if let Some(u) = t.assignee_id.filter(|u| not_actor(*u)) {
                    a.push(Action::InApp(u, "customer_reply"));
                }
                a.push(Action::Bot("ticket.customer_reply"));
            }
        }
        "assigned" | "auto_assigned" => {
            if let Some(u) = uuid("to").filter(|u| not_actor(*u)) {
                a.push(Action::InApp(u, "assigned"));
            }
            a.push(Action::Bot("ticket.assigned"));
        }
        "status_changed" => {
            let to = s("to");
            // The customer's own reopen by mail or portal is not news to them.
            let by_us = actor_is_staff || ev.actor_id.is_none() && s("comment") != "email";
            if by_us && out.notify_statuses.iter().any(|x| x == to) && !merged {
                a.push(Action::CustomerMail("status_changed"));
            }
            a.push(Action::Bot("ticket.status_changed"));
        }
        "quote_sent" if !merged => a.push(Action::CustomerMail("quote_sent")),
        "quote_accepted" | "quote_declined" => {
            if let Some(u) = t.assignee_id.filter(|u| not_actor(*u)) {
                a.push(Action::InApp(u, "quote_decided"));
            }
        }
        "approval_reminder" => {
            let users: Vec<Uuid> = data
                .get("notify")
                .and_then(|v| v.as_array())
                .map(|v| v.iter().filter_map(|x| x.as_str()?.parse().ok()).collect())
                .unwrap_or_default();
            for u in users {
                a.push(Action::InApp(u, "approval_reminder"));
            }
        }
        "parts_arrived" => {
            if let Some(u) = t.assignee_id.filter(|u| not_actor(*u)) {
                a.push(Action::InApp(u, "parts_arrived"));
            }
        }
        "sla_warning" => {
            if let Some(u) = t.assignee_id {
                a.push(Action::InApp(u, "sla_warning"));
                a.push(Action::StaffMail(u, "sla_warning"));
            }
            a.push(Action::Bot("ticket.sla_warning"));
        }
        "sla_breached" => {
            if let Some(u) = t.assignee_id {
                a.push(Action::InApp(u, "sla_breached"));
            }
            a.push(Action::Bot("ticket.sla_breached"));
        }
        "sla_escalated" => {
            let mut users: Vec<Uuid> = data
                .get("notify")
                .and_then(|v| v.as_array())
                .map(|v| v.iter().filter_map(|x| x.as_str()?.parse().ok()).collect())
                .unwrap_or_default();
            users.extend(uuid("assignee_to"));
            users.extend(t.assignee_id);
            users.sort();
            users.dedup();
            for u in users {
                a.push(Action::InApp(u, "sla_escalated"));
            }
            a.push(Action::Bot("ticket.sla_escalated"));
        }
        "mail_failed" => {
            if let Some(u) = t.assignee_id {
                a.push(Action::InApp(u, "mail_failed"));
            }
        }
        _ => {}
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use serde_json::json;

    fn ticket(assignee: Option<Uuid>) -> ticket::Model {
        let now = Utc::now();
        ticket::Model {
            id: Uuid::now_v7(),
            number: "SR-202611-000001".into(),
            kind: "repair".into(),
            channel: "email".into(),
            priority: "P2".into(),
            status: "open".into(),
            subject: "主轴异响".into(),
            customer_id: None,
            contact_id: None,
            asset_id: None,
            order_id: None,
            team_id: None,
            assignee_id: assignee,
            sla_policy_id: None,
            first_response_due_at: None,
            resolution_due_at: None,
            first_responded_at: None,
            resolved_at: None,
            closed_at: None,
            sla_paused_since: None,
            sla_check_at: None,
            sla_warn_at: None,
            tags: json!([]),
            custom_fields: json!({}),
            parent_id: None,
            merged_into_id: None,
            created_by: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    fn event(
        kind: &str,
        actor: Option<Uuid>,
        public: bool,
        data: serde_json::Value,
    ) -> ticket_event::Model {
        ticket_event::Model {
            id: Uuid::now_v7(),
            ticket_id: Uuid::now_v7(),
            kind: kind.into(),
            actor_id: actor,
            public,
            data,
            created_at: Utc::now(),
        }
    }

    fn on() -> OutboundSettings {
        OutboundSettings {
            enabled: true,
            ..Default::default()
        }
    }

    #[test]
    fn customer_filed_ticket_is_acknowledged_agent_filed_is_not() {
        let t = ticket(None);
        let by_mail = plan(&event("created", None, true, json!({})), &t, false, &on());
        assert!(by_mail.contains(&Action::CustomerMail("received")));
        let agent = Uuid::now_v7();
        let by_agent = plan(
            &event("created", Some(agent), true, json!({})),
            &t,
            true,
            &on(),
        );
        assert!(!by_agent.contains(&Action::CustomerMail("received")));
        assert!(by_agent.contains(&Action::Bot("ticket.created")));
    }

    #[test]
    fn agent_reply_mails_customer_customer_reply_tells_assignee() {
        let agent = Uuid::now_v7();
        let t = ticket(Some(agent));
        let a = plan(
            &event("reply", Some(agent), true, json!({"from": "agent"})),
            &t,
            true,
            &on(),
        );
        assert_eq!(a, vec![Action::CustomerMail("agent_reply")]);
        let c = plan(
            &event("reply", None, true, json!({"from": "customer"})),
            &t,
            false,
            &on(),
        );
        assert_eq!(
            c,
            vec![
                Action::InApp(agent, "customer_reply"),
                Action::Bot("ticket.customer_reply")
            ]
        );
        // Internal notes never reach the customer.
        assert!(
            plan(
                &event("reply", Some(agent), false, json!({"from": "agent"})),
                &t,
                true,
                &on()
            )
            .is_empty()
        );
    }

    #[test]
    fn nobody_is_told_of_their_own_assignment() {
        let lead = Uuid::now_v7();
        let agent = Uuid::now_v7();
        let t = ticket(Some(agent));
        let to_other = plan(
            &event("assigned", Some(lead), false, json!({"to": agent})),
            &t,
            true,
            &on(),
        );
        assert!(to_other.contains(&Action::InApp(agent, "assigned")));
        let to_self = plan(
            &event("assigned", Some(agent), false, json!({"to": agent})),
            &t,
            true,
            &on(),
        );
        assert!(!to_self.iter().any(|x| matches!(x, Action::InApp(..))));
    }

    #[test]
    fn only_chosen_statuses_are_mailed() {
        let agent = Uuid::now_v7();
        let t = ticket(Some(agent));
        let resolved = event(
            "status_changed",
            Some(agent),
            true,
            json!({"from": "open", "to": "resolved"}),
        );
        assert!(plan(&resolved, &t, true, &on()).contains(&Action::CustomerMail("status_changed")));
        let pending = event(
            "status_changed",
            Some(agent),
            true,
            json!({"from": "open", "to": "pending"}),
        );
        assert!(!plan(&pending, &t, true, &on()).contains(&Action::CustomerMail("status_changed")));
        // The customer's own mail reopening the ticket is not mailed back.
        let reopen = event(
            "status_changed",
            None,
            true,
            json!({"from": "resolved", "to": "resolved", "comment": "email"}),
        );
        assert!(!plan(&reopen, &t, false, &on()).contains(&Action::CustomerMail("status_changed")));
    }

    #[test]
    fn escalation_notifies_listed_users_once() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let t = ticket(Some(a));
        let ev = event(
            "sla_escalated",
            None,
            false,
            json!({"notify": [a, b], "assignee_to": a}),
        );
        let acts = plan(&ev, &t, false, &on());
        let in_app: Vec<_> = acts
            .iter()
            .filter(|x| matches!(x, Action::InApp(..)))
            .collect();
        assert_eq!(in_app.len(), 2);
    }
}
