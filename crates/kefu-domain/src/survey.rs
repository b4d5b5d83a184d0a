//! Satisfaction surveys: CSAT (1–5 about one ticket) and NPS (0–10 about the company) — their
//! settings, who is sampled, which answers are accepted, what counts as a low score, and the
//! figures a set of answers gives.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The two kinds of survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyKind {
    /// Customer satisfaction with one ticket, 1–5.
    Csat,
    /// Net promoter score of the company, 0–10.
    Nps,
}

impl SurveyKind {
    /// Stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyKind::Csat => "csat",
            SurveyKind::Nps => "nps",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<Self> {
        [SurveyKind::Csat, SurveyKind::Nps]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// The accepted score range.
    pub fn range(self) -> (i32, i32) {
        match self {
            SurveyKind::Csat => (1, 5),
            SurveyKind::Nps => (0, 10),
        }
    }
}

/// CSAT settings: asked after a ticket is resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsatSettings {
    /// Ask at all.
    pub enabled: bool,
    /// Minutes after the resolution before the question goes out (a reopened ticket is not
    /// asked until it is resolved again).
    pub delay_minutes: u32,
    /// Share of resolved tickets asked, 0–100.
    pub sample_percent: u8,
    /// A score below this needs a comment (3: scores 1 and 2 must say why).
    pub comment_below: i32,
    /// Days the link stays valid.
    pub expires_days: u32,
    /// A score at or below this opens a follow-up task.
    pub low_score_at_most: i32,
    /// Ticket types asked (empty: all).
    pub ticket_kinds: Vec<String>,
}

impl Default for CsatSettings {
    fn default() -> Self {
        CsatSettings {
            enabled: true,
            delay_minutes: 60,
            sample_percent: 100,
            comment_below: 3,
            expires_days: 14,
            low_score_at_most: 2,
            ticket_kinds: Vec::new(),
        }
    }
}

/// NPS settings: asked of contacts now and then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NpsSettings {
    /// Ask at all.
    pub enabled: bool,
    /// Days a contact is left alone after being asked (answered or not).
    pub cooldown_days: u32,
    /// Only contacts with a ticket opened in this many days are asked.
    pub active_days: u32,
    /// Share of eligible contacts asked per round, 0–100.
    pub sample_percent: u8,
    /// Days the link stays valid.
    pub expires_days: u32,
    /// A score at or below this (a detractor) opens a follow-up task.
    pub low_score_at_most: i32,
    /// A score below this needs a comment (0: never).
    pub comment_below: i32,
}

impl Default for NpsSettings {
    fn default() -> Self {
        NpsSettings {
            enabled: false,
            cooldown_days: 90,
            active_days: 180,
            sample_percent: 100,
            expires_days: 14,
            low_score_at_most: 6,
            comment_below: 0,
        }
    }
}

/// Both surveys' settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SurveySettings {
    /// Ticket satisfaction.
    pub csat: CsatSettings,
    /// Net promoter score.
    pub nps: NpsSettings,
}

impl SurveySettings {
    /// Problems as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        let c = &self.csat;
        if c.sample_percent > 100 {
            out.push(("csat.sample_percent", "0 to 100"));
        }
        if !(1..=6).contains(&c.comment_below) {
            out.push(("csat.comment_below", "1 (never) to 6 (always)"));
        }
        if !(0..=5).contains(&c.low_score_at_most) {
            out.push(("csat.low_score_at_most", "0 (never) to 5"));
        }
        if !(1..=365).contains(&c.expires_days) {
            out.push(("csat.expires_days", "1 to 365"));
        }
        if c.delay_minutes > 60 * 24 * 30 {
            out.push(("csat.delay_minutes", "at most 30 days"));
        }
        let n = &self.nps;
        if n.sample_percent > 100 {
            out.push(("nps.sample_percent", "0 to 100"));
        }
        if !(1..=3650).contains(&n.cooldown_days) {
            out.push(("nps.cooldown_days", "1 to 3650"));
        }
        if !(1..=3650).contains(&n.active_days) {
            out.push(("nps.active_days", "1 to 3650"));
        }
        if !(1..=365).contains(&n.expires_days) {
            out.push(("nps.expires_days", "1 to 365"));
        }
        if !(-1..=10).contains(&n.low_score_at_most) {
            out.push(("nps.low_score_at_most", "-1 (never) to 10"));
        }
        if !(0..=11).contains(&n.comment_below) {
            out.push(("nps.comment_below", "0 (never) to 11 (always)"));
        }
        out
    }

    /// Whether a score is low enough to open a follow-up task.
    pub fn is_low(&self, kind: SurveyKind, score: i32) -> bool {
        match kind {
            SurveyKind::Csat => score <= self.csat.low_score_at_most,
            SurveyKind::Nps => score <= self.nps.low_score_at_most,
        }
    }

    /// Checks an answer: the score in range, a comment where the score needs one.
    pub fn check_answer(
        &self,
        kind: SurveyKind,
        score: i32,
        comment: &str,
    ) -> Result<(), AnswerProblem> {
        let (lo, hi) = kind.range();
        if !(lo..=hi).contains(&score) {
            return Err(AnswerProblem::ScoreOutOfRange { lo, hi });
        }
        let below = match kind {
            SurveyKind::Csat => self.csat.comment_below,
            SurveyKind::Nps => self.nps.comment_below,
        };
        if score < below && comment.trim().is_empty() {
            return Err(AnswerProblem::CommentRequired);
        }
        if comment.chars().count() > 2000 {
            return Err(AnswerProblem::CommentTooLong);
        }
        Ok(())
    }
}

/// Why an answer is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AnswerProblem {
    /// The score is outside the survey's scale.
    #[error("the score must be {lo} to {hi}")]
    ScoreOutOfRange {
        /// Lowest.
        lo: i32,
        /// Highest.
        hi: i32,
    },
    /// A low score needs a few words.
    #[error("please tell us what went wrong")]
    CommentRequired,
    /// At most 2000 characters.
    #[error("the comment is longer than 2000 characters")]
    CommentTooLong,
}

/// Whether `id` falls in a `percent` sample: decided by the id's random tail, so the same id
/// always gets the same answer and the share over many ids is `percent`.
pub fn sampled(id: Uuid, percent: u8) -> bool {
    let b = id.as_bytes();
    let tail = u64::from_be_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]]);
    tail % 100 < u64::from(percent.min(100))
}

/// Figures of a set of answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tally {
    /// Answers.
    pub responses: u32,
    /// Sum of scores.
    pub sum: i64,
    /// CSAT 4 and 5.
    pub satisfied: u32,
    /// NPS 9 and 10.
    pub promoters: u32,
    /// NPS 0 to 6.
    pub detractors: u32,
}

impl Tally {
    /// Counts one answer.
    pub fn add(&mut self, kind: SurveyKind, score: i32) {
        self.responses += 1;
        self.sum += i64::from(score);
        match kind {
            SurveyKind::Csat if score >= 4 => self.satisfied += 1,
            SurveyKind::Nps if score >= 9 => self.promoters += 1,
            SurveyKind::Nps if score <= 6 => self.detractors += 1,
            _ => {}
        }
    }

    /// Mean score, two decimals; none without answers.
    pub fn average(&self) -> Option<f64> {
        (self.responses > 0)
            .then(|| (self.sum as f64 / f64::from(self.responses) * 100.0).round() / 100.0)
    }

    /// CSAT: the share of 4s and 5s, in percent (one decimal).
    pub fn csat_percent(&self) -> Option<f64> {
        (self.responses > 0).then(|| {
            (f64::from(self.satisfied) * 1000.0 / f64::from(self.responses)).round() / 10.0
        })
    }

    /// NPS: promoters minus detractors in percent of answers, −100 to 100 (rounded).
    pub fn nps(&self) -> Option<i32> {
        (self.responses > 0).then(|| {
            ((f64::from(self.promoters) - f64::from(self.detractors)) * 100.0
                / f64::from(self.responses))
            .round() as i32
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked_against_the_scale_and_the_comment_rule() {
        let s = SurveySettings::default();
        assert!(s.check_answer(SurveyKind::Csat, 5, "").is_ok());
        assert!(s.check_answer(SurveyKind::Csat, 3, "").is_ok());
        assert_eq!(
            s.check_answer(SurveyKind::Csat, 2, "  "),
            Err(AnswerProblem::CommentRequired)
        );
        assert!(s.check_answer(SurveyKind::Csat, 2, "等了三天").is_ok());
        assert_eq!(
            s.check_answer(SurveyKind::Csat, 0, "x"),
            Err(AnswerProblem::ScoreOutOfRange { lo: 1, hi: 5 })
        );
        assert_eq!(
            s.check_answer(SurveyKind::Csat, 6, "x"),
            Err(AnswerProblem::ScoreOutOfRange { lo: 1, hi: 5 })
        );
        assert!(s.check_answer(SurveyKind::Nps, 0, "").is_ok());
        assert!(s.check_answer(SurveyKind::Nps, 11, "").is_err());
        assert_eq!(
            s.check_answer(SurveyKind::Csat, 4, &"长".repeat(2001)),
            Err(AnswerProblem::CommentTooLong)
        );
    }

    #[test]
    fn low_scores_follow_the_settings() {
        let mut s = SurveySettings::default();
        assert!(s.is_low(SurveyKind::Csat, 2));
        assert!(!s.is_low(SurveyKind::Csat, 3));
        assert!(s.is_low(SurveyKind::Nps, 6));
        assert!(!s.is_low(SurveyKind::Nps, 7));
        s.csat.low_score_at_most = 0;
        assert!(!s.is_low(SurveyKind::Csat, 1));
    }

    #[test]
    fn sampling_is_stable_and_near_the_share() {
        let ids: Vec<Uuid> = (0..10_000).map(|_| Uuid::now_v7()).collect();
        let hit = ids.iter().filter(|id| sampled(**id, 30)).count();
        assert!((2_700..3_300).contains(&hit), "{hit} of 10000 at 30%");
        assert!(ids.iter().all(|id| sampled(*id, 100)));
        assert!(!ids.iter().any(|id| sampled(*id, 0)));
        assert_eq!(sampled(ids[7], 50), sampled(ids[7], 50));
    }

    #[test]
    fn tally_gives_csat_share_and_nps() {
        let mut c = Tally::default();
        for s in [5, 4, 3, 1] {
            c.add(SurveyKind::Csat, s);
        }
        assert_eq!(c.average(), Some(3.25));
        assert_eq!(c.csat_percent(), Some(50.0));
        let mut n = Tally::default();
        for s in [10, 9, 8, 7, 6, 0, 10] {
            n.add(SurveyKind::Nps, s);
        }
        // 3 promoters, 2 detractors of 7 → 14.
        assert_eq!(n.nps(), Some(14));
        assert_eq!(Tally::default().nps(), None);
    }

    #[test]
    fn settings_problems_name_the_field() {
        let mut s = SurveySettings::default();
        assert!(s.problems().is_empty());
        s.csat.sample_percent = 101;
        s.nps.cooldown_days = 0;
        let fields: Vec<_> = s.problems().into_iter().map(|p| p.0).collect();
        assert_eq!(fields, ["csat.sample_percent", "nps.cooldown_days"]);
    }
}
