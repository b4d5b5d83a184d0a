//! Chats whose visitor has gone (no connection, no message for [`chat::VISITOR_IDLE`]) end by
//! themselves, so every chat ends as a ticket and nothing a visitor wrote is lost.

use kefu_domain::chat::{self, ChatStatus};
use kefu_store::entity::chat_session;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::close;
use crate::{App, AppError};

/// Ends up to 200 abandoned chats; returns how many.
pub async fn sweep_abandoned(app: &App) -> Result<usize, AppError> {
    let now = app.now();
    let stale = chat_session::Entity::find()
        .filter(
            chat_session::Column::Status
                .is_in([ChatStatus::Waiting.as_str(), ChatStatus::Active.as_str()]),
        )
        .filter(chat_session::Column::VisitorSeenAt.lt(now - chat::VISITOR_IDLE))
        .order_by_asc(chat_session::Column::VisitorSeenAt)
        .limit(200)
        .all(app.store.conn())
        .await?;
    let mut n = 0;
    for s in stale {
        close::end(app, s.id, "timeout", None, false).await?;
        n += 1;
    }
    Ok(n)
}
