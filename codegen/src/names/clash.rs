//! Clashes between names: mechanical names qualified or numbered apart, and the final names
//! (explicit renames included) kept distinct.

use std::collections::{BTreeMap, BTreeSet};

use super::Op;
use super::shape::Shape;

/// Settles clashes between mechanical names (and against the `fixed` explicit names).
pub(super) fn resolve(
    shapes: &mut BTreeMap<(String, String), Shape>,
    blocked: &dyn Fn(&(String, String), &str) -> bool,
    notes: &mut Vec<String>,
) {
    for _round in 0..64 {
        let mut by_name: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (key, shape) in shapes.iter() {
            by_name.entry(shape.name()).or_default().push(key.clone());
        }
        let mut changed = false;
        for (name, keys) in &by_name {
            let clash_fixed = keys.iter().any(|k| blocked(k, name));
            if keys.len() < 2 && !clash_fixed {
                continue;
            }
            let all_at_me = keys.iter().all(|k| shapes[k].at_me);
            let open: Vec<&(String, String)> = keys
                .iter()
                .filter(|k| !shapes[*k].exhausted(all_at_me))
                .collect();
            if !open.is_empty() {
                for key in open {
                    if let Some(s) = shapes.get_mut(key) {
                        s.used += 1;
                    }
                }
                changed = true;
                continue;
            }
            // Every one is used up: the first (fewest parameters, then path) keeps the name
            // unless an explicit rename holds it.
            let mut order: Vec<&(String, String)> = keys.iter().collect();
            order.sort_by_key(|k| (shapes[*k].params, shapes[*k].path.clone(), k.0.clone()));
            let keep_first = !clash_fixed;
            let first_params = shapes[order[0]].params;
            for (i, key) in order.iter().enumerate() {
                if i == 0 && keep_first {
                    continue;
                }
                let shape = shapes.get_mut(*key).expect("key from the map");
                shape.suffix = if shape.suffix.is_empty() && shape.params > first_params {
                    "_by_id".to_string()
                } else {
                    format!("{}_{}", shape.suffix, i + 1)
                };
                notes.push(format!(
                    "names: {} {} and others would be `{name}`; it is named `{}`",
                    key.0.to_uppercase(),
                    key.1,
                    shape.name()
                ));
            }
            changed = true;
        }
        if !changed {
            return;
        }
    }
}

/// Last guard: every final name distinct (renames may clash with each other or with a
/// prefixed name); later operations get a number, with a note.
pub(super) fn number_repeats(names: &mut [String], ops: &[Op], notes: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for (i, name) in names.iter_mut().enumerate() {
        if seen.insert(name.clone()) {
            continue;
        }
        let mut n = 2;
        while seen.contains(&format!("{name}_{n}")) {
            n += 1;
        }
        let new = format!("{name}_{n}");
        notes.push(format!(
            "names: `{name}` is taken; {} {} is named `{new}`",
            ops[i].method.to_uppercase(),
            ops[i].path
        ));
        seen.insert(new.clone());
        *name = new;
    }
}
