//! Reading page forms decoded as ordered `(name, value)` pairs: repeated names (checkbox
//! lists) and numbered rows (`r0.name`, `r1.name`, …) that serde structs do not express.

/// A decoded urlencoded form.
pub type Pairs = Vec<(String, String)>;

/// The first value of `key`, trimmed; empty when absent.
pub fn get<'a>(p: &'a Pairs, key: &str) -> &'a str {
    p.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

/// The first value of `key`, trimmed, when present and not empty.
pub fn opt(p: &Pairs, key: &str) -> Option<String> {
    Some(get(p, key).to_owned()).filter(|v| !v.is_empty())
}

/// Whether `key` was sent (a ticked checkbox).
pub fn has(p: &Pairs, key: &str) -> bool {
    p.iter().any(|(k, _)| k == key)
}

/// Every value sent under `key` (checkbox and multi-select lists), in order.
pub fn all<'a>(p: &'a Pairs, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    p.iter()
        .filter(move |(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The first value of `key` as an id, when it is one.
pub fn uuid(p: &Pairs, key: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(get(p, key)).ok()
}

/// The row numbers of fields named `<prefix><n>.…`, ascending.
pub fn rows(p: &Pairs, prefix: &str) -> Vec<usize> {
    let mut v: Vec<usize> = p
        .iter()
        .filter_map(|(k, _)| k.strip_prefix(prefix)?.split('.').next()?.parse().ok())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// A comma-separated list (ASCII or Chinese commas), trimmed, without empty items.
pub fn list(s: &str) -> Vec<String> {
    s.split([',', '，'])
        .map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty())
        .collect()
}

/// The `cf.<key>` fields of a ticket form as custom-field values typed by the definitions of
/// ticket type `kind` (numbers, checkboxes, multi-selects); the app validates them.
pub async fn custom_fields(
    app: &kefu_app::App,
    kind: &str,
    p: &Pairs,
) -> serde_json::Map<String, serde_json::Value> {
    let defs = kefu_app::tickets::form_fields(app, kind).await;
    let cf: Pairs = p
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("cf.")?.to_owned(), v.clone())))
        .collect();
    kefu_domain::fields::from_form(&defs, &cf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_lists() {
        let p: Pairs = vec![
            ("r1.name".into(), " b ".into()),
            ("r0.name".into(), "a".into()),
            ("r0.c3.op".into(), "is".into()),
            ("flag".into(), "1".into()),
        ];
        assert_eq!(rows(&p, "r"), vec![0, 1]);
        assert_eq!(rows(&p, "r0.c"), vec![3]);
        assert_eq!(get(&p, "r1.name"), "b");
        assert!(has(&p, "flag") && !has(&p, "nope"));
        assert_eq!(list("华东， 华北,,x"), vec!["华东", "华北", "x"]);
    }
}
