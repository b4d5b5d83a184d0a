//! A configuration value that may carry a credential, masked whenever it is printed.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a masked credential looks like.
pub const MASK: &str = "********";

/// A string that may hold a credential (a database URL with a password, an SMTP password…).
///
/// `Debug`, `Display` and `Serialize` never show the credential: a URL keeps its scheme, user,
/// host and path but its password (and any query value whose name mentions a password, secret,
/// token or key) becomes `********`; anything that is not a URL is masked whole. Read the real
/// value with [`Secret::expose`], only where it is handed to the library that needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The real value. Never log or print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The printable form (see the type's docs).
    pub fn masked(&self) -> String {
        mask_url(&self.0).unwrap_or_else(|| MASK.to_owned())
    }
}

/// Masks the password and sensitive query values of `scheme://…` URLs; `None` when `s` is not a URL.
fn mask_url(s: &str) -> Option<String> {
    let (scheme, rest) = s.split_once("://")?;
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    // The userinfo ends at the last '@' before the path starts.
    let authority_end = before_query.find('/').unwrap_or(before_query.len());
    let (authority, path) = before_query.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:{MASK}@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    let mut out = format!("{scheme}://{authority}{path}");
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if is_sensitive(k) => format!("{k}={MASK}"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    Some(out)
}

fn is_sensitive(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["pass", "secret", "token", "key"]
        .iter()
        .any(|word| key.contains(word))
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({:?})", self.masked())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Serializes the masked form: serialized configuration is for people to read.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.masked())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_password_is_masked_everywhere() {
        let s = Secret::new("postgres://kefu:hunter2@db.internal:5432/kefu?sslmode=require");
        let want = "postgres://kefu:********@db.internal:5432/kefu?sslmode=require";
        assert_eq!(s.to_string(), want);
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(
            serde_json::to_string(&s).unwrap_or_default(),
            format!("\"{want}\"")
        );
        assert_eq!(
            s.expose(),
            "postgres://kefu:hunter2@db.internal:5432/kefu?sslmode=require"
        );
    }

    #[test]
    fn password_with_at_sign_and_query_secrets_are_masked() {
        let s = Secret::new("postgres://u:p@ss@h/db?sslpassword=x&application_name=kefu");
        assert_eq!(
            s.to_string(),
            "postgres://u:********@h/db?sslpassword=********&application_name=kefu"
        );
    }

    #[test]
    fn urls_without_credentials_are_shown_and_other_values_masked_whole() {
        let sqlite = "sqlite://./kefu-data/kefu.db?mode=rwc";
        assert_eq!(Secret::new(sqlite).to_string(), sqlite);
        assert_eq!(Secret::new("plain-password").to_string(), MASK);
    }
}
