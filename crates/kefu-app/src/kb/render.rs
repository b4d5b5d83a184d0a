//! Article Markdown to HTML that is safe to show: CommonMark with tables, strikethrough and
//! task lists, then sanitized (no scripts, styles, event handlers or forms; links open without
//! a referrer; images only from this site or https).

use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(["http", "https", "mailto", "tel"].into());
    b.link_rel(Some("noopener noreferrer nofollow"));
    b
});

/// Sanitized HTML of `markdown`.
pub fn to_html(markdown: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, opts));
    CLEANER.clean(&raw).to_string()
}

/// Plain text of `markdown` (for the search index and quotes): the rendered text without tags.
pub fn to_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    for ev in Parser::new_ext(markdown, opts) {
        use pulldown_cmark::{Event, TagEnd};
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock,
            ) => out.push_str("\n\n"),
            Event::End(TagEnd::TableCell) => out.push(' '),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_cleaned() {
        let h = to_html(
            "## 卡纸处理\n\n1. 打开**前盖**\n\n| 代码 | 含义 |\n|---|---|\n| E-204 | 定影 |\n\n<script>alert(1)</script><a href=\"javascript:x()\" onclick=\"y()\">x</a>\n\n![图](/kb/files/abc)",
        );
        assert!(h.contains("<h2>卡纸处理</h2>"), "{h}");
        assert!(h.contains("<strong>前盖</strong>"), "{h}");
        assert!(h.contains("<td>E-204</td>"), "{h}");
        assert!(h.contains(r#"<img src="/kb/files/abc" alt="图">"#), "{h}");
        assert!(
            !h.contains("script") && !h.contains("javascript") && !h.contains("onclick"),
            "{h}"
        );
    }

    #[test]
    fn text_keeps_words_and_paragraphs() {
        let t = to_text("# 标题\n\n第一段 **粗体** `E-204`\n\n- 一\n- 二");
        assert_eq!(t, "标题\n\n第一段 粗体 E-204\n\n一\n\n二");
    }
}
