//! Redis-backed shared state (feature `redis`); filled in below.
