//! Words of staff notifications (in-app and group bots), Simplified Chinese first.

/// The headline for a notification `kind` (or bot event without the `ticket.` prefix).
pub(crate) fn headline(kind: &str, en: bool) -> &'static str {
    match (kind, en) {
        ("assigned", false) => "工单已分配给您",
        ("assigned", true) => "Ticket assigned to you",
        ("customer_reply", false) => "客户回复了工单",
        ("customer_reply", true) => "The customer replied",
        ("sla_warning", false) => "SLA 即将超时",
        ("sla_warning", true) => "SLA due soon",
        ("sla_breached", false) => "SLA 已超时",
        ("sla_breached", true) => "SLA breached",
        ("sla_escalated", false) => "工单已升级",
        ("sla_escalated", true) => "Ticket escalated",
        ("mail_failed", false) => "邮件发送失败",
        ("mail_failed", true) => "Mail could not be sent",
        ("created", false) => "新工单",
        ("created", true) => "New ticket",
        ("status_changed", false) => "工单状态变更",
        ("status_changed", true) => "Ticket status changed",
        ("approval_reminder", false) => "有审批等待您处理",
        ("approval_reminder", true) => "An approval is waiting for you",
        ("quote_decided", false) => "客户答复了报价单",
        ("quote_decided", true) => "The customer answered a quotation",
        ("parts_arrived", false) => "备件已到货并预留",
        ("parts_arrived", true) => "Parts arrived and reserved",
        ("task_assigned", false) => "新的回访/跟进任务",
        ("task_assigned", true) => "A follow-up task for you",
        ("task_due", false) => "跟进任务已到期",
        ("task_due", true) => "A follow-up task is due",
        ("low_score", false) => "客户给出了低分评价",
        ("low_score", true) => "A customer gave a low score",
        ("trigger", false) => "触发器通知",
        ("trigger", true) => "Trigger notice",
        (_, false) => "工单动态",
        (_, true) => "Ticket update",
    }
}

/// The SLA timer's name.
pub(crate) fn timer_name(timer: &str, en: bool) -> &'static str {
    match (timer, en) {
        ("first_response", false) => "首次响应时限",
        ("first_response", true) => "first response",
        (_, false) => "解决时限",
        (_, true) => "resolution",
    }
}

/// Cuts `s` to at most `n` characters, with an ellipsis when cut.
pub(crate) fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}
