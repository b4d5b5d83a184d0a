//! Message catalogs for pages: Simplified Chinese first, English second. Keys are dotted
//! (`nav.mine`); a key missing from a catalog is a test failure, never a blank on screen.

use std::collections::HashMap;
use std::sync::LazyLock;

static CATALOGS: LazyLock<HashMap<&'static str, HashMap<String, String>>> = LazyLock::new(|| {
    let parse = |src: &str| -> HashMap<String, String> {
        serde_json::from_str(src).expect("i18n catalog is valid JSON")
    };
    HashMap::from([
        ("zh-CN", parse(include_str!("../../i18n/zh-CN.json"))),
        ("en", parse(include_str!("../../i18n/en.json"))),
    ])
});

/// Normalizes a requested locale to one we ship (`en-US` → `en`, anything else → `zh-CN`).
pub fn pick(requested: &str) -> &'static str {
    if requested.to_ascii_lowercase().starts_with("en") {
        "en"
    } else {
        "zh-CN"
    }
}

/// The first supported language of an `Accept-Language` header.
pub fn from_accept_language(header: &str) -> &'static str {
    header
        .split(',')
        .map(|part| part.split(';').next().unwrap_or("").trim())
        .find(|tag| {
            let t = tag.to_ascii_lowercase();
            t.starts_with("zh") || t.starts_with("en")
        })
        .map_or("zh-CN", pick)
}

/// Translates `key`; falls back to Chinese, then to the key itself.
pub fn translate(locale: &str, key: &str) -> String {
    CATALOGS
        .get(pick(locale))
        .and_then(|c| c.get(key))
        .or_else(|| CATALOGS.get("zh-CN").and_then(|c| c.get(key)))
        .cloned()
        .unwrap_or_else(|| key.to_owned())
}

/// A field error in the reader's language: the catalog's `field_error.<field>.<code>` (the field
/// without index or sub-key: `custom_fields.x` → `custom_fields`), else, for Chinese, the
/// generic `field_error.<code>`, else the application's own (English) message.
pub fn field_error(locale: &str, field: &str, code: &str, message: &str) -> String {
    let locale = pick(locale);
    let catalog = &CATALOGS[locale];
    let base = field.split(['.', '[']).next().unwrap_or(field);
    if let Some(s) = catalog.get(&format!("field_error.{base}.{code}")) {
        return s.clone();
    }
    if locale != "en"
        && let Some(s) = catalog.get(&format!("field_error.{code}"))
    {
        return s.clone();
    }
    message.to_owned()
}

/// A field's label for messages that name it: `field.<field>` from the catalog, else the
/// field's own name.
pub fn field_label(locale: &str, field: &str) -> String {
    let base = field.split(['.', '[']).next().unwrap_or(field);
    CATALOGS[pick(locale)]
        .get(&format!("field.{base}"))
        .cloned()
        .unwrap_or_else(|| field.to_owned())
}

/// Every key of a catalog (for tests).
#[cfg(test)]
pub fn keys(locale: &str) -> Vec<String> {
    let mut k: Vec<String> = CATALOGS
        .get(locale)
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_have_the_same_keys() {
        assert_eq!(keys("zh-CN"), keys("en"));
        assert!(keys("zh-CN").len() > 50);
    }

    #[test]
    fn field_errors_speak_the_readers_language() {
        // Field-specific, generic, and the application's message as the last resort.
        assert_eq!(
            field_error("zh-CN", "subject", "invalid", "1 to 200 characters"),
            "标题须为 1 到 200 个字符"
        );
        assert_eq!(
            field_error("en", "subject", "invalid", "1 to 200 characters"),
            "Subject must be 1 to 200 characters"
        );
        assert_eq!(
            field_error("zh-CN", "custom_fields.colour", "required", "required"),
            "必填"
        );
        assert_eq!(
            field_error("en", "team_id", "not_found", "no such team"),
            "no such team"
        );
        assert_eq!(field_error("zh-CN", "x", "no_such_code", "as is"), "as is");
        assert_eq!(field_label("zh-CN", "scopes[2]"), "权限范围");
    }

    #[test]
    fn accept_language_picks_a_shipped_locale() {
        assert_eq!(from_accept_language("en-US,en;q=0.9"), "en");
        assert_eq!(from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), "zh-CN");
        assert_eq!(from_accept_language("fr-FR,en;q=0.5"), "en");
        assert_eq!(from_accept_language(""), "zh-CN");
    }
}
