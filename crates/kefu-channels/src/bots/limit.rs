//! Byte limits: cut text on a UTF-8 character boundary and mark the cut with "…".

use std::borrow::Cow;

use serde_json::Value;

use super::BotError;

/// Marks truncated text.
const ELLIPSIS: &str = "…";

/// Longest title kept, in bytes (titles are one line; the vendors show little more).
pub(crate) const TITLE_MAX_BYTES: usize = 256;

/// Returns `s` cut to at most `max_bytes` bytes on a char boundary, ending in "…" when cut.
pub fn truncate_utf8(s: &str, max_bytes: usize) -> Cow<'_, str> {
    if s.len() <= max_bytes {
        return Cow::Borrowed(s);
    }
    if max_bytes < ELLIPSIS.len() {
        return Cow::Borrowed(&s[..floor_boundary(s, max_bytes)]);
    }
    let cut = floor_boundary(s, max_bytes - ELLIPSIS.len());
    Cow::Owned(format!("{}{ELLIPSIS}", &s[..cut]))
}

/// Largest char boundary of `s` not above `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `head + body + tail` within `max` bytes, shortening the body first.
pub(crate) fn fit(head: &str, body: &str, tail: &str, max: usize) -> String {
    let fixed = head.len() + tail.len();
    if fixed + body.len() <= max {
        return format!("{head}{body}{tail}");
    }
    if fixed + ELLIPSIS.len() <= max {
        return format!("{head}{}{tail}", truncate_utf8(body, max - fixed));
    }
    truncate_utf8(&format!("{head}{body}{tail}"), max).into_owned()
}

/// Renders with a shrinking body budget until the serialized JSON is at most `max` bytes.
pub(crate) fn fit_json(max: usize, render: impl Fn(usize) -> Value) -> Result<Value, BotError> {
    let mut budget = max;
    loop {
        let value = render(budget);
        let len = serde_json::to_vec(&value).map_or(usize::MAX, |v| v.len());
        if len <= max {
            return Ok(value);
        }
        if budget == 0 {
            return Err(BotError::MessageTooLarge);
        }
        // Dropping n body bytes drops at least n serialized bytes.
        budget = budget.saturating_sub((len - max).max(1));
    }
}
