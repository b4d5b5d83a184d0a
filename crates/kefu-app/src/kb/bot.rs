//! The self-service bot: answers a question from public articles (retrieval: the best
//! article by BM25, accepted only when it covers most of the question's meaningful words),
//! quotes the paragraph that answers and links the article, hands over to a person when asked
//! or when unsure, and records every answer. No external AI service is involved.

use kefu_domain::kb::bot::{Decision, best_paragraph, coverage, decide, meaningful_words};
use kefu_store::entity::{bot_answer, kb_article, kb_deflection};
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use crate::search::index_of;
use crate::{App, AppError};

/// An article the bot points to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BotArticle {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Where to read it.
    pub url: String,
}

/// The bot's reply.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BotReply {
    /// Recorded answer (for "did this help?").
    pub answer_id: Uuid,
    /// `answer`, `unsure` or `handover`.
    pub decision: String,
    /// The message to show.
    pub text: String,
    /// The article answered from.
    pub article: Option<BotArticle>,
    /// The quoted paragraph.
    pub quote: Option<String>,
    /// Other articles that may help.
    pub more: Vec<BotArticle>,
}

/// Where the question was asked, for the record.
#[derive(Debug, Clone, Copy, Default)]
pub struct BotContext {
    /// Chat session.
    pub chat_session_id: Option<Uuid>,
    /// The customer, when known.
    pub customer_id: Option<Uuid>,
}

fn article_link(app: &App, id: Uuid) -> String {
    format!("{}/help/articles/{id}", app.settings.public_url)
}

/// Answers `question` asked on `channel` (`chat` or `portal`) in `locale` (`zh-CN` or `en`).
pub async fn ask(
    app: &App,
    channel: &str,
    question: &str,
    locale: &str,
    ctx: BotContext,
) -> Result<BotReply, AppError> {
    let question: String = question.trim().chars().take(500).collect();
    let en = locale.starts_with("en");
    let idx = index_of(app).await?;
    let slot = crate::search::search_slot(app).await?;
    let (hits, q_words, idx) = {
        let text = question.clone();
        tokio::task::spawn_blocking(move || {
            let mut q = kefu_search::SearchQuery::staff(&text);
            q.audience = kefu_search::Audience::Public;
            q.kinds = vec!["article".into()];
            q.match_all = false;
            q.limit = 3;
            let hits = idx.search(&q).map(|r| r.hits);
            let words = meaningful_words(&idx.words(&text));
            (hits, words, idx)
        })
        .await
        .map_err(anyhow::Error::from)?
    };
    drop(slot);
    let hits = hits.map_err(|e| AppError::Internal(e.into()))?;
    let ids: Vec<Uuid> = hits
        .iter()
        .filter_map(|h| {
            h.id.strip_prefix("article:")
                .and_then(|s| Uuid::parse_str(s).ok())
        })
        .collect();
    let mut articles: Vec<kb_article::Model> = kb_article::Entity::find()
        .filter(kb_article::Column::Id.is_in(ids.clone()))
        .filter(kb_article::Column::State.eq("public"))
        .all(app.store.conn())
        .await?;
    articles.sort_by_key(|a| ids.iter().position(|i| *i == a.id));
    let best = articles.first().map(|a| {
        let text = super::render::to_text(&a.body);
        let mut words = idx.words(&a.title);
        words.extend(idx.words(&text));
        (a, text, coverage(&q_words, &words))
    });
    let decision = decide(&question, best.as_ref().map(|b| b.2));
    let link = |a: &kb_article::Model| BotArticle {
        id: a.id,
        title: a.title.clone(),
        url: article_link(app, a.id),
    };
    let (text, article, quote, outcome) = match (decision, &best) {
        (Decision::Answer, Some((a, body, _))) => {
            let quote = best_paragraph(body, &q_words, &|p| idx.words(p));
            let text = if en {
                format!(
                    "From “{}”:\n{quote}\nMore: {}",
                    a.title,
                    article_link(app, a.id)
                )
            } else {
                format!(
                    "根据《{}》：\n{quote}\n详情：{}",
                    a.title,
                    article_link(app, a.id)
                )
            };
            (text, Some(link(a)), Some(quote), "answered")
        }
        (Decision::Handover, _) => (
            if en {
                "I'll connect you with a person. Please wait a moment.".to_owned()
            } else {
                "正在为您转接人工客服，请稍候。".to_owned()
            },
            None,
            None,
            "handover",
        ),
        _ => (
            if en {
                "I'm not sure I have the answer. A person will help you; these articles may also help.".to_owned()
            } else {
                "抱歉，我不确定能回答这个问题，将为您转接人工客服；以下文章或许有帮助。".to_owned()
            },
            None,
            None,
            "unsure",
        ),
    };
    let more: Vec<BotArticle> = articles
        .iter()
        .filter(|a| article.as_ref().is_none_or(|x| x.id != a.id))
        .map(link)
        .collect();
    let answer_id = Uuid::now_v7();
    bot_answer::Entity::insert(bot_answer::ActiveModel {
        id: Set(answer_id),
        channel: Set(if channel == "portal" {
            "portal"
        } else {
            "chat"
        }
        .into()),
        question: Set(question.clone()),
        article_id: Set(article.as_ref().map(|a| a.id)),
        score: Set(best.as_ref().map_or(0.0, |b| b.2)),
        outcome: Set(outcome.into()),
        chat_session_id: Set(ctx.chat_session_id),
        customer_id: Set(ctx.customer_id),
        created_at: Set(app.now()),
    })
    .exec_without_returning(app.store.conn())
    .await?;
    Ok(BotReply {
        answer_id,
        decision: match decision {
            Decision::Answer => "answer",
            Decision::Unsure => "unsure",
            Decision::Handover => "handover",
        }
        .into(),
        text,
        article,
        quote,
        more,
    })
}

/// The asker says whether an answer helped (`helpful` / `not_helpful`); only answers that
/// quoted an article can be rated, once.
pub async fn rate(app: &App, answer_id: Uuid, helpful: bool) -> Result<(), AppError> {
    let tx = app.store.begin().await?;
    let a = bot_answer::Entity::find_by_id(answer_id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("answer"))?;
    if a.outcome != "answered" {
        return Err(AppError::Rule {
            code: "not_rateable",
            message: "only an answer from an article can be rated, once".into(),
        });
    }
    // An answer that solved the question is a deflection of that article, counted with the
    // portal's and help center's.
    if helpful && let Some(article) = a.article_id {
        let now = app.now();
        kb_deflection::Entity::insert(kb_deflection::ActiveModel {
            id: Set(Uuid::now_v7()),
            article_id: Set(article),
            channel: Set("bot".into()),
            query: Set(a.question.chars().take(500).collect()),
            outcome: Set("solved".into()),
            customer_id: Set(a.customer_id),
            user_id: Set(None),
            ticket_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(&tx)
        .await?;
    }
    let mut am: bot_answer::ActiveModel = a.into();
    am.outcome = Set(if helpful { "helpful" } else { "not_helpful" }.into());
    bot_answer::Entity::update(am).exec(&tx).await?;
    tx.commit().await?;
    Ok(())
}
