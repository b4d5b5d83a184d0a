//! Spreadsheets in and out: the first worksheet of an XLSX file as rows of text (calamine),
//! and rows of text as an XLSX file (rust_xlsxwriter) with a bold, frozen header.

use calamine::{Data, Reader, Xlsx};

/// Whether a file name is a spreadsheet this module reads.
pub fn is_xlsx(name: &str) -> bool {
    name.to_lowercase().ends_with(".xlsx")
}

/// One cell as text: whole numbers without `.0`, dates as `YYYY-MM-DD` (with the time only
/// when there is one), errors as their Excel code.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The rows of the first worksheet; row `i` of the result is sheet row `i + 1` (blank rows
/// above the used range are kept as empty rows, so row numbers in messages match Excel's).
pub fn read_xlsx(bytes: Vec<u8>) -> Result<Vec<Vec<String>>, String> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not an XLSX workbook: {e}"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| "the workbook has no worksheet".to_owned())?
        .map_err(|e| format!("the first worksheet cannot be read: {e}"))?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); top as usize];
    for r in range.rows() {
        let mut row: Vec<String> = vec![String::new(); left as usize];
        row.extend(r.iter().map(cell_text));
        rows.push(row);
    }
    Ok(rows)
}

/// A workbook of one worksheet `name`: `header` in bold and frozen, then `rows`; columns in
/// `wide` get a wide, wrapping layout (long text), the others fit their header.
pub fn write_xlsx(
    name: &str,
    header: &[String],
    rows: &[Vec<String>],
    wide: &[usize],
) -> Result<Vec<u8>, anyhow::Error> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    for (c, h) in header.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, h, &bold)?;
        if wide.contains(&(c as usize)) {
            sheet.set_column_width(c, 60)?;
        } else {
            sheet.set_column_width(c, (h.chars().count() as f64 * 1.6).max(12.0))?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            if wide.contains(&c) {
                sheet.write_string_with_format(r, c as u16, v, &wrap)?;
            } else {
                sheet.write_string(r, c as u16, v)?;
            }
        }
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_workbook_reads_back_cell_for_cell() {
        let header = vec!["标题 / title".to_owned(), "正文 / body".to_owned()];
        let rows = vec![
            vec!["打印机卡纸".to_owned(), "第一行\n第二行".to_owned()],
            vec![String::new(), "only body".to_owned()],
        ];
        let bytes = write_xlsx("文章", &header, &rows, &[1]).unwrap();
        let back = read_xlsx(bytes).unwrap();
        assert_eq!(back[0], header);
        assert_eq!(back[1], rows[0]);
        assert_eq!(back[2], rows[1]);
    }

    #[test]
    fn numbers_and_dates_read_as_people_typed_them() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let s = book.add_worksheet();
        s.write_number(2, 1, 42.0).unwrap();
        s.write_number(2, 2, 2.5).unwrap();
        let date = ExcelDateTime::from_ymd(2027, 3, 1).unwrap();
        s.write_datetime_with_format(2, 3, &date, &Format::new().set_num_format("yyyy-mm-dd"))
            .unwrap();
        let rows = read_xlsx(book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(rows[0].is_empty() && rows[1].is_empty());
        assert_eq!(rows[2], ["", "42", "2.5", "2027-03-01"]);
    }

    #[test]
    fn not_a_workbook_is_a_clear_error() {
        let e = read_xlsx(b"hello".to_vec()).unwrap_err();
        assert!(e.starts_with("not an XLSX workbook"), "{e}");
    }
}
