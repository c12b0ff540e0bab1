//! Allocation: picking the index of a new credential.

use super::{BitstringStatusList, RANDOM_TRIES};

/// Picks an index for a new credential uniformly at random among the indexes that are
/// neither `taken` (allocated already, per the issuer's records) nor set in `list`.
/// Returns `None` when every index is in use; the issuer then starts a new list.
///
/// Random rather than sequential allocation is what the specification's Privacy
/// Considerations ask for: an index reveals neither the order of issue nor, by
/// proximity, who else was issued at the same time.
///
/// The function draws uniformly up to 64 times and, if the list is so full that every
/// draw hit a used index, scans the whole list and picks uniformly among the free
/// indexes, so the result is uniform either way. `taken` is called once per
/// draw, or once per index during a scan.
pub fn random_unused_index<R: rand::Rng + ?Sized>(
    list: &BitstringStatusList,
    taken: impl Fn(u64) -> bool,
    rng: &mut R,
) -> Option<u64> {
    let len = list.len() as u64;
    if len == 0 {
        return None;
    }
    let free = |i: u64| !taken(i) && matches!(list.get(i), Ok(false));
    for _ in 0..RANDOM_TRIES {
        let i = rng.gen_range(0..len);
        if free(i) {
            return Some(i);
        }
    }
    // Reservoir sampling of one element: uniform over the free indexes, in one pass,
    // without collecting them.
    let mut chosen = None;
    for (seen, i) in (1u64..).zip((0..len).filter(|&i| free(i))) {
        // The `seen`-th free index replaces the choice with probability 1/seen.
        if rng.gen_range(0..seen) == 0 {
            chosen = Some(i);
        }
    }
    chosen
}
