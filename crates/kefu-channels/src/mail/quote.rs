//! The new part of a reply, without the quoted earlier message that mail clients append
//! (QQMail/Foxmail "原始邮件" blocks, Outlook "发件人: … 发送时间:" headers, Gmail "写道：" and
//! "wrote:" lines, `>` quotes at the end).

/// Text before the first quote marker; the whole text when stripping would leave nothing.
pub fn strip_quoted(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let cut = (0..lines.len())
        .find(|&i| starts_quote(&lines, i))
        .unwrap_or(lines.len());
    let mut kept = &lines[..cut];
    // A trailing run of `>` lines is quoted too.
    while let Some((last, rest)) = kept.split_last() {
        let t = last.trim();
        if t.is_empty() || t.starts_with('>') {
            kept = rest;
        } else {
            break;
        }
    }
    let out = kept.join("\n").trim().to_owned();
    if out.is_empty() {
        text.trim().to_owned()
    } else {
        out
    }
}

fn starts_quote(lines: &[&str], i: usize) -> bool {
    let l = lines[i].trim();
    let bar = |s: &str| {
        let core = s.trim_matches(|c: char| c == '-' || c == '=' || c.is_whitespace());
        s.starts_with("---")
            && matches!(
                core,
                "原始邮件"
                    | "原始郵件"
                    | "Original Message"
                    | "Original"
                    | "Forwarded message"
                    | "转发邮件"
            )
    };
    if bar(l) {
        return true;
    }
    // "在 2026年11月20日 周五 10:00，张三 <…> 写道：" / "On Fri, … wrote:"
    if (l.starts_with("在") && (l.ends_with("写道：") || l.ends_with("写道:")))
        || (l.starts_with("On ") && l.ends_with("wrote:"))
    {
        return true;
    }
    // Outlook: a "From:"/"发件人:" line followed closely by "Sent:"/"发送时间:".
    let is_from = ["发件人:", "发件人：", "From:", "寄件者:", "寄件者："]
        .iter()
        .any(|p| l.starts_with(p));
    is_from
        && lines[i + 1..].iter().take(4).any(|n| {
            let n = n.trim();
            [
                "发送时间:",
                "发送时间：",
                "Sent:",
                "Date:",
                "日期:",
                "日期：",
                "寄件日期:",
            ]
            .iter()
            .any(|p| n.starts_with(p))
        })
}

#[cfg(test)]
mod tests {
    use super::strip_quoted;

    #[test]
    fn cuts_common_quote_headers() {
        let qq = "已经换了轴承，正常了。\n\n------------------ 原始邮件 ------------------\n发件人: \"客服\"\n主题: 主轴异响";
        assert_eq!(strip_quoted(qq), "已经换了轴承，正常了。");
        let outlook = "好的\r\n\r\n发件人: 客服 <support@kefu.test>\r\n发送时间: 2026年11月20日 10:00\r\n主题: x";
        assert_eq!(strip_quoted(outlook), "好的");
        let gmail =
            "收到\n\n在 2026年11月20日 周五 10:00，客服 <support@kefu.test> 写道：\n> 请确认";
        assert_eq!(strip_quoted(gmail), "收到");
        let en =
            "Thanks\nOn Fri, Nov 20, 2026 at 10:00 AM Support <support@kefu.test> wrote:\n> hi";
        assert_eq!(strip_quoted(en), "Thanks");
        let tail = "ok\n> quoted\n>\n";
        assert_eq!(strip_quoted(tail), "ok");
    }

    #[test]
    fn keeps_text_that_only_mentions_from() {
        let t = "From: 我们的产线\n设备停机了";
        assert_eq!(strip_quoted(t), t);
        // Nothing but a quote: keep it rather than lose the message.
        assert_eq!(strip_quoted("> only quoted"), "> only quoted");
    }
}
