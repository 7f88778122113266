//! The emulator's data, one file per workload: the directory with each user's mailbox
//! (messages, folders, events, contacts), the calendar-view expansion, the OneDrive tree with its
//! upload sessions, the issued tokens, the delta log and the subscriptions, and the fixtures
//! everything starts from.

pub(crate) mod calendar;
pub(crate) mod changes;
pub mod drive;
pub mod fixtures;
pub(crate) mod store;
pub(crate) mod subscriptions;
pub(crate) mod tokens;
