//! `generated/` mirrors what `build.rs` generates: this fails when a committed file differs from
//! the source compiled into the crate. Refresh with
//! `O365_UPDATE_GENERATED=1 cargo test --all-features --test generated_snapshot`.

#![cfg(feature = "codegen")]

use std::path::PathBuf;

/// Compares (or, with `O365_UPDATE_GENERATED=1`, rewrites) `generated/<stem>.rs`.
fn check(stem: &str, built: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("generated")
        .join(format!("{stem}.rs"));
    if std::env::var_os("O365_UPDATE_GENERATED").is_some_and(|v| v == "1") {
        std::fs::write(&path, built).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != built {
        let line = committed
            .lines()
            .zip(built.lines())
            .position(|(a, b)| a != b)
            .map_or(committed.lines().count().min(built.lines().count()), |i| i)
            + 1;
        panic!(
            "{} is stale (first difference at line {line}); refresh it with \
             O365_UPDATE_GENERATED=1 cargo test --all-features --test generated_snapshot",
            path.display()
        );
    }
}

/// A test named after the generated file's stem, run when `$feature` is on.
macro_rules! snapshot {
    ($feature:literal, $stem:ident) => {
        #[cfg(feature = $feature)]
        #[test]
        fn $stem() {
            check(
                stringify!($stem),
                include_str!(concat!(env!("OUT_DIR"), "/", stringify!($stem), ".rs")),
            );
        }
    };
}

snapshot!("codegen", common);
snapshot!("graph-users", graph_users);
snapshot!("graph-mail", graph_mail);
snapshot!("graph-calendar", graph_calendar);
snapshot!("graph-contacts", graph_contacts);
snapshot!("graph-drive", graph_drive);
snapshot!("graph-groups", graph_groups);
snapshot!("graph-teams", graph_teams);
snapshot!("graph-planner", graph_planner);
snapshot!("graph-todo", graph_todo);
snapshot!("graph-people", graph_people);
snapshot!("graph-onenote", graph_onenote);
snapshot!("graph-sites", graph_sites);
snapshot!("graph-subscriptions", graph_subscriptions);
snapshot!("office365-mail", office365_mail);
snapshot!("business-central", business_central);
