//! The o365 code generator: spec normalisation passes and progenitor driver (see issue "Code generation").
