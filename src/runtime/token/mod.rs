//! token (work in progress).
