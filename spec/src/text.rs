//! Showing text that came from a document to a person (SPEC.md §11).
//!
//! Every string in a credential, registry, DID document or status list is hostile
//! until verified, and stays untrusted text after: a name or URL holding terminal
//! escape sequences can move the cursor, erase the lines above and draw a fake report;
//! a right-to-left override can make `IP-2026-00417` read as something else. Before
//! such a string reaches a terminal, a log line or a JSON listing meant for people,
//! every character that could change how the surrounding text looks is written as a
//! visible escape instead.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a character can change how the text around it is shown: C0 and C1
/// controls (ESC, CR, BS, CSI…), DEL, and the Unicode bidirectional and invisible
/// formatting characters (Unicode TR #9 §2: embeddings, overrides, isolates and marks;
/// zero-width joiners and spaces; the line and paragraph separators).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// The text with every [unsafe character](is_unsafe_char) written as `\u{…}`, so what a
/// person sees is exactly what the document holds. Text with none is borrowed as is.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`printable`] for text of several lines that we wrote ourselves around untrusted
/// values: line feeds stay, everything else unsafe is escaped.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe_char(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&printable(line));
    }
    Cow::Owned(out)
}

/// JSON text (as `serde_json` writes it) with the unsafe characters JSON allows raw
/// (C1 controls, bidirectional and invisible formatting) written as `\uXXXX` escapes:
/// the same JSON value, safe to show in a terminal. Only characters inside strings can
/// be affected, and there `\uXXXX` means the same character.
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    if !json.chars().any(|c| c != '\n' && is_unsafe_char(c)) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c != '\n' && is_unsafe_char(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_bidi_overrides_become_visible() {
        assert_eq!(printable("Dr. Amelia Okafor"), "Dr. Amelia Okafor");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert_eq!(
            printable("a\x1b[2K\x1b[1Ab\rc\u{9b}d"),
            "a\\u{1b}[2K\\u{1b}[1Ab\\u{d}c\\u{9b}d"
        );
        assert_eq!(printable("IP-\u{202e}71400"), "IP-\\u{202e}71400");
        assert_eq!(
            printable("x\u{2066}y\u{200b}z\u{7f}"),
            "x\\u{2066}y\\u{200b}z\\u{7f}"
        );
        assert_eq!(printable("é 😀 中"), "é 😀 中");
    }

    #[test]
    fn our_own_line_feeds_stay_in_lines_of_text() {
        assert_eq!(printable_lines("a\nb\x1b[Hc\n"), "a\nb\\u{1b}[Hc\n");
    }

    #[test]
    fn json_keeps_its_meaning() {
        let value = serde_json::json!({"name": "a\u{202e}b\u{9b}c\u{1b}"});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = json_for_terminal(&text);
        assert!(
            !safe.chars().any(|c| c != '\n' && is_unsafe_char(c)),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }
}
