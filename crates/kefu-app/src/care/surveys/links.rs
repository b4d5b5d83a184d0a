//! Signed survey links: `<survey id>.<HMAC-SHA256 of the id under the installation's link key,
//! first 16 bytes, hex>`. No login is needed to answer; without the key nobody can make a link
//! to another survey, and changing any character of a link breaks its signature.

use kefu_store::entity::setting;
use kefu_store::sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::AppError;

const KEY_SETTING: &str = "survey_link_key";
const DOMAIN: &[u8] = b"kefu-survey-v1:";

/// The installation's link key, made on first use (random, kept in the database so every
/// process signs alike).
pub(crate) async fn link_key(
    db: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, AppError> {
    if let Some(k) = read(db).await? {
        return Ok(k);
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    setting::Entity::insert(setting::ActiveModel {
        key: Set(KEY_SETTING.into()),
        value: Set(serde_json::Value::String(hex::encode(bytes))),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing_on([setting::Column::Key])
    .exec_without_returning(db)
    .await?;
    // Whoever won a race, everyone uses the stored key.
    read(db)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("survey link key missing")))
}

async fn read(db: &impl ConnectionTrait) -> Result<Option<Vec<u8>>, AppError> {
    Ok(setting::Entity::find_by_id(KEY_SETTING.to_owned())
        .one(db)
        .await?
        .and_then(|s| hex::decode(s.value.as_str()?).ok())
        .filter(|k| k.len() == 32))
}

fn tag(key: &[u8], id: Uuid) -> [u8; 16] {
    let full = kefu_channels::bots::hmac_sha256(key, &[DOMAIN, id.as_bytes()]);
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// The token of survey `id`.
pub(crate) fn sign(key: &[u8], id: Uuid) -> String {
    format!("{}.{}", id.simple(), hex::encode(tag(key, id)))
}

/// The survey a token names, if its signature holds.
pub(crate) fn verify(key: &[u8], token: &str) -> Option<Uuid> {
    let (id, sig) = token.split_once('.')?;
    if id.len() != 32 || sig.len() != 32 {
        return None;
    }
    let id = Uuid::try_parse(id).ok()?;
    let given = hex::decode(sig).ok()?;
    let want = tag(key, id);
    // Constant time: every byte is compared whatever the first difference.
    let diff = want
        .iter()
        .zip(given.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    (diff == 0).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_and_any_change_breaks_it() {
        let key = [7u8; 32];
        let id = Uuid::now_v7();
        let t = sign(&key, id);
        assert_eq!(verify(&key, &t), Some(id));
        // Another key, another survey id, a flipped signature character, junk.
        assert_eq!(verify(&[8u8; 32], &t), None);
        let other = Uuid::now_v7();
        let swapped = format!("{}.{}", other.simple(), t.split_once('.').unwrap().1);
        assert_eq!(verify(&key, &swapped), None);
        let mut chars: Vec<char> = t.chars().collect();
        let last = chars.len() - 1;
        chars[last] = if chars[last] == '0' { '1' } else { '0' };
        assert_eq!(verify(&key, &chars.into_iter().collect::<String>()), None);
        assert_eq!(verify(&key, "nonsense"), None);
        assert_eq!(verify(&key, &t[..t.len() - 2]), None);
    }
}
