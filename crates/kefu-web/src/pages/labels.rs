//! Display names of configurable keys in the viewer's language. Statuses are configuration
//! (the workflow grid adds them), so their names come from the workflow, never the catalog.

use std::collections::BTreeMap;

use kefu_app::{App, AppError, tickets};
use kefu_domain::ticket::Workflow;

/// Status key → name in `locale`, from `wf`.
pub(super) fn status_names_of(wf: &Workflow, locale: &str) -> BTreeMap<String, String> {
    let en = super::i18n::pick(locale) == "en";
    wf.statuses
        .iter()
        .map(|st| {
            let name = if en { &st.name_en } else { &st.name_zh };
            (st.key.clone(), name.clone())
        })
        .collect()
}

/// Status key → name in `locale`, from the workflow in force (cached).
pub(super) async fn status_names(
    app: &App,
    locale: &str,
) -> Result<BTreeMap<String, String>, AppError> {
    Ok(status_names_of(
        &tickets::workflow_in_force(app).await?,
        locale,
    ))
}
