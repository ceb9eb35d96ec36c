//! What counts as text, the same for every stage and format.

/// Text with nothing to show: only white space, control characters and noncharacters. XML
/// cannot hold most of the last two, so an EPUB would drop them and be left with an empty
/// title, heading or description, which it may not have.
pub fn is_blank(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_whitespace() || c.is_control() || not_in_xml(c))
}

/// Control characters but line ends and tabs, and these noncharacters: XML 1.0 does not
/// allow them (a title may hold one as a YAML escape, `\x01`).
fn not_in_xml(c: char) -> bool {
    ((c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// Escapes text for XML content and attribute values (XHTML, SVG, the package). What XML
/// cannot hold is left out; `missing-glyph` reports it where it was written.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if not_in_xml(c) => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_blank;

    #[test]
    fn blank_is_what_no_format_shows() {
        for blank in ["", " ", "\n\t", "\u{1}", " \u{7f} \u{fffe}"] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for text in ["a", " a\u{1}", "\u{200b}", "·"] {
            assert!(!is_blank(text), "{text:?}");
        }
    }
}
