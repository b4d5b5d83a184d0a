//! Articles as Markdown files, for import and export: an optional front matter between `---`
//! lines (`title`, `state`, `category`, `tags`, `review_at`, `id`), then the Markdown body.
//! Without a title in the front matter, a leading `# heading` is the title; failing that, the
//! file name. Problems name the line.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{ArticleState, normalize_tags};

/// An article read from a Markdown file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkdownArticle {
    /// Existing article to update (from `id:`), if any.
    pub id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// State (default: draft, so nothing is published by accident).
    pub state: ArticleState,
    /// Category name, if any.
    pub category: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Review date.
    pub review_at: Option<NaiveDate>,
    /// Markdown body.
    pub body: String,
}

/// A problem on one line of a file (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    /// Line number, 1-based.
    pub line: usize,
    /// The front-matter key, or `body`.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

fn problem(line: usize, column: &str, message: impl Into<String>) -> LineProblem {
    LineProblem {
        line,
        column: column.to_owned(),
        message: message.into(),
    }
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

fn parse_tags(v: &str) -> Vec<String> {
    let v = v.trim();
    let inner = v
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(v);
    let parts: Vec<String> = inner
        .split([',', '，'])
        .map(|t| unquote(t).to_owned())
        .collect();
    normalize_tags(&parts)
}

/// Reads one Markdown file (`file_name` gives the title when nothing else does).
pub fn parse(file_name: &str, text: &str) -> Result<MarkdownArticle, Vec<LineProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut a = MarkdownArticle {
        id: None,
        title: String::new(),
        state: ArticleState::Draft,
        category: None,
        tags: Vec::new(),
        review_at: None,
        body: String::new(),
    };
    let mut problems = Vec::new();
    let mut body_start = 0;
    if lines.first().is_some_and(|l| l.trim_end() == "---") {
        let Some(end) = lines
            .iter()
            .skip(1)
            .position(|l| l.trim_end() == "---")
            .map(|p| p + 1)
        else {
            return Err(vec![problem(
                1,
                "front_matter",
                "the front matter opened with `---` is never closed",
            )]);
        };
        for (i, line) in lines.iter().enumerate().take(end).skip(1) {
            let n = i + 1;
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                problems.push(problem(n, "front_matter", "expected `key: value`"));
                continue;
            };
            let key = key.trim();
            let value = unquote(value);
            match key {
                "title" => a.title = value.to_owned(),
                "state" => match ArticleState::parse(value) {
                    Some(s) => a.state = s,
                    None => problems.push(problem(
                        n,
                        "state",
                        format!("`{value}` is not one of draft, internal, public, archived"),
                    )),
                },
                "category" => a.category = (!value.is_empty()).then(|| value.to_owned()),
                "tags" => a.tags = parse_tags(value),
                "review_at" if value.is_empty() => a.review_at = None,
                "review_at" => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                    Ok(d) => a.review_at = Some(d),
                    Err(_) => problems.push(problem(
                        n,
                        "review_at",
                        format!("`{value}` is not a date (YYYY-MM-DD)"),
                    )),
                },
                "id" if value.is_empty() => {}
                "id" => match Uuid::parse_str(value) {
                    Ok(u) => a.id = Some(u),
                    Err(_) => problems.push(problem(n, "id", format!("`{value}` is not an id"))),
                },
                other => problems.push(problem(
                    n,
                    other,
                    format!("unknown key `{other}` (title, state, category, tags, review_at, id)"),
                )),
            }
        }
        body_start = end + 1;
    }
    let mut body_lines = &lines[body_start.min(lines.len())..];
    while body_lines.first().is_some_and(|l| l.trim().is_empty()) {
        body_lines = &body_lines[1..];
    }
    if a.title.is_empty() {
        if let Some(h) = body_lines
            .first()
            .and_then(|l| l.strip_prefix("# "))
            .map(str::trim)
            .filter(|h| !h.is_empty())
        {
            a.title = h.to_owned();
            body_lines = &body_lines[1..];
            while body_lines.first().is_some_and(|l| l.trim().is_empty()) {
                body_lines = &body_lines[1..];
            }
        } else {
            let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
            a.title = base
                .strip_suffix(".md")
                .or_else(|| base.strip_suffix(".markdown"))
                .unwrap_or(base)
                .trim()
                .to_owned();
        }
    }
    a.body = body_lines.join("\n").trim_end().to_owned();
    if a.title.trim().is_empty() {
        problems.push(problem(
            1,
            "title",
            "no title: add `title:` or a `# heading`",
        ));
    }
    if problems.is_empty() {
        Ok(a)
    } else {
        Err(problems)
    }
}

/// Writes an article as a Markdown file that [`parse`] reads back unchanged.
pub fn render(a: &MarkdownArticle) -> String {
    let mut out = String::from("---\n");
    if let Some(id) = a.id {
        out.push_str(&format!("id: {id}\n"));
    }
    out.push_str(&format!("title: {}\n", quote(&a.title)));
    out.push_str(&format!("state: {}\n", a.state.as_str()));
    if let Some(c) = &a.category {
        out.push_str(&format!("category: {}\n", quote(c)));
    }
    if !a.tags.is_empty() {
        let tags: Vec<String> = a.tags.iter().map(|t| quote(t)).collect();
        out.push_str(&format!("tags: [{}]\n", tags.join(", ")));
    }
    if let Some(d) = a.review_at {
        out.push_str(&format!("review_at: {d}\n"));
    }
    out.push_str("---\n\n");
    out.push_str(&a.body);
    out.push('\n');
    out
}

fn quote(s: &str) -> String {
    if s.contains([':', '#', '[', ']', ',', '"']) || s.trim() != s {
        format!("'{}'", s.replace('\'', "’"))
    } else {
        s.to_owned()
    }
}

/// A safe file name for an exported article: its title without path or control characters.
pub fn file_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(80)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        "article.md".into()
    } else {
        format!("{cleaned}.md")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_body() {
        let a = parse(
            "x.md",
            "---\ntitle: 打印机卡纸怎么办\nstate: public\ncategory: 打印机\ntags: [卡纸, \"打印机\"]\nreview_at: 2027-06-01\n---\n\n1. 打开前盖\n2. 取出纸张\n",
        )
        .unwrap();
        assert_eq!(a.title, "打印机卡纸怎么办");
        assert_eq!(a.state, ArticleState::Public);
        assert_eq!(a.category.as_deref(), Some("打印机"));
        assert_eq!(a.tags, ["卡纸", "打印机"]);
        assert_eq!(a.review_at, NaiveDate::from_ymd_opt(2027, 6, 1));
        assert_eq!(a.body, "1. 打开前盖\n2. 取出纸张");
    }

    #[test]
    fn heading_or_file_name_gives_the_title() {
        let a = parse("docs/定影组件更换.md", "# 更换定影组件\n\n步骤……").unwrap();
        assert_eq!(
            (a.title.as_str(), a.body.as_str(), a.state),
            ("更换定影组件", "步骤……", ArticleState::Draft)
        );
        let b = parse("docs/定影组件更换.md", "步骤……").unwrap();
        assert_eq!(b.title, "定影组件更换");
    }

    #[test]
    fn problems_name_the_line_and_key() {
        let e = parse(
            "x.md",
            "---\ntitle: t\nstate: published\nreview_at: 2027-13-01\ncolour: red\nnonsense\n---\nbody",
        )
        .unwrap_err();
        let got: Vec<(usize, &str)> = e.iter().map(|p| (p.line, p.column.as_str())).collect();
        assert_eq!(
            got,
            [
                (3, "state"),
                (4, "review_at"),
                (5, "colour"),
                (6, "front_matter")
            ]
        );
        let unclosed = parse("x.md", "---\ntitle: t\nbody").unwrap_err();
        assert_eq!(unclosed[0].column, "front_matter");
    }

    #[test]
    fn render_then_parse_is_the_same_article() {
        let a = MarkdownArticle {
            id: Some(Uuid::now_v7()),
            title: "错误代码: E-204 [定影]".into(),
            state: ArticleState::Internal,
            category: Some("故障代码".into()),
            tags: vec!["E-204".into(), "定影, 加热".replace(", ", "")],
            review_at: NaiveDate::from_ymd_opt(2027, 1, 31),
            body: "## 原因\n\n定影温度异常。\n\n```\ncode: 204\n```".into(),
        };
        assert_eq!(parse("whatever.md", &render(&a)).unwrap(), a);
    }

    #[test]
    fn export_file_names_are_safe() {
        assert_eq!(file_name("a/b: c?"), "a_b_ c_.md");
        assert_eq!(file_name("  "), "article.md");
    }
}
