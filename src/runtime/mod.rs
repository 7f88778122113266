//! The hand-written runtime: everything a request passes through, whether it comes from a
//! generated endpoint method or from a raw `Connection::get/post/…` call.

pub mod batch;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod clock;
pub mod connection;
pub mod delta;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod identity;
pub mod notifications;
pub mod odata;
pub mod protocol;
mod queries;
#[cfg(feature = "redis")]
pub mod redis;
#[cfg(feature = "schemars")]
pub mod schema;
pub mod token;
pub mod typed;
pub mod upload;
