//! Satisfaction surveys: a CSAT question scheduled when a ticket is resolved (after a delay, for
//! a sampled share), NPS rounds to active contacts with a cool-down, the sender that mails (or
//! chats) the signed links, the public answer, and the results per ticket, agent, team and
//! customer.

mod answer;
mod links;
mod nps;
mod results;
mod schedule;
mod send;

pub use answer::{SurveyAnswer, SurveyPage, answer_survey, open_survey, ticket_survey_link};
pub use nps::{NpsScan, nps_round};
pub use results::{ResultRow, SurveyResults, SurveyResultsQuery, survey_results};
pub(crate) use schedule::schedule_csat;
pub use send::{SendScan, send_due_surveys};

/// The public address of a survey link.
pub(crate) fn survey_url(public_url: &str, token: &str) -> String {
    format!("{public_url}/survey/{token}")
}
