//! Inviting a customer's contact to the portal: staff create a single-use link (valid 14 days,
//! stored hashed, shown once); the invitee opens it, sets a password and becomes a portal user
//! of that customer. Accepting is one transaction: the invitation can be used only once.

use chrono::{DateTime, Duration, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::portal_invitation as inv;
use kefu_store::sea_orm::sea_query::Expr;
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::visible_customer;
use crate::auth::{random_token, sha256_hex};
use crate::users::{NewUser, UserView, insert_user, valid_email};
use crate::{App, AppError, FieldError, audit, require};

/// How long an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 14;

/// A created invitation; `token` goes into the link and is never stored in clear.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedInvitation {
    /// Invitation id.
    pub id: Uuid,
    /// Invitee email.
    pub email: String,
    /// Secret for `/portal/invite/{token}`; shown once.
    pub token: String,
    /// Valid until.
    pub expires_at: DateTime<Utc>,
}

/// An invitation as the invitee sees it before accepting.
#[derive(Debug, Clone, Serialize)]
pub struct PendingInvitation {
    /// Invitee email.
    pub email: String,
    /// Invitee name.
    pub name: String,
    /// The customer's name.
    pub customer_name: String,
}

/// Invites `email` (named `name`) to the portal of customer `customer_id`.
pub async fn invite_portal_user(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    email: &str,
    name: &str,
) -> Result<CreatedInvitation, AppError> {
    require(actor, Permission::CustomerWrite)?;
    let email = email.trim().to_lowercase();
    let mut errors = Vec::new();
    if !valid_email(&email) {
        errors.push(FieldError::new("email", "invalid", "not an email address"));
    }
    if name.trim().is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "invalid", "1 to 100 characters"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    let tx = app.store.begin().await?;
    visible_customer(&tx, actor, customer_id).await?;
    let token = random_token(24);
    let id = Uuid::now_v7();
    let expires_at = now + Duration::days(INVITATION_DAYS);
    inv::Entity::insert(inv::ActiveModel {
        id: Set(id),
        token_hash: Set(sha256_hex(token.as_bytes())),
        customer_id: Set(customer_id),
        email: Set(email.clone()),
        name: Set(name.trim().to_owned()),
        invited_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        accepted_at: Set(None),
        user_id: Set(None),
    })
    .exec_without_returning(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor.user_id),
        "portal.invite",
        "customer",
        Some(customer_id.to_string()),
        serde_json::json!({"email": email}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedInvitation {
        id,
        email,
        token,
        expires_at,
    })
}

async fn usable(
    db: &impl kefu_store::sea_orm::ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<inv::Model, AppError> {
    inv::Entity::find()
        .filter(inv::Column::TokenHash.eq(sha256_hex(token.as_bytes())))
        .one(db)
        .await?
        .filter(|i| i.accepted_at.is_none() && i.expires_at > now)
        .ok_or(AppError::NotFound("invitation"))
}

/// The invitation behind a link, if it can still be accepted.
pub async fn pending_invitation(app: &App, token: &str) -> Result<PendingInvitation, AppError> {
    let db = app.store.conn();
    let i = usable(db, token, app.now()).await?;
    let customer = kefu_store::entity::customer::Entity::find_by_id(i.customer_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("invitation"))?;
    Ok(PendingInvitation {
        email: i.email,
        name: i.name,
        customer_name: customer.name,
    })
}

/// Accepts an invitation: creates the portal user with `password` (and `name`, if given).
pub async fn accept_invitation(
    app: &App,
    token: &str,
    name: Option<&str>,
    password: &str,
) -> Result<UserView, AppError> {
    let now = app.now();
    let tx = app.store.begin().await?;
    let i = usable(&tx, token, now).await?;
    // Claim it first: a concurrent accept of the same link finds nothing left to claim.
    let claimed = inv::Entity::update_many()
        .col_expr(inv::Column::AcceptedAt, Expr::value(now))
        .filter(inv::Column::Id.eq(i.id))
        .filter(inv::Column::AcceptedAt.is_null())
        .exec(&tx)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AppError::NotFound("invitation"));
    }
    let user = insert_user(
        app,
        &tx,
        None,
        NewUser {
            email: i.email.clone(),
            name: name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or(&i.name)
                .to_owned(),
            role: "customer".into(),
            password: Some(password.to_owned()),
            customer_id: Some(i.customer_id),
            ..Default::default()
        },
    )
    .await?;
    inv::Entity::update_many()
        .col_expr(inv::Column::UserId, Expr::value(user.id))
        .filter(inv::Column::Id.eq(i.id))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(user)
}
