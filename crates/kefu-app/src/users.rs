//! Staff and portal users.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission, Role};
use kefu_store::entity::{customer, user};
use kefu_store::sea_orm::sea_query::Expr;
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{passwords, random_token};
use crate::{App, AppError, FieldError, audit, require};

/// Request to create a user.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Login email (case-insensitive, unique).
    pub email: String,
    /// Display name.
    pub name: String,
    /// `admin`, `supervisor`, `agent`, `field_engineer`, `finance` or `customer`.
    pub role: String,
    /// Initial password (≥ 10 characters); generated when absent.
    #[serde(default)]
    pub password: Option<String>,
    /// For portal users: the customer they belong to (required for role `customer`).
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// UI language: `zh-CN` (default) or `en`.
    #[serde(default)]
    pub locale: Option<String>,
    /// Skills (for skill-matched assignment), e.g. `["PLC", "数控"]`.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Region (for region-matched field work), e.g. `华东`.
    #[serde(default)]
    pub region: Option<String>,
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// Display name.
    pub name: Option<String>,
    /// Role code.
    pub role: Option<String>,
    /// Whether the user may log in.
    pub active: Option<bool>,
    /// New password.
    pub password: Option<String>,
    /// UI language.
    pub locale: Option<String>,
    /// Skills (replaces the list).
    #[serde(default)]
    pub skills: Option<Vec<String>>,
    /// Region (empty string clears).
    #[serde(default)]
    pub region: Option<String>,
}

/// A user as shown by the API (never with the password hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    /// Id.
    pub id: Uuid,
    /// Email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Customer of a portal user.
    pub customer_id: Option<Uuid>,
    /// Whether the user may log in.
    pub active: bool,
    /// UI language.
    pub locale: String,
    /// Skills.
    pub skills: Vec<String>,
    /// Region.
    pub region: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Generated password, present only in the response that created the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
}

impl From<user::Model> for UserView {
    fn from(u: user::Model) -> Self {
        UserView {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            customer_id: u.customer_id,
            active: u.active,
            locale: u.locale,
            skills: serde_json::from_value(u.skills).unwrap_or_default(),
            region: u.region,
            created_at: u.created_at,
            generated_password: None,
        }
    }
}

fn check_locale(field: &str, l: &str, errors: &mut Vec<FieldError>) {
    if !["zh-CN", "en"].contains(&l) {
        errors.push(FieldError::new(field, "invalid", "zh-CN or en"));
    }
}

/// Creates a user. `actor` None means the system (CLI, bootstrap).
pub async fn create_user(
    app: &App,
    actor: Option<&Actor>,
    req: NewUser,
) -> Result<UserView, AppError> {
    if let Some(a) = actor {
        require(a, Permission::UserManage)?;
    }
    let tx = app.store.begin().await?;
    let v = insert_user(app, &tx, actor.map(|a| a.user_id), req).await?;
    tx.commit().await?;
    app.cache.clear();
    Ok(v)
}

/// Validates and inserts a user inside the caller's transaction (with its audit entry).
pub(crate) async fn insert_user(
    app: &App,
    tx: &kefu_store::Tx,
    actor_id: Option<Uuid>,
    req: NewUser,
) -> Result<UserView, AppError> {
    let mut errors = Vec::new();
    let email = req.email.trim().to_lowercase();
    if !valid_email(&email) {
        errors.push(FieldError::new("email", "invalid", "not an email address"));
    }
    if req.name.trim().is_empty() || req.name.chars().count() > 100 {
        errors.push(FieldError::new("name", "invalid", "1 to 100 characters"));
    }
    let role = Role::parse(&req.role);
    match role {
        None => errors.push(FieldError::new(
            "role",
            "invalid",
            "one of admin, supervisor, agent, field_engineer, finance, customer",
        )),
        Some(Role::Customer) if req.customer_id.is_none() => errors.push(FieldError::new(
            "customer_id",
            "required",
            "portal users belong to a customer",
        )),
        Some(r) if r.is_staff() && req.customer_id.is_some() => errors.push(FieldError::new(
            "customer_id",
            "invalid",
            "staff users do not belong to a customer",
        )),
        _ => {}
    }
    if let Some(p) = &req.password
        && let Err(AppError::Invalid(mut e)) = passwords::check_strength("password", p)
    {
        errors.append(&mut e);
    }
    if let Some(l) = &req.locale {
        check_locale("locale", l, &mut errors);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (password, generated) = match req.password {
        Some(p) => (p, None),
        None => {
            let p = random_token(9);
            (p.clone(), Some(p))
        }
    };
    let hash = passwords::hash(&password)?;
    let now = app.now();
    if let Some(cid) = req.customer_id
        && customer::Entity::find_by_id(cid).one(tx).await?.is_none()
    {
        return Err(AppError::invalid(
            "customer_id",
            "not_found",
            "no such customer",
        ));
    }
    let model = user::Model {
        id: Uuid::now_v7(),
        email,
        name: req.name.trim().to_owned(),
        role: req.role.clone(),
        password_hash: hash,
        customer_id: req.customer_id,
        phone: req.phone,
        locale: req.locale.unwrap_or_else(|| "zh-CN".into()),
        time_zone: "Asia/Shanghai".into(),
        skills: serde_json::json!(
            req.skills
                .iter()
                .map(|x| x.trim())
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
        ),
        region: req.region.filter(|r| !r.trim().is_empty()),
        active: true,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    user::Entity::insert(user::ActiveModel::from(model.clone()))
        .exec_without_returning(tx)
        .await?;
    audit::record(
        tx,
        actor_id,
        "user.create",
        "user",
        Some(model.id.to_string()),
        serde_json::json!({"email": model.email, "role": model.role}),
        now,
    )
    .await?;
    let mut v = UserView::from(model);
    v.generated_password = generated;
    Ok(v)
}

/// Updates a user (admins only; nobody can deactivate or demote themselves).
pub async fn update_user(
    app: &App,
    actor: &Actor,
    id: Uuid,
    patch: UserPatch,
) -> Result<UserView, AppError> {
    require(actor, Permission::UserManage)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    let u = user::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    let mut am: user::ActiveModel = u.clone().into();
    let mut errors = Vec::new();
    if let Some(n) = &patch.name {
        if n.trim().is_empty() || n.chars().count() > 100 {
            errors.push(FieldError::new("name", "invalid", "1 to 100 characters"));
        }
        am.name = Set(n.trim().to_owned());
    }
    if let Some(r) = &patch.role {
        match Role::parse(r) {
            Some(role) if role.is_staff() == Role::parse(&u.role).is_some_and(|x| x.is_staff()) => {
                am.role = Set(r.clone())
            }
            Some(_) => errors.push(FieldError::new(
                "role",
                "invalid",
                "cannot switch between staff and portal roles",
            )),
            None => errors.push(FieldError::new("role", "invalid", "unknown role")),
        }
        if id == actor.user_id && r != &u.role {
            errors.push(FieldError::new(
                "role",
                "self",
                "you cannot change your own role",
            ));
        }
    }
    if let Some(a) = patch.active {
        if id == actor.user_id && !a {
            errors.push(FieldError::new(
                "active",
                "self",
                "you cannot deactivate yourself",
            ));
        }
        am.active = Set(a);
    }
    if let Some(p) = &patch.password {
        if let Err(AppError::Invalid(mut e)) = passwords::check_strength("password", p) {
            errors.append(&mut e);
        } else {
            am.password_hash = Set(passwords::hash(p)?);
        }
    }
    if let Some(l) = &patch.locale {
        check_locale("locale", l, &mut errors);
        am.locale = Set(l.clone());
    }
    if let Some(sk) = &patch.skills {
        am.skills = Set(serde_json::json!(
            sk.iter()
                .map(|x| x.trim())
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
        ));
    }
    if let Some(r) = &patch.region {
        am.region = Set(Some(r.trim().to_owned()).filter(|r| !r.is_empty()));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    am.updated_at = Set(now);
    am.version = Set(u.version + 1);
    let saved = user::Entity::update(am).exec(&tx).await?;
    let changed: Vec<&str> = [
        ("name", patch.name.is_some()),
        ("role", patch.role.is_some()),
        ("active", patch.active.is_some()),
        ("password", patch.password.is_some()),
        ("locale", patch.locale.is_some()),
        ("skills", patch.skills.is_some()),
        ("region", patch.region.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.then_some(k))
    .collect();
    audit::record(
        &tx,
        Some(actor.user_id),
        "user.update",
        "user",
        Some(id.to_string()),
        serde_json::json!({"fields": changed}),
        now,
    )
    .await?;
    tx.commit().await?;
    app.cache.clear();
    // Role or active flag may have changed: cached API tokens must re-resolve.
    app.tokens.clear();
    Ok(saved.into())
}

/// Lists users; staff with `user.manage` see all, other staff see staff only.
pub async fn list_users(app: &App, actor: &Actor) -> Result<Vec<UserView>, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let mut q = user::Entity::find().order_by_asc(user::Column::Email);
    if !actor.has(Permission::UserManage) {
        q = q.filter(user::Column::CustomerId.is_null());
    }
    Ok(q.all(app.store.conn())
        .await?
        .into_iter()
        .map(UserView::from)
        .collect())
}

/// One user; a user may always read themselves.
pub async fn get_user(app: &App, actor: &Actor, id: Uuid) -> Result<UserView, AppError> {
    if id != actor.user_id && !actor.role.is_staff() {
        return Err(AppError::NotFound("user"));
    }
    user::Entity::find_by_id(id)
        .one(app.store.conn())
        .await?
        .map(UserView::from)
        .ok_or(AppError::NotFound("user"))
}

/// Number of users, to tell whether the first admin must be created.
pub async fn count_users(app: &App) -> Result<u64, AppError> {
    Ok(user::Entity::find().count(app.store.conn()).await?)
}

/// A pragmatic email check: one `@`, a dot in the domain, no spaces.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
        && !domain.contains('@')
        && s.len() <= 254
}

/// Sets the caller's own UI language (`zh-CN` or `en`); any signed-in user may.
pub async fn set_own_locale(app: &App, actor: &Actor, locale: &str) -> Result<(), AppError> {
    if !matches!(locale, "zh-CN" | "en") {
        return Err(AppError::invalid("locale", "invalid", "zh-CN or en"));
    }
    let now = app.now();
    user::Entity::update_many()
        .col_expr(user::Column::Locale, Expr::value(locale.to_owned()))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(actor.user_id))
        .exec(app.store.conn())
        .await?;
    Ok(())
}

/// One staff member, as pickers and timelines show them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffEntry {
    /// User id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Whether they may still log in.
    pub active: bool,
}

/// Every staff member (for assignee pickers and event authors); staff only.
pub async fn staff_directory(app: &App, actor: &Actor) -> Result<Vec<StaffEntry>, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    if let Some(staff) = app.cache.staff() {
        return Ok((*staff).clone());
    }
    let staff: Vec<StaffEntry> = user::Entity::find()
        .filter(user::Column::CustomerId.is_null())
        .order_by_asc(user::Column::Name)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(|u| StaffEntry {
            id: u.id,
            name: u.name,
            role: u.role,
            active: u.active,
        })
        .collect();
    app.cache.put_staff(std::sync::Arc::new(staff.clone()));
    Ok(staff)
}

/// Sets the caller's own time zone (an IANA name such as `Asia/Shanghai`); pages show times in it.
pub async fn set_own_time_zone(app: &App, actor: &Actor, tz: &str) -> Result<(), AppError> {
    if tz.parse::<chrono_tz::Tz>().is_err() {
        return Err(AppError::invalid(
            "time_zone",
            "invalid",
            "an IANA time zone such as Asia/Shanghai",
        ));
    }
    user::Entity::update_many()
        .col_expr(user::Column::TimeZone, Expr::value(tz.to_owned()))
        .col_expr(user::Column::UpdatedAt, Expr::value(app.now()))
        .filter(user::Column::Id.eq(actor.user_id))
        .exec(app.store.conn())
        .await?;
    Ok(())
}

/// Changes the caller's own password after checking the current one; other sessions of the
/// user end, so a stolen session cannot outlive the change.
pub async fn change_own_password(
    app: &App,
    actor: &Actor,
    current: &str,
    new: &str,
    keep_session_hash: Option<&str>,
) -> Result<(), AppError> {
    let now = app.now();
    let tx = app.store.begin().await?;
    let u = user::Entity::find_by_id(actor.user_id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    if !passwords::verify(current, &u.password_hash) {
        return Err(AppError::invalid(
            "current_password",
            "wrong",
            "the current password is wrong",
        ));
    }
    passwords::check_strength("new_password", new)?;
    let hash = passwords::hash(new)?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(u.id))
        .exec(&tx)
        .await?;
    let mut others = kefu_store::entity::session::Entity::delete_many()
        .filter(kefu_store::entity::session::Column::UserId.eq(u.id));
    if let Some(h) = keep_session_hash {
        others = others.filter(kefu_store::entity::session::Column::IdHash.ne(h.to_owned()));
    }
    others.exec(&tx).await?;
    audit::record(
        &tx,
        Some(u.id),
        "user.password_change",
        "user",
        Some(u.id.to_string()),
        serde_json::json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    app.tokens.clear();
    Ok(())
}
