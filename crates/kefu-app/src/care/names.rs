//! Display names of the people, teams, customers and tickets care lists and reports name.

use std::collections::HashMap;

use kefu_store::entity::{customer, team, ticket, user};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::AppError;

/// Names by id, `by` one of `agent` (users), `team`, `customer`, `ticket` (its number); in
/// chunks of 500 ids per query.
pub(crate) async fn names_of(
    db: &impl kefu_store::sea_orm::ConnectionTrait,
    by: &str,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let c = chunk.to_vec();
        let pairs: Vec<(Uuid, String)> = match by {
            "agent" => {
                user::Entity::find()
                    .select_only()
                    .column(user::Column::Id)
                    .column(user::Column::Name)
                    .filter(user::Column::Id.is_in(c))
                    .into_tuple()
                    .all(db)
                    .await?
            }
            "team" => {
                team::Entity::find()
                    .select_only()
                    .column(team::Column::Id)
                    .column(team::Column::Name)
                    .filter(team::Column::Id.is_in(c))
                    .into_tuple()
                    .all(db)
                    .await?
            }
            "customer" => {
                customer::Entity::find()
                    .select_only()
                    .column(customer::Column::Id)
                    .column(customer::Column::Name)
                    .filter(customer::Column::Id.is_in(c))
                    .into_tuple()
                    .all(db)
                    .await?
            }
            _ => {
                ticket::Entity::find()
                    .select_only()
                    .column(ticket::Column::Id)
                    .column(ticket::Column::Number)
                    .filter(ticket::Column::Id.is_in(c))
                    .into_tuple()
                    .all(db)
                    .await?
            }
        };
        out.extend(pairs);
    }
    Ok(out)
}
