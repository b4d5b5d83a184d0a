//! Customer care after the work is done: follow-up visits (回访) for the customers that warrant
//! them, satisfaction surveys (CSAT per ticket, NPS per contact) with signed links, and the care
//! tasks both produce, with reminders and recorded outcomes.

mod names;
mod resolved;
mod settings;
pub mod surveys;
mod tasks;

pub(crate) use names::names_of;
pub(crate) use resolved::on_resolved;
pub use settings::{
    follow_up_settings, save_follow_up_settings, save_survey_settings, survey_settings,
};
pub use tasks::{
    NewTask, TaskDone, TaskQuery, TaskScan, TaskView, complete_task, create_task, list_tasks,
    remind_tasks,
};
pub(crate) use tasks::{NewTaskRow, insert_task};
