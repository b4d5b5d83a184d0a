//! Importing a year of Chinese public holidays and make-up working days (调休) from the data
//! file shipped with kefu into a business calendar.

use chrono::Datelike;
use kefu_domain::access::{Actor, Permission};
use kefu_domain::sla::{BusinessCalendar, bundled_cn_holidays};
use kefu_store::entity::calendar;
use kefu_store::sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::{App, AppError, audit, require};

/// What an import changed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HolidayImport {
    /// Year imported.
    pub year: i32,
    /// Holidays of that year now in the calendar.
    pub holidays: usize,
    /// Make-up working days of that year now in the calendar.
    pub makeup_workdays: usize,
}

/// Years the shipped file covers.
pub fn shipped_years() -> Vec<i32> {
    let t = bundled_cn_holidays();
    let mut years: Vec<i32> = t
        .holidays
        .iter()
        .chain(t.makeup_workdays.iter())
        .map(|d| d.year())
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// Replaces `year`'s holidays and make-up days in calendar `id` with the shipped ones.
pub async fn import_cn_holidays(
    app: &App,
    actor: &Actor,
    id: Uuid,
    year: i32,
) -> Result<HolidayImport, AppError> {
    require(actor, Permission::ConfigManage)?;
    if !shipped_years().contains(&year) {
        return Err(AppError::invalid(
            "year",
            "not_shipped",
            format!("the shipped holiday file covers {:?}", shipped_years()),
        ));
    }
    let table = bundled_cn_holidays();
    let now = app.now();
    let tx = app.store.begin().await?;
    let m = calendar::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("calendar"))?;
    let mut cal: BusinessCalendar = serde_json::from_value(m.definition.clone())
        .map_err(|e| AppError::invalid("definition", "invalid", e.to_string()))?;
    cal.holidays.retain(|d| d.year() != year);
    cal.makeup_workdays.retain(|d| d.year() != year);
    cal.holidays
        .extend(table.holidays.iter().filter(|d| d.year() == year));
    cal.makeup_workdays
        .extend(table.makeup_workdays.iter().filter(|d| d.year() == year));
    let result = HolidayImport {
        year,
        holidays: cal.holidays.iter().filter(|d| d.year() == year).count(),
        makeup_workdays: cal
            .makeup_workdays
            .iter()
            .filter(|d| d.year() == year)
            .count(),
    };
    let mut am: calendar::ActiveModel = m.into();
    am.definition = Set(serde_json::to_value(&cal).map_err(anyhow::Error::from)?);
    am.updated_at = Set(now);
    am.update(&tx).await?;
    audit::record(
        &tx,
        Some(actor.user_id),
        "config.calendar.import_holidays",
        "calendar",
        Some(id.to_string()),
        serde_json::json!({"year": year, "holidays": result.holidays, "makeup_workdays": result.makeup_workdays}),
        now,
    )
    .await?;
    tx.commit().await?;
    app.cache.clear();
    Ok(result)
}
