//! Mail in and out beyond the intake: outbound messages through the job queue, templates,
//! IMAP mailboxes polled for new mail or watched with IDLE.

pub mod admin;
pub mod mailboxes;
pub mod outbound;
pub mod templates;
pub mod watch;

mod smtp_pool;

pub use admin::{
    MailLogQuery, MailMessageView, get_mail_settings, list_mail_messages, read_raw_mail,
};
pub use mailboxes::{
    MailboxInput, MailboxView, PollLocks, PollReport, create_mailbox, delete_mailbox,
    enabled_mailboxes, list_mailboxes, poll_due, poll_mailbox, update_mailbox,
};
pub use outbound::{MailSpec, SEND_JOB, SendOutcome, send_queued};
pub(crate) use smtp_pool::SmtpPool;
pub use templates::{MailTemplate, Templates, render};
pub use watch::{WatchOutcome, watch_mailbox};
