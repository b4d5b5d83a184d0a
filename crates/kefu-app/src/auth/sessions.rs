//! Login sessions for the web: a random session id in a cookie (stored hashed) and a CSRF
//! token bound to the session.

use chrono::Duration;
use kefu_store::entity::{session, user};
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::{passwords, random_token, sha256_hex};
use crate::{App, AppError, audit};

/// A freshly opened session; the id goes into the cookie and is never stored in clear.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Cookie value.
    pub session_id: String,
    /// Token forms must echo.
    pub csrf_token: String,
    /// The user who logged in.
    pub user: user::Model,
}

/// A live session.
#[derive(Debug, Clone)]
pub struct LiveSession {
    /// The user.
    pub user: user::Model,
    /// Token forms must echo.
    pub csrf_token: String,
}

/// Checks credentials (rate limited per account and address) and opens a session.
pub async fn login(
    app: &App,
    email: &str,
    password: &str,
    client: &str,
) -> Result<NewSession, AppError> {
    let now = app.now();
    let email = email.trim().to_lowercase();
    let key = format!("{email}|{client}");
    app.login_limiter
        .check(&key, now)
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(app.store.conn())
        .await?;
    let ok = match &found {
        Some(u) => u.active && passwords::verify(password, &u.password_hash),
        None => {
            // Spend the same time as a real check so timing does not reveal which emails exist.
            let _ = passwords::verify(password, dummy_hash());
            false
        }
    };
    let Some(user) = found.filter(|_| ok) else {
        app.login_limiter.fail(&key, now);
        return Err(AppError::Unauthenticated);
    };
    app.login_limiter.succeed(&key);
    let session_id = random_token(32);
    let csrf_token = random_token(32);
    let tx = app.store.begin().await?;
    session::Entity::insert(session::ActiveModel {
        id_hash: Set(sha256_hex(session_id.as_bytes())),
        user_id: Set(user.id),
        csrf_token: Set(csrf_token.clone()),
        created_at: Set(now),
        expires_at: Set(now + Duration::hours(app.settings.session_hours)),
    })
    .exec_without_returning(&tx)
    .await?;
    audit::record(
        &tx,
        Some(user.id),
        "auth.login",
        "user",
        Some(user.id.to_string()),
        serde_json::json!({"client": client}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(NewSession {
        session_id,
        csrf_token,
        user,
    })
}

/// Resolves a cookie value to a live session of an active user.
pub async fn resolve(app: &App, session_id: &str) -> Result<Option<LiveSession>, AppError> {
    let now = app.now();
    let Some(s) = session::Entity::find_by_id(sha256_hex(session_id.as_bytes()))
        .one(app.store.conn())
        .await?
    else {
        return Ok(None);
    };
    if s.expires_at <= now {
        return Ok(None);
    }
    let user = user::Entity::find_by_id(s.user_id)
        .one(app.store.conn())
        .await?;
    Ok(user.filter(|u| u.active).map(|user| LiveSession {
        user,
        csrf_token: s.csrf_token,
    }))
}

/// Ends a session.
pub async fn logout(app: &App, session_id: &str) -> Result<(), AppError> {
    session::Entity::delete_by_id(sha256_hex(session_id.as_bytes()))
        .exec(app.store.conn())
        .await?;
    Ok(())
}

/// An argon2id hash of a fixed string, verified against when the account does not exist.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| passwords::hash("kefu timing equaliser").unwrap_or_default())
}
