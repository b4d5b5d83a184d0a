//! API tokens: shown once at creation, stored as SHA-256 hashes, limited by scopes.

use chrono::{DateTime, Duration, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::{api_token, user};
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{actor_for, random_token, sha256_hex};
use crate::{App, AppError, FieldError, audit};

/// Prefix that makes kefu tokens recognizable to secret scanners.
pub const TOKEN_PREFIX: &str = "kefu_";

/// Request to create a token for the acting user.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// A name to recognize the token by.
    pub name: String,
    /// Permission codes the token is limited to; empty means all of the user's permissions.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Days until expiry; none means no expiry.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// A token as listed (never with its secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// First characters, to recognize it.
    pub prefix: String,
    /// Scopes; empty means all of the user's permissions.
    pub scopes: Vec<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last use.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A token just created: the only time the secret is shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// The token's metadata.
    #[serde(flatten)]
    pub info: TokenView,
    /// The secret; send as `Authorization: Bearer <token>`.
    pub token: String,
}

fn view(m: api_token::Model) -> TokenView {
    TokenView {
        id: m.id,
        name: m.name,
        prefix: m.prefix,
        scopes: serde_json::from_value(m.scopes).unwrap_or_default(),
        created_at: m.created_at,
        expires_at: m.expires_at,
        last_used_at: m.last_used_at,
    }
}

/// Creates a token for `actor`. Scopes must be permissions the actor holds.
pub async fn create_token(
    app: &App,
    actor: &Actor,
    req: NewToken,
) -> Result<CreatedToken, AppError> {
    let mut errors = Vec::new();
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "invalid", "1 to 100 characters"));
    }
    for (i, s) in req.scopes.iter().enumerate() {
        match Permission::parse(s) {
            Some(p) if actor.has(p) => {}
            Some(_) => errors.push(FieldError::new(
                format!("scopes[{i}]"),
                "not_held",
                format!("you do not hold `{s}`"),
            )),
            None => errors.push(FieldError::new(
                format!("scopes[{i}]"),
                "unknown",
                format!("unknown permission `{s}`"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    let secret = format!("{TOKEN_PREFIX}{}", random_token(24));
    let model = api_token::Model {
        id: Uuid::now_v7(),
        user_id: actor.user_id,
        name: name.to_owned(),
        token_hash: sha256_hex(secret.as_bytes()),
        prefix: secret[..TOKEN_PREFIX.len() + 6].to_owned(),
        scopes: serde_json::json!(req.scopes),
        created_at: now,
        expires_at: req
            .expires_in_days
            .map(|d| now + Duration::days(i64::from(d))),
        last_used_at: None,
        revoked_at: None,
    };
    let tx = app.store.begin().await?;
    api_token::Entity::insert(api_token::ActiveModel::from(model.clone()))
        .exec_without_returning(&tx)
        .await?;
    audit::record(
        &tx,
        Some(actor.user_id),
        "token.create",
        "api_token",
        Some(model.id.to_string()),
        serde_json::json!({"name": model.name, "scopes": model.scopes}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedToken {
        info: view(model),
        token: secret,
    })
}

/// Resolves a bearer token to an actor limited by the token's scopes.
pub async fn authenticate(app: &App, secret: &str) -> Result<Actor, AppError> {
    let now = app.now();
    let hash = sha256_hex(secret.as_bytes());
    if let Some(actor) = app.tokens.get(&hash, now) {
        return Ok(actor);
    }
    let db = app.store.conn();
    let tok = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash.clone()))
        .one(db)
        .await?
        .filter(|t| t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now))
        .ok_or(AppError::Unauthenticated)?;
    let user = user::Entity::find_by_id(tok.user_id)
        .one(db)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::Unauthenticated)?;
    // Record use at most once a minute to keep reads cheap.
    if tok
        .last_used_at
        .is_none_or(|t| now - t > Duration::minutes(1))
    {
        api_token::Entity::update_many()
            .col_expr(
                api_token::Column::LastUsedAt,
                kefu_store::sea_orm::sea_query::Expr::value(now),
            )
            .filter(api_token::Column::Id.eq(tok.id))
            .exec(db)
            .await?;
    }
    let scopes: Vec<String> = serde_json::from_value(tok.scopes).unwrap_or_default();
    let mut actor = actor_for(&user);
    if !scopes.is_empty() {
        actor.scopes = Some(scopes.iter().filter_map(|s| Permission::parse(s)).collect());
    }
    app.tokens.put(hash, actor.clone(), tok.expires_at);
    Ok(actor)
}

/// Lists the actor's own tokens.
pub async fn list_tokens(app: &App, actor: &Actor) -> Result<Vec<TokenView>, AppError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(actor.user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_asc(api_token::Column::CreatedAt)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// Revokes one of the actor's tokens (admins may revoke anyone's).
pub async fn revoke_token(app: &App, actor: &Actor, id: Uuid) -> Result<(), AppError> {
    let now = app.now();
    let tx = app.store.begin().await?;
    let tok = api_token::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .filter(|t| t.user_id == actor.user_id || actor.has(Permission::UserManage))
        .ok_or(AppError::NotFound("token"))?;
    let mut am: api_token::ActiveModel = tok.into();
    am.revoked_at = Set(Some(now));
    api_token::Entity::update(am).exec(&tx).await?;
    audit::record(
        &tx,
        Some(actor.user_id),
        "token.revoke",
        "api_token",
        Some(id.to_string()),
        serde_json::json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    app.tokens.clear();
    Ok(())
}
