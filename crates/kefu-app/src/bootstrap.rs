//! First start: default calendar, SLA policy, ticket types and the first admin.

use kefu_domain::sla::{BusinessCalendar, SlaPolicy};
use kefu_domain::ticket::TicketKind;
use kefu_store::entity::{calendar, sla_policy, ticket_type};
use kefu_store::sea_orm::{ActiveValue::Set, EntityTrait, PaginatorTrait};

use crate::sla::{CalendarInput, PolicyInput, save_calendar, save_policy};
use crate::users::{NewUser, count_users, create_user};
use crate::{App, AppError};

/// Login of the first admin, returned once when it was just created.
#[derive(Debug, Clone)]
pub struct InitialAdmin {
    /// Email.
    pub email: String,
    /// Generated password; print it once, never log it.
    pub password: String,
}

/// Creates whatever default configuration is missing. Safe to run on every start.
pub async fn ensure_defaults(app: &App) -> Result<Option<InitialAdmin>, AppError> {
    let db = app.store.conn();
    let now = app.now();
    for (code, zh, en) in TicketKind::BUILT_IN {
        if ticket_type::Entity::find_by_id(code.to_owned())
            .one(db)
            .await?
            .is_none()
        {
            ticket_type::Entity::insert(ticket_type::ActiveModel {
                code: Set(code.into()),
                name_zh: Set(zh.into()),
                name_en: Set(en.into()),
                fields: Set(serde_json::json!([])),
                active: Set(true),
                created_at: Set(now),
            })
            .exec_without_returning(db)
            .await?;
        }
    }
    if calendar::Entity::find().count(db).await? == 0 {
        let cal = save_calendar(
            app,
            None,
            None,
            CalendarInput {
                name: "中国标准工作日 China standard".into(),
                definition: serde_json::to_value(BusinessCalendar::standard_china())
                    .map_err(anyhow::Error::from)?,
                is_default: true,
            },
        )
        .await?;
        if sla_policy::Entity::find().count(db).await? == 0 {
            save_policy(
                app,
                None,
                None,
                PolicyInput {
                    name: "默认 SLA Default".into(),
                    calendar_id: cal.id,
                    definition: serde_json::to_value(SlaPolicy::default())
                        .map_err(anyhow::Error::from)?,
                    is_default: true,
                },
            )
            .await?;
        }
    }
    if count_users(app).await? == 0 {
        let u = create_user(
            app,
            None,
            NewUser {
                email: "admin@kefu.local".into(),
                name: "管理员 Admin".into(),
                role: "admin".into(),
                ..Default::default()
            },
        )
        .await?;
        return Ok(Some(InitialAdmin {
            email: u.email,
            password: u.generated_password.unwrap_or_default(),
        }));
    }
    Ok(None)
}
