//! Articles as spreadsheet rows (XLSX): a header row naming the columns (Chinese, English or
//! both, in any order), then one article per row. Problems name the row (1-based, the header
//! is row 1) and the column, like the Markdown files name their lines.

use uuid::Uuid;

use super::markdown_file::{LineProblem, MarkdownArticle};
use super::{ArticleState, normalize_tags};

/// The columns: key, Chinese header. Exports write `标题 / title`; imports accept either half.
pub const COLUMNS: [(&str, &str); 7] = [
    ("id", "编号"),
    ("title", "标题"),
    ("state", "状态"),
    ("category", "分类"),
    ("tags", "标签"),
    ("review_at", "复审日期"),
    ("body", "正文"),
];

/// State names an editor may type in Chinese.
const STATE_NAMES: [(&str, ArticleState); 5] = [
    ("草稿", ArticleState::Draft),
    ("内部", ArticleState::Internal),
    ("公开", ArticleState::Public),
    ("归档", ArticleState::Archived),
    ("已归档", ArticleState::Archived),
];

fn problem(row: usize, column: &str, message: impl Into<String>) -> LineProblem {
    LineProblem {
        line: row,
        column: column.to_owned(),
        message: message.into(),
    }
}

/// The header row of an export.
pub fn header() -> Vec<String> {
    COLUMNS
        .iter()
        .map(|(key, zh)| format!("{zh} / {key}"))
        .collect()
}

/// The column key a header cell names (`标题`, `title`, `标题 / title`, any case).
fn column_of(cell: &str) -> Option<&'static str> {
    let cell = cell.trim().to_lowercase();
    cell.split('/').map(str::trim).find_map(|part| {
        COLUMNS
            .iter()
            .find(|(key, zh)| part == *key || part == *zh)
            .map(|(key, _)| *key)
    })
}

/// The state a cell names (`public` or `公开`); an empty cell is a draft.
fn state_of(cell: &str) -> Option<ArticleState> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Some(ArticleState::Draft);
    }
    ArticleState::parse(&cell.to_lowercase()).or_else(|| {
        STATE_NAMES
            .iter()
            .find(|(name, _)| *name == cell)
            .map(|(_, s)| *s)
    })
}

fn blank(row: &[String]) -> bool {
    row.iter().all(|c| c.trim().is_empty())
}

/// Reads the rows of a sheet (cells already turned into text; dates as `YYYY-MM-DD`; row `i`
/// of the slice is sheet row `i + 1`). The first non-blank row is the header; blank rows are
/// skipped. Returns each article with its row number.
pub fn parse_rows(rows: &[Vec<String>]) -> Result<Vec<(usize, MarkdownArticle)>, Vec<LineProblem>> {
    let Some(h) = rows.iter().position(|r| !blank(r)) else {
        return Err(vec![problem(1, "header", "the sheet is empty")]);
    };
    let head = &rows[h];
    let header_row = h + 1;
    let mut problems = Vec::new();
    let mut columns: Vec<Option<&'static str>> = Vec::with_capacity(head.len());
    for cell in head {
        if cell.trim().is_empty() {
            columns.push(None);
            continue;
        }
        match column_of(cell) {
            Some(key) if columns.contains(&Some(key)) => {
                problems.push(problem(
                    header_row,
                    key,
                    format!("the column `{cell}` appears twice"),
                ));
                columns.push(None);
            }
            Some(key) => columns.push(Some(key)),
            None => {
                problems.push(problem(
                    header_row,
                    "header",
                    format!(
                        "unknown column `{cell}` (标题/title, 正文/body, 状态/state, 分类/category, 标签/tags, 复审日期/review_at, 编号/id)"
                    ),
                ));
                columns.push(None);
            }
        }
    }
    if !columns.contains(&Some("title")) {
        problems.push(problem(header_row, "title", "no 标题 / title column"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(h + 1) {
        let n = i + 1;
        if blank(row) {
            continue;
        }
        let mut a = MarkdownArticle {
            id: None,
            title: String::new(),
            state: ArticleState::Draft,
            category: None,
            tags: Vec::new(),
            review_at: None,
            body: String::new(),
        };
        for (cell, key) in row.iter().zip(&columns) {
            let Some(key) = key else { continue };
            let value = cell.trim();
            match *key {
                "title" => a.title = value.to_owned(),
                "body" => a.body = cell.trim_end().to_owned(),
                "state" => match state_of(value) {
                    Some(s) => a.state = s,
                    None => problems.push(problem(
                        n,
                        "state",
                        format!("`{value}` is not one of 草稿/draft, 内部/internal, 公开/public, 归档/archived"),
                    )),
                },
                "category" => a.category = (!value.is_empty()).then(|| value.to_owned()),
                "tags" => {
                    let parts: Vec<String> = value
                        .split([',', '，', ';', '；'])
                        .map(str::to_owned)
                        .collect();
                    a.tags = normalize_tags(&parts);
                }
                "review_at" if value.is_empty() => {}
                "review_at" => match crate::import::parse_date(value) {
                    Some(d) => a.review_at = Some(d),
                    None => problems.push(problem(
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
                _ => {}
            }
        }
        if a.title.is_empty() {
            problems.push(problem(n, "title", "the title is empty"));
        }
        out.push((n, a));
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(problem(
            header_row + 1,
            "title",
            "no article below the header",
        ));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// One article as a row under [`header`].
pub fn row_of(a: &MarkdownArticle) -> Vec<String> {
    vec![
        a.id.map(|i| i.to_string()).unwrap_or_default(),
        a.title.clone(),
        a.state.as_str().to_owned(),
        a.category.clone().unwrap_or_default(),
        a.tags.join(", "),
        a.review_at.map(|d| d.to_string()).unwrap_or_default(),
        a.body.clone(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn an_exported_row_reads_back_the_same() {
        let a = MarkdownArticle {
            id: Some(Uuid::now_v7()),
            title: "打印机卡纸怎么办".into(),
            state: ArticleState::Public,
            category: Some("打印机".into()),
            tags: vec!["卡纸".into(), "m7400".into()],
            review_at: NaiveDate::from_ymd_opt(2027, 3, 1),
            body: "## 步骤\n\n打开前盖。".into(),
        };
        let rows = vec![header(), row_of(&a)];
        let back = parse_rows(&rows).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].0, 2);
        assert_eq!(back[0].1, a);
    }

    #[test]
    fn chinese_or_english_headers_in_any_order_and_chinese_states() {
        let rows = vec![
            row(&["正文", "Title", "状态", "标签"]),
            row(&["内容", "退货流程", "公开", "退货；RMA"]),
            row(&["", "", "", ""]),
            row(&["", "草稿一篇", "", ""]),
        ];
        let got = parse_rows(&rows).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1.title, "退货流程");
        assert_eq!(got[0].1.state, ArticleState::Public);
        assert_eq!(got[0].1.tags, ["退货", "RMA"]);
        assert_eq!(got[1].0, 4, "row numbers count the blank row");
        assert_eq!(got[1].1.state, ArticleState::Draft);
    }

    #[test]
    fn every_bad_cell_is_named_by_row_and_column() {
        let rows = vec![
            row(&["标题", "状态", "复审日期", "编号"]),
            row(&["好的一篇", "公开", "2027-01-01", ""]),
            row(&["", "published", "明年", "x-1"]),
        ];
        let e = parse_rows(&rows).unwrap_err();
        let got: Vec<(usize, &str)> = e.iter().map(|p| (p.line, p.column.as_str())).collect();
        assert_eq!(
            got,
            [(3, "state"), (3, "review_at"), (3, "id"), (3, "title")]
        );
    }

    #[test]
    fn unknown_or_missing_columns_fail_on_the_header() {
        let e = parse_rows(&[row(&["正文", "作者"])]).unwrap_err();
        let got: Vec<(usize, &str)> = e.iter().map(|p| (p.line, p.column.as_str())).collect();
        assert_eq!(got, [(1, "header"), (1, "title")]);
        assert!(parse_rows(&[]).is_err());
        assert_eq!(parse_rows(&[row(&["标题"])]).unwrap_err()[0].line, 2);
        // A header below blank rows is found, and row numbers stay the sheet's.
        let got = parse_rows(&[row(&[""]), row(&["标题"]), row(&["一篇"])]).unwrap();
        assert_eq!(got[0].0, 3);
    }
}
