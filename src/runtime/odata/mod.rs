//! odata (work in progress).
