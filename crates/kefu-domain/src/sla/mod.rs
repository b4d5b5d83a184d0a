//! SLA engine: business calendars, Chinese public holidays, SLA policies and the SLA clock.
//!
//! Everything is pure: time enters only as arguments (`now`, a ticket's history), and the
//! holiday data is compiled in. Targets are business time, counted on a [`BusinessCalendar`].

mod calendar;
mod clock;
mod holidays;
mod policy;
mod shift;
mod walk;
mod watch;

pub use calendar::{BusinessCalendar, CalendarError};
pub use clock::{
    Pause, SlaHistory, SlaStatus, Timer, TimerState, compute, compute_with_policy,
    pauses_from_status_changes,
};
pub use holidays::{HolidayTable, bundled_cn_holidays, parse_cn_holidays};
pub use policy::{Escalation, PolicyError, SlaPolicy, TargetRow, Targets};
pub use shift::{MINUTES_PER_DAY, Shift};
pub use watch::{next_check, timer_check, timer_warn_at, warn_at};
