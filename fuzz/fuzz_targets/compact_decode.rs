//! Feeds arbitrary bytes to the compact QR decoder, as a binary payload and as text.
//! Any input must give an error or a value, never a panic, a hang or a huge allocation;
//! a value that decodes must encode and decode to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use probity_spec::compact::{decode, encode, from_text};

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = decode(data) {
        let again = encode(&value).expect("a decoded value encodes");
        assert_eq!(decode(&again).expect("and decodes"), value);
    }
    let text = String::from_utf8_lossy(data);
    let _ = from_text(&text);
    // Digits only, so that the text path reaches the decoder more often.
    let digits: String = data.iter().map(|b| char::from(b'0' + b % 10)).collect();
    let _ = from_text(&format!("PB1:{digits}"));
});
