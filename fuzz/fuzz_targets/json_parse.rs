//! Feeds arbitrary bytes to both of Probity's JSON readers: `Arena::parse` (the tree
//! verification uses) and `parse_strict` (a serde_json `Value`). They must accept the
//! same documents and read the same values, and a document they accept must be
//! written in canonical form as from the `Value`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use probity_spec::internals::jcs::write_json;
use probity_spec::internals::json::Arena;
use probity_spec::json::parse_strict;

fuzz_target!(|data: &[u8]| {
    let arena = Arena::new();
    let ours = arena.parse(data);
    let reference = parse_strict(data);
    match (&ours, &reference) {
        (Ok(tree), Ok(value)) => {
            assert_eq!(&tree.to_value(), value);
            let mut canonical = Vec::new();
            write_json(&mut canonical, tree).expect("a parsed tree is writable");
            assert_eq!(canonical, probity_spec::jcs::canonicalize(value).unwrap());
        }
        (Err(_), Err(_)) => {}
        _ => panic!("the parsers disagree: ours {ours:?}, serde_json {reference:?}"),
    }
});
