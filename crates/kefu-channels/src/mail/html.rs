//! HTML from mail, made safe to show: no scripts, styles, event handlers, forms or remote
//! images (tracking pixels); links keep only safe schemes and open without a referrer.

use std::sync::LazyLock;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    // Remote images would tell the sender when the mail was read; inline (cid:) images come
    // as attachments instead.
    b.rm_tags(["img"]);
    b.url_schemes(["http", "https", "mailto", "tel"].into());
    b.link_rel(Some("noopener noreferrer nofollow"));
    b
});

/// Sanitized HTML.
pub fn sanitize_html(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_what_could_run_or_track() {
        let dirty = r#"<style>p{}</style><script>alert(1)</script><p onclick="x()">设备<b>报警</b></p><img src="https://t.example/p.gif"><a href="javascript:x()">a</a><a href="https://kefu.test/">b</a>"#;
        let clean = sanitize_html(dirty);
        assert!(!clean.contains("script") && !clean.contains("alert"));
        assert!(!clean.contains("onclick") && !clean.contains("<img") && !clean.contains("p{}"));
        assert!(!clean.contains("javascript"));
        assert!(clean.contains("<p>设备<b>报警</b></p>"));
        assert!(clean.contains(r#"href="https://kefu.test/""#));
    }
}
