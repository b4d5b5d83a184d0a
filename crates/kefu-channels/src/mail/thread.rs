//! Threading keys: message ids without angle brackets, the ticket number in a subject, and the
//! subject without reply and forward prefixes.

/// A message id as stored: trimmed, without angle brackets, lower-cased domain part kept as is.
pub fn bare_id(id: &str) -> Option<String> {
    let s = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!s.is_empty() && !s.contains(char::is_whitespace)).then(|| s.to_owned())
}

/// The ticket number in brackets in a subject (`Re: [SR-202611-000123] 主轴异响` →
/// `SR-202611-000123`): `[` prefix `-` six digits `-` digits `]`, prefix compared without case;
/// full-width brackets (`【…】`, `［…］`), which Chinese input methods type, count too.
pub fn ticket_number_in(subject: &str, prefix: &str) -> Option<String> {
    let normalized = subject
        .replace(['【', '［'], "[")
        .replace(['】', '］'], "]");
    let mut rest = normalized.as_str();
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        let inner = after[..close].trim();
        if let Some(n) = as_number(inner, prefix) {
            return Some(n);
        }
        rest = &after[close..];
    }
    None
}

fn as_number(s: &str, prefix: &str) -> Option<String> {
    let (p, tail) = s.split_once('-')?;
    let (period, seq) = tail.split_once('-')?;
    let ok = p.eq_ignore_ascii_case(prefix)
        && period.len() == 6
        && period.bytes().all(|b| b.is_ascii_digit())
        && !seq.is_empty()
        && seq.len() <= 12
        && seq.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| format!("{prefix}-{period}-{seq}"))
}

/// The subject without leading reply/forward prefixes (`Re:`, `RE:`, `Fw:`, `Fwd:`, `回复:`,
/// `答复:`, `转发:`, full-width colons included) and surrounding space.
pub fn normalize_subject(subject: &str) -> String {
    const PREFIXES: [&str; 9] = [
        "re", "fw", "fwd", "aw", "回复", "答复", "转发", "回覆", "轉寄",
    ];
    let mut s = subject.trim();
    'outer: loop {
        for p in PREFIXES {
            if s.len() >= p.len()
                && s.is_char_boundary(p.len())
                && s[..p.len()].eq_ignore_ascii_case(p)
            {
                let tail = s[p.len()..].trim_start();
                if let Some(t) = tail.strip_prefix(':').or_else(|| tail.strip_prefix('：')) {
                    s = t.trim_start();
                    continue 'outer;
                }
            }
        }
        break;
    }
    s.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_in_subjects() {
        let n = |s| ticket_number_in(s, "SR");
        assert_eq!(
            n("Re: 回复: [SR-202611-000123] 主轴异响").as_deref(),
            Some("SR-202611-000123")
        );
        assert_eq!(n("[sr-202611-7] x").as_deref(), Some("SR-202611-7"));
        assert_eq!(
            n("[工单] [SR-202611-000123]").as_deref(),
            Some("SR-202611-000123")
        );
        assert_eq!(n("SR-202611-000123 without brackets"), None);
        assert_eq!(n("[XX-202611-000123]"), None);
        assert_eq!(n("[SR-2026-000123]"), None);
        assert_eq!(n("[SR-202611-]"), None);
        assert_eq!(n("[unclosed SR-202611-1"), None);
        assert_eq!(
            n("回复：【SR-202611-000128】 x").as_deref(),
            Some("SR-202611-000128")
        );
    }

    #[test]
    fn subjects_lose_reply_prefixes() {
        assert_eq!(
            normalize_subject("Re: 回复：答复: FW: 主轴异响"),
            "主轴异响"
        );
        assert_eq!(normalize_subject("Report: done"), "Report: done");
        assert_eq!(normalize_subject("  主轴异响 "), "主轴异响");
    }

    #[test]
    fn bare_ids() {
        assert_eq!(
            bare_id(" <a.b@kefu.test> ").as_deref(),
            Some("a.b@kefu.test")
        );
        assert_eq!(bare_id("<>"), None);
        assert_eq!(bare_id("a b"), None);
    }
}
