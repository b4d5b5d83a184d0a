//! A spreadsheet file as rows of text: XLSX (first sheet) or CSV (comma, semicolon or tab,
//! UTF-8 with or without BOM, or GBK/GB18030 as Excel saves it on Chinese Windows).

/// The text of a file: UTF-8 (a BOM is dropped) when it is valid UTF-8, else GB18030 (the
/// superset of GBK); a byte sequence neither accepts is an error.
pub fn decode_text(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err("neither UTF-8 nor GBK text".into());
    }
    Ok(text.into_owned())
}

fn delimiter(first_line: &str) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// The rows of `bytes` named `name` (`.xlsx` or `.csv`); row `i` is sheet row `i + 1`.
pub fn read_table(name: &str, bytes: Vec<u8>) -> Result<Vec<Vec<String>>, String> {
    let lower = name.to_lowercase();
    if lower.ends_with(".xlsx") {
        return crate::sheets::read_xlsx(bytes);
    }
    if !lower.ends_with(".csv") && !lower.ends_with(".txt") {
        return Err("only .xlsx and .csv files".into());
    }
    let text = decode_text(&bytes)?;
    let d = delimiter(text.lines().next().unwrap_or(""));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(d)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| format!("row {}: not valid CSV ({e})", i + 1))?;
        rows.push(rec.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_and_utf8_with_bom_read_the_same() {
        let text = "客户,序列号\nC001,SN-1\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode_text(&gbk).unwrap(), text);
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode_text(&bom).unwrap(), text);
        let rows = read_table("a.csv", gbk.into_owned()).unwrap();
        assert_eq!(rows, [vec!["客户", "序列号"], vec!["C001", "SN-1"]]);
    }

    #[test]
    fn semicolons_quotes_and_other_files() {
        let rows = read_table("a.csv", "a;b\n\"x;1\";\"he said \"\"hi\"\"\"\n".into()).unwrap();
        assert_eq!(rows[1], ["x;1", "he said \"hi\""]);
        assert!(read_table("a.pdf", b"%PDF".to_vec()).is_err());
        assert!(decode_text(&[0xff, 0xff, 0xff]).is_err());
    }
}
