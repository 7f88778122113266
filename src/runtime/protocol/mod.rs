//! protocol (work in progress).
