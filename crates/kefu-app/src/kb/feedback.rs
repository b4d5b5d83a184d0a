//! What readers tell us: "was this helpful?" votes (one per reader and article, a second vote
//! replaces the first; the article's counts are recounted in the same transaction), and
//! deflections: a customer about to file opened a suggested article (`viewed`), said it
//! solved the problem (`solved`), or filed anyway (`filed`).

use chrono::{DateTime, Utc};
use kefu_domain::access::Actor;
use kefu_store::entity::{kb_article, kb_deflection, kb_feedback};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{App, AppError};

/// The article's counts after a vote.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VoteOutcome {
    /// "Helpful" votes.
    pub helpful_yes: i64,
    /// "Not helpful" votes.
    pub helpful_no: i64,
}

/// Records a vote by `voter` (a user id, or a key the browser keeps for anonymous readers).
pub async fn vote(
    app: &App,
    actor: Option<&Actor>,
    article: Uuid,
    helpful: bool,
    comment: Option<String>,
    voter: &str,
) -> Result<VoteOutcome, AppError> {
    super::read::readable_row(app.store.conn(), actor, article).await?;
    let comment = comment
        .map(|c| c.trim().chars().take(2000).collect::<String>())
        .filter(|c| !c.is_empty());
    let voter = match actor.and_then(Actor::user_ref) {
        Some(u) => format!("user:{u}"),
        None => format!("anon:{}", crate::auth::sha256_hex(voter.as_bytes())),
    };
    let now = app.now();
    let tx = app.store.begin().await?;
    let existing = kb_feedback::Entity::find()
        .filter(kb_feedback::Column::ArticleId.eq(article))
        .filter(kb_feedback::Column::Voter.eq(voter.clone()))
        .one(&tx)
        .await?;
    match existing {
        Some(f) => {
            let mut am: kb_feedback::ActiveModel = f.into();
            am.helpful = Set(helpful);
            am.comment = Set(comment);
            am.created_at = Set(now);
            kb_feedback::Entity::update(am).exec(&tx).await?;
        }
        None => {
            kb_feedback::Entity::insert(kb_feedback::ActiveModel {
                id: Set(Uuid::now_v7()),
                article_id: Set(article),
                helpful: Set(helpful),
                comment: Set(comment),
                voter: Set(voter),
                user_id: Set(actor.and_then(Actor::user_ref)),
                created_at: Set(now),
            })
            .exec_without_returning(&tx)
            .await?;
        }
    }
    let count = |h: bool| {
        kb_feedback::Entity::find()
            .filter(kb_feedback::Column::ArticleId.eq(article))
            .filter(kb_feedback::Column::Helpful.eq(h))
            .count(&tx)
    };
    let yes = count(true).await? as i64;
    let no = count(false).await? as i64;
    kb_article::Entity::update_many()
        .col_expr(kb_article::Column::HelpfulYes, yes.into())
        .col_expr(kb_article::Column::HelpfulNo, no.into())
        .filter(kb_article::Column::Id.eq(article))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(VoteOutcome {
        helpful_yes: yes,
        helpful_no: no,
    })
}

/// A customer (or visitor) about to file opened a suggested public article: counts the view
/// and records a deflection; returns its id, which the filing form sends back.
pub async fn open_suggested(
    app: &App,
    actor: Option<&Actor>,
    article: Uuid,
    channel: &str,
    query: &str,
) -> Result<Uuid, AppError> {
    let a = super::read::readable_row(app.store.conn(), actor, article).await?;
    if a.state != "public" {
        return Err(AppError::NotFound("article"));
    }
    super::read::count_view(app.store.conn(), article).await?;
    let channel = match channel {
        "portal" | "chat" | "help" | "bot" => channel,
        _ => "help",
    };
    let now = app.now();
    let id = Uuid::now_v7();
    kb_deflection::Entity::insert(kb_deflection::ActiveModel {
        id: Set(id),
        article_id: Set(article),
        channel: Set(channel.to_owned()),
        query: Set(query.chars().take(500).collect()),
        outcome: Set("viewed".into()),
        customer_id: Set(actor.and_then(|a| a.customer_id)),
        user_id: Set(actor.and_then(Actor::user_ref)),
        ticket_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(app.store.conn())
    .await?;
    Ok(id)
}

fn own(d: &kb_deflection::Model, actor: Option<&Actor>) -> bool {
    d.user_id == actor.and_then(Actor::user_ref)
}

/// The reader says the article solved their problem.
pub async fn mark_solved(app: &App, actor: Option<&Actor>, id: Uuid) -> Result<(), AppError> {
    let db = app.store.conn();
    let d = kb_deflection::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|d| own(d, actor))
        .ok_or(AppError::NotFound("deflection"))?;
    if d.outcome == "viewed" {
        let mut am: kb_deflection::ActiveModel = d.into();
        am.outcome = Set("solved".into());
        am.updated_at = Set(app.now());
        kb_deflection::Entity::update(am).exec(db).await?;
    }
    Ok(())
}

/// The reader filed anyway: their deflections become `filed` with the ticket. Unknown ids,
/// or other readers' ids, are ignored.
pub async fn mark_deflections_filed(
    app: &App,
    actor: Option<&Actor>,
    ids: &[Uuid],
    ticket: Uuid,
) -> Result<u64, AppError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut q = kb_deflection::Entity::update_many()
        .col_expr(kb_deflection::Column::Outcome, "filed".into())
        .col_expr(kb_deflection::Column::TicketId, Some(ticket).into())
        .col_expr(kb_deflection::Column::UpdatedAt, app.now().into())
        .filter(kb_deflection::Column::Id.is_in(ids.to_vec()));
    q = match actor.and_then(Actor::user_ref) {
        Some(u) => q.filter(kb_deflection::Column::UserId.eq(u)),
        None => q.filter(kb_deflection::Column::UserId.is_null()),
    };
    Ok(q.exec(app.store.conn()).await?.rows_affected)
}

/// Deflection counts per article.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeflectionStats {
    /// Article.
    pub article_id: Uuid,
    /// Title.
    pub title: String,
    /// Opened from a suggestion and no ticket followed.
    pub deflected: u64,
    /// Of those, the reader said it solved the problem.
    pub solved: u64,
    /// Opened, then filed anyway.
    pub filed: u64,
}

/// Deflections since `from` (staff), by article, most deflections first.
pub async fn deflection_stats(
    app: &App,
    actor: &Actor,
    from: Option<DateTime<Utc>>,
) -> Result<Vec<DeflectionStats>, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let db = app.store.conn();
    let mut q = kb_deflection::Entity::find()
        .select_only()
        .column(kb_deflection::Column::ArticleId)
        .column(kb_deflection::Column::Outcome)
        .column_as(kb_deflection::Column::Id.count(), "n")
        .group_by(kb_deflection::Column::ArticleId)
        .group_by(kb_deflection::Column::Outcome);
    if let Some(f) = from {
        q = q.filter(kb_deflection::Column::CreatedAt.gte(f));
    }
    let rows: Vec<(Uuid, String, i64)> = q.into_tuple().all(db).await?;
    let mut by: std::collections::BTreeMap<Uuid, (u64, u64, u64)> = Default::default();
    for (a, outcome, n) in rows {
        let e = by.entry(a).or_default();
        match outcome.as_str() {
            "viewed" => e.0 += n as u64,
            "solved" => {
                e.0 += n as u64;
                e.1 += n as u64
            }
            _ => e.2 += n as u64,
        }
    }
    let titles: std::collections::HashMap<Uuid, String> = kb_article::Entity::find()
        .filter(kb_article::Column::Id.is_in(by.keys().copied().collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.title))
        .collect();
    let mut out: Vec<DeflectionStats> = by
        .into_iter()
        .map(|(a, (d, s, f))| DeflectionStats {
            title: titles.get(&a).cloned().unwrap_or_default(),
            article_id: a,
            deflected: d,
            solved: s,
            filed: f,
        })
        .collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.deflected));
    Ok(out)
}
