//! Teams (queues of people) and their members.

use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::{team, team_member, user};
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{App, AppError, FieldError, audit, require};

/// A team with its members.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamView {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Member user ids.
    pub member_ids: Vec<Uuid>,
}

/// A team as an admin submits it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamInput {
    /// Unique name.
    pub name: String,
    /// Members (staff users); replaces the list.
    #[serde(default)]
    pub member_ids: Vec<Uuid>,
}

/// Every team (staff only).
pub async fn list_teams(app: &App, actor: &Actor) -> Result<Vec<TeamView>, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let db = app.store.conn();
    let teams = team::Entity::find()
        .order_by_asc(team::Column::Name)
        .all(db)
        .await?;
    let members = team_member::Entity::find().all(db).await?;
    Ok(teams
        .into_iter()
        .map(|t| TeamView {
            member_ids: members
                .iter()
                .filter(|m| m.team_id == t.id)
                .map(|m| m.user_id)
                .collect(),
            id: t.id,
            name: t.name,
        })
        .collect())
}

/// Creates a team (`id` None) or renames it and replaces its members.
pub async fn save_team(
    app: &App,
    actor: &Actor,
    id: Option<Uuid>,
    input: TeamInput,
) -> Result<TeamView, AppError> {
    require(actor, Permission::ConfigManage)?;
    let name = input.name.trim().to_owned();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 60 {
        errors.push(FieldError::new("name", "invalid", "1 to 60 characters"));
    }
    let now = app.now();
    let tx = app.store.begin().await?;
    let mut members = input.member_ids.clone();
    members.sort_unstable();
    members.dedup();
    let staff = user::Entity::find()
        .filter(user::Column::Id.is_in(members.clone()))
        .filter(user::Column::CustomerId.is_null())
        .all(&tx)
        .await?;
    if staff.len() != members.len() {
        errors.push(FieldError::new(
            "member_ids",
            "not_found",
            "every member must be a staff user",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let id = match id {
        Some(id) => {
            let t = team::Entity::find_by_id(id)
                .one(&tx)
                .await?
                .ok_or(AppError::NotFound("team"))?;
            team::Entity::update(team::ActiveModel {
                id: Set(t.id),
                name: Set(name.clone()),
                created_at: Set(t.created_at),
            })
            .exec(&tx)
            .await?;
            team_member::Entity::delete_many()
                .filter(team_member::Column::TeamId.eq(id))
                .exec(&tx)
                .await?;
            id
        }
        None => {
            let id = Uuid::now_v7();
            team::Entity::insert(team::ActiveModel {
                id: Set(id),
                name: Set(name.clone()),
                created_at: Set(now),
            })
            .exec_without_returning(&tx)
            .await?;
            id
        }
    };
    for u in &members {
        team_member::Entity::insert(team_member::ActiveModel {
            team_id: Set(id),
            user_id: Set(*u),
        })
        .exec_without_returning(&tx)
        .await?;
    }
    audit::record(
        &tx,
        Some(actor.user_id),
        "config.team.save",
        "team",
        Some(id.to_string()),
        serde_json::json!({"name": name, "members": members.len()}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(TeamView {
        id,
        name,
        member_ids: members,
    })
}
