//! Codes people search for exactly: order numbers, serial numbers, part numbers, ticket
//! numbers. A code is a run of ASCII letters, digits and the joiners `-`, `_`, `/`, `.` that
//! holds at least one digit and is at least four characters long (`SO2026110501`, `SN-8842X`,
//! `SR-202611-000123`, `M7400`). Word segmentation would split `SN-8842X` into pieces; codes
//! are indexed whole, lower-cased, so a query for the code finds exactly it.

/// The codes in `text`, lower-cased, in order of appearance (repeats kept).
pub fn extract_codes(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || is_joiner(bytes[i])) {
            i += 1;
        }
        // Joiners do not end a code (`SN-8842X.` at the end of a sentence).
        let mut end = i;
        while end > start && is_joiner(bytes[end - 1]) {
            end -= 1;
        }
        let code = &text[start..end];
        if code.len() >= 4 && code.bytes().any(|b| b.is_ascii_digit()) {
            out.push((start, end, code.to_ascii_lowercase()));
        }
    }
    out
}

fn is_joiner(b: u8) -> bool {
    matches!(b, b'-' | b'_' | b'/' | b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: &str) -> Vec<String> {
        extract_codes(s).into_iter().map(|(_, _, c)| c).collect()
    }

    #[test]
    fn codes_in_mixed_text() {
        assert_eq!(
            codes("订单SO2026110501的设备 SN-8842X 坏了。"),
            ["so2026110501", "sn-8842x"]
        );
        assert_eq!(codes("工单 SR-202611-000123."), ["sr-202611-000123"]);
        assert_eq!(codes("型号M7400，第3台"), ["m7400"]);
    }

    #[test]
    fn words_and_short_numbers_are_not_codes() {
        assert!(codes("printer jam, call me at 9:30").is_empty());
        assert!(codes("第 12 号 A1").is_empty());
    }

    #[test]
    fn offsets_point_at_the_code() {
        let s = "序列号 SN-8842X 报错";
        let (a, b, _) = extract_codes(s)[0].clone();
        assert_eq!(&s[a..b], "SN-8842X");
    }
}
