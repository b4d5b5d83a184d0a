//! Mail templates per purpose and language. Built-in texts below; admins may override any of
//! them in the setting `mail_templates` (`{"received": {"zh-CN": {"subject": …, "body": …}}}`).
//! Placeholders in braces are replaced by [`render`]; unknown ones are left as written.

use std::collections::BTreeMap;

use kefu_store::sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::sla::get_setting;

/// One template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MailTemplate {
    /// Subject (the ticket number is put in front when sent).
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// Purposes with a built-in template: `received` (ticket acknowledged), `agent_reply`,
/// `status_changed`, `quote_sent` (a quotation to accept in the portal), `sla_warning` (to the
/// assignee), `survey` (invitation to rate a ticket), `nps` (how likely the contact is to
/// recommend us).
pub const PURPOSES: [&str; 7] = [
    "received",
    "agent_reply",
    "status_changed",
    "quote_sent",
    "sla_warning",
    "survey",
    "nps",
];

fn builtin(purpose: &str, language: &str) -> Option<MailTemplate> {
    let en = language == "en";
    let (subject, body) = match (purpose, en) {
        ("received", false) => (
            "我们已收到您的服务请求：{subject}",
            "{contact}，您好：\n\n我们已收到您的服务请求，编号 {number}。客服人员会尽快处理，\
             回复本邮件即可补充信息（请保留主题中的编号）。\n\n{link}\n\n{company}",
        ),
        ("received", true) => (
            "We have received your request: {subject}",
            "Dear {contact},\n\nWe have received your request {number}. Our team will get back \
             to you soon; reply to this mail to add details (keep the number in the subject).\
             \n\n{link}\n\n{company}",
        ),
        ("agent_reply", false) => ("{subject}", "{body}\n\n—— {agent}\n{company}"),
        ("agent_reply", true) => ("{subject}", "{body}\n\n— {agent}\n{company}"),
        ("status_changed", false) => (
            "服务请求状态更新：{status}",
            "{contact}，您好：\n\n您的服务请求 {number}（{subject}）状态已更新为：{status}。\n\
             如问题仍未解决，直接回复本邮件即可。\n\n{link}\n\n{company}",
        ),
        ("status_changed", true) => (
            "Your request is now {status}",
            "Dear {contact},\n\nYour request {number} ({subject}) is now: {status}.\nIf the \
             problem persists, simply reply to this mail.\n\n{link}\n\n{company}",
        ),
        ("quote_sent", false) => (
            "服务报价单 {quote}：{subject}",
            "{contact}，您好：\n\n您的服务请求 {number}（{subject}）的报价单 {quote} 已生成，\
             应付金额 ¥{amount}（保修或合同范围内的项目已减免）。请在客户门户中查看明细并确认或拒绝。\
             \n\n{link}\n\n{company}",
        ),
        ("quote_sent", true) => (
            "Quotation {quote}: {subject}",
            "Dear {contact},\n\nQuotation {quote} for your request {number} ({subject}) is ready: \
             CNY {amount} to pay (items under warranty or contract are free of charge). Please \
             review it in the customer portal and accept or decline it.\n\n{link}\n\n{company}",
        ),
        ("sla_warning", false) => (
            "SLA 即将超时：{subject}",
            "工单 {number}（{customer}）的{target}将于 {due} 到期，请尽快处理。\n\n{link}",
        ),
        ("sla_warning", true) => (
            "SLA due soon: {subject}",
            "The {target} of ticket {number} ({customer}) is due at {due}.\n\n{link}",
        ),
        ("survey", false) => (
            "请为本次服务评分：{subject}",
            "{contact}，您好：\n\n您的服务请求 {number} 已处理完毕，请花一分钟为本次服务评分：\n\
             {link}\n\n感谢您的反馈！\n{company}",
        ),
        ("survey", true) => (
            "How did we do? {subject}",
            "Dear {contact},\n\nYour request {number} is resolved. Please rate our service:\n\
             {link}\n\nThank you!\n{company}",
        ),
        ("nps", false) => (
            "您会向朋友推荐我们吗？",
            "{contact}，您好：\n\n感谢您一直以来的信任。您有多大可能向朋友或同事推荐我们？\
             请花半分钟打分（0–10）：\n{link}\n\n{company}",
        ),
        ("nps", true) => (
            "Would you recommend us?",
            "Dear {contact},\n\nThank you for working with us. How likely are you to recommend \
             us to a friend or colleague? Please give us a score from 0 to 10:\n{link}\n\n{company}",
        ),
        _ => return None,
    };
    Some(MailTemplate {
        subject: subject.into(),
        body: body.into(),
    })
}

/// The admins' overrides (setting `mail_templates`): purpose → language → template.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    overrides: BTreeMap<String, BTreeMap<String, MailTemplate>>,
}

impl Templates {
    /// Reads the overrides once (a dispatcher batch renders many mails with them).
    pub async fn load(db: &impl ConnectionTrait) -> Result<Templates, AppError> {
        Ok(Templates {
            overrides: get_setting(db, "mail_templates")
                .await?
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default(),
        })
    }

    /// The template for `purpose` in `language` (`zh-CN` or `en`): the admin's override if
    /// set, else the built-in one.
    pub fn get(&self, purpose: &str, language: &str) -> Result<MailTemplate, AppError> {
        if let Some(t) = self.overrides.get(purpose).and_then(|l| l.get(language)) {
            return Ok(t.clone());
        }
        builtin(purpose, language)
            .or_else(|| builtin(purpose, "zh-CN"))
            .ok_or(AppError::NotFound("mail template"))
    }
}

/// Replaces `{name}` with `vars[name]`.
pub fn render(text: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match vars.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_known_placeholders_only() {
        assert_eq!(
            render("{a} and {b} {", &[("a", "甲"), ("c", "x")]),
            "甲 and {b} {"
        );
    }

    #[test]
    fn every_purpose_has_both_languages() {
        for p in PURPOSES {
            assert!(builtin(p, "zh-CN").is_some(), "{p}");
            assert!(builtin(p, "en").is_some(), "{p}");
        }
    }
}
