//! Configuration kept as one ordered list in a setting (routing rules, time rules, approval
//! rules, canned replies): read it, and replace it with an audit entry in one transaction.

use kefu_domain::access::Actor;
use kefu_store::sea_orm::ConnectionTrait;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::sla::{get_setting, put_setting};
use crate::{App, AppError, audit};

/// The list stored under `key` (empty when unset or unreadable).
pub(crate) async fn read_list<T: DeserializeOwned>(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Vec<T>, AppError> {
    read_object(db, key).await
}

/// [`read_list`] through the configuration cache (for lists read on every page, such as macros
/// and canned replies; [`write_list`] clears the cache).
pub(crate) async fn cached_list<T: DeserializeOwned>(
    app: &App,
    key: &str,
) -> Result<Vec<T>, AppError> {
    let value = match app.cache.setting(key) {
        Some(v) => v,
        None => {
            let v = std::sync::Arc::new(get_setting(app.store.conn(), key).await?);
            app.cache.put_setting(key, v.clone());
            v
        }
    };
    Ok(value
        .as_ref()
        .as_ref()
        .and_then(|v| Vec::<T>::deserialize(v).ok())
        .unwrap_or_default())
}

/// The object stored under `key` (its default when unset or unreadable).
pub(crate) async fn read_object<T: DeserializeOwned + Default>(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<T, AppError> {
    Ok(get_setting(db, key)
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

/// Replaces the object under `key` (already validated), with an audit entry holding it.
pub(crate) async fn write_object<T: Serialize>(
    app: &App,
    actor: &Actor,
    key: &str,
    value: &T,
) -> Result<(), AppError> {
    let now = app.now();
    let v = serde_json::to_value(value).map_err(anyhow::Error::from)?;
    let tx = app.store.begin().await?;
    put_setting(&tx, key, v.clone(), now).await?;
    audit::record(
        &tx,
        Some(actor.user_id),
        &format!("config.{key}.save"),
        key,
        None,
        v,
        now,
    )
    .await?;
    tx.commit().await?;
    app.cache.clear();
    Ok(())
}

/// Replaces the list under `key` (already validated by the caller), records
/// `config.<key>.save` in the audit log, and clears the configuration cache.
pub(crate) async fn write_list<T: Serialize>(
    app: &App,
    actor: &Actor,
    key: &str,
    list: &[T],
) -> Result<(), AppError> {
    let now = app.now();
    let tx = app.store.begin().await?;
    put_setting(
        &tx,
        key,
        serde_json::to_value(list).map_err(anyhow::Error::from)?,
        now,
    )
    .await?;
    audit::record(
        &tx,
        Some(actor.user_id),
        &format!("config.{key}.save"),
        key,
        None,
        serde_json::json!({"items": list.len()}),
        now,
    )
    .await?;
    tx.commit().await?;
    app.cache.clear();
    Ok(())
}
