//! Opening a ticket under an `Idempotency-Key`: the key is claimed in the same transaction as
//! the ticket, so concurrent retries open it once and all get its response.

use kefu_domain::access::{Actor, Permission};

use super::NewTicket;
use super::TicketView;
use super::open::open_in;
use crate::idempotency::{Claim, KeyedResponse, idempotent_begin, idempotent_finish};
use crate::{App, AppError, require};

/// Opens a ticket once per `key` and request body (`request`, the raw bytes the key guards);
/// a retry gets the first response (status 201 and the ticket's JSON) again.
pub async fn open_ticket_once(
    app: &App,
    actor: &Actor,
    key: &str,
    request: &[u8],
    req: NewTicket,
) -> Result<KeyedResponse, AppError> {
    require(actor, Permission::TicketCreate)?;
    let tx = match idempotent_begin(app, actor.user_id, key, request).await? {
        Claim::Fresh(tx) => tx,
        Claim::Replay(r) => return Ok(r),
    };
    let (t, sla) = open_in(app, &tx, actor, req, None).await?;
    let view = TicketView::new(t, sla);
    let body = serde_json::to_string(&view).map_err(anyhow::Error::from)?;
    idempotent_finish(&tx, actor.user_id, key, 201, &body).await?;
    tx.commit().await?;
    Ok(KeyedResponse {
        status: 201,
        body,
        replayed: false,
    })
}
