//! What counts as text, the same for every stage and format.

/// Text with nothing to show: only white space, control characters and noncharacters. XML
/// cannot hold the last two, so an EPUB would drop them and be left with an empty title,
/// heading or description, which it may not have.
pub fn is_blank(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_whitespace() || c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}'))
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
