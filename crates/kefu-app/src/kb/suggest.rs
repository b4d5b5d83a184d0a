//! Suggestions: for an agent reading a ticket, the published articles and solved tickets
//! most like it (each with the text to insert into the reply); for a customer writing a
//! ticket or a chat, the public articles that may already answer it.

use kefu_domain::access::Actor;
use kefu_search::{Audience, Hit, SearchQuery};
use kefu_store::entity::{kb_article, ticket, ticket_event};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::tickets::visible_ticket;
use crate::{App, AppError};

/// How much of a ticket's text is used to look for similar things.
const QUERY_CHARS: usize = 300;

/// An article offered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuggestedArticle {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Highlighted snippet (HTML: `<b>` around matches, the rest escaped).
    pub snippet: String,
    /// `internal` or `public`.
    pub state: String,
    /// Where customers read it (public articles, when a public address is configured).
    pub url: Option<String>,
    /// What one click puts into the reply.
    pub insert_text: String,
}

/// A solved ticket like this one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuggestedTicket {
    /// Id.
    pub id: Uuid,
    /// Number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Status.
    pub status: String,
    /// Highlighted snippet.
    pub snippet: String,
    /// The last answer staff sent the customer (what one click inserts), if any.
    pub insert_text: Option<String>,
}

/// Suggestions for one ticket.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    /// Articles, best first.
    pub articles: Vec<SuggestedArticle>,
    /// Solved tickets, best first.
    pub tickets: Vec<SuggestedTicket>,
}

fn uuid_of(hit: &Hit, kind: &str) -> Option<Uuid> {
    hit.id
        .strip_prefix(kind)
        .and_then(|s| s.strip_prefix(':'))
        .and_then(|s| Uuid::parse_str(s).ok())
}

async fn run(app: &App, q: SearchQuery) -> Result<Vec<Hit>, AppError> {
    Ok(crate::search::run_query(app, q).await?.hits)
}

fn article_url(app: &App, id: Uuid) -> Option<String> {
    (!app.settings.public_url.is_empty())
        .then(|| format!("{}/help/articles/{id}", app.settings.public_url))
}

async fn articles_for(
    app: &App,
    text: &str,
    audience: Audience,
    limit: usize,
) -> Result<Vec<SuggestedArticle>, AppError> {
    let mut q = SearchQuery::staff(text);
    q.audience = audience;
    q.kinds = vec!["article".into()];
    q.match_all = false;
    q.limit = limit;
    let hits = run(app, q).await?;
    let ids: Vec<Uuid> = hits.iter().filter_map(|h| uuid_of(h, "article")).collect();
    let by_id: std::collections::HashMap<Uuid, kb_article::Model> = kb_article::Entity::find()
        .filter(kb_article::Column::Id.is_in(ids))
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(hits
        .into_iter()
        .filter_map(|h| {
            let a = by_id.get(&uuid_of(&h, "article")?)?;
            // The index may lag a second behind a state change: trust the database.
            if !matches!(a.state.as_str(), "internal" | "public") {
                return None;
            }
            let url = (a.state == "public")
                .then(|| article_url(app, a.id))
                .flatten();
            let mut insert_text = format!("{}\n\n{}", a.title, super::render::to_text(&a.body));
            if let Some(u) = &url {
                insert_text.push_str(&format!("\n\n{u}"));
            }
            Some(SuggestedArticle {
                id: a.id,
                title: a.title.clone(),
                snippet: h.snippet,
                state: a.state.clone(),
                url,
                insert_text,
            })
        })
        .collect())
}

/// Articles and solved tickets like this ticket (staff).
pub async fn for_ticket(app: &App, actor: &Actor, id: Uuid) -> Result<Suggestions, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let db = app.store.conn();
    let t = visible_ticket(db, actor, id).await?;
    let first = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(id))
        .filter(ticket_event::Column::Kind.is_in(["created", "reply"]))
        .filter(ticket_event::Column::Public.eq(true))
        .order_by_asc(ticket_event::Column::Id)
        .one(db)
        .await?
        .and_then(|e| {
            e.data
                .get("body")
                .and_then(|b| b.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let text: String = format!("{} {}", t.subject, first)
        .chars()
        .take(QUERY_CHARS)
        .collect();
    let articles = articles_for(app, &text, Audience::Staff, 5).await?;
    let finished = crate::tickets::workflow_in_force(app)
        .await?
        .finished_statuses();
    let mut q = SearchQuery::staff(&text);
    q.kinds = vec!["ticket".into()];
    q.statuses = finished;
    q.match_all = false;
    q.limit = 6;
    let hits = run(app, q).await?;
    let ids: Vec<Uuid> = hits
        .iter()
        .filter_map(|h| uuid_of(h, "ticket"))
        .filter(|t| *t != id)
        .take(5)
        .collect();
    let rows: std::collections::HashMap<Uuid, ticket::Model> = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    // The last answer staff sent on each of them, in one query.
    let mut answers: std::collections::HashMap<Uuid, String> = Default::default();
    for e in ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.is_in(ids.clone()))
        .filter(ticket_event::Column::Kind.eq("reply"))
        .filter(ticket_event::Column::Public.eq(true))
        .order_by_desc(ticket_event::Column::Id)
        .all(db)
        .await?
    {
        if e.data.get("from").and_then(|f| f.as_str()) == Some("agent")
            && let Some(body) = e.data.get("body").and_then(|b| b.as_str())
        {
            answers
                .entry(e.ticket_id)
                .or_insert_with(|| body.to_owned());
        }
    }
    let mut tickets = Vec::new();
    for h in hits {
        let Some(tid) = uuid_of(&h, "ticket").filter(|t| ids.contains(t)) else {
            continue;
        };
        let Some(row) = rows.get(&tid) else { continue };
        tickets.push(SuggestedTicket {
            id: tid,
            number: row.number.clone(),
            subject: row.subject.clone(),
            status: row.status.clone(),
            snippet: h.snippet,
            insert_text: answers.remove(&tid),
        });
    }
    Ok(Suggestions { articles, tickets })
}

/// Public articles that may answer what a customer is writing (portal form, chat), best
/// first; nothing for fewer than two characters.
pub async fn for_customer(app: &App, text: &str) -> Result<Vec<SuggestedArticle>, AppError> {
    let text: String = text.trim().chars().take(QUERY_CHARS).collect();
    if text.chars().count() < 2 {
        return Ok(Vec::new());
    }
    articles_for(app, &text, Audience::Public, 5).await
}

/// Help-center search: articles the reader may read (staff also internal ones), ranked by
/// BM25 with any word allowed to match; optionally in one category.
pub async fn search_articles(
    app: &App,
    actor: Option<&Actor>,
    text: &str,
    category: Option<Uuid>,
    limit: usize,
) -> Result<Vec<SuggestedArticle>, AppError> {
    let text: String = text.trim().chars().take(200).collect();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let audience = match super::reader_of(actor) {
        kefu_domain::kb::Reader::Public => Audience::Public,
        _ => Audience::Staff,
    };
    let mut found = articles_for(app, &text, audience, limit.clamp(1, 50)).await?;
    if let Some(c) = category {
        let ids: Vec<Uuid> = found.iter().map(|a| a.id).collect();
        let in_cat: std::collections::HashSet<Uuid> = kb_article::Entity::find()
            .filter(kb_article::Column::Id.is_in(ids))
            .filter(kb_article::Column::CategoryId.eq(c))
            .all(app.store.conn())
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        found.retain(|a| in_cat.contains(&a.id));
    }
    Ok(found)
}
