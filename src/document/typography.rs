//! Smart punctuation per language: quotes, apostrophes, dashes and ellipses.
//!
//! This lives in the document stage, not in a renderer, so that the EPUB and the PDF print the
//! same characters. Straight quotes are decided open or close by the character before them,
//! carried across inline boundaries (`"*word*"` still pairs up), and code is never touched.

use super::Inline;

/// The quotation marks of a language: primary pair, secondary pair, and whether the marks take
/// a narrow no-break space inside them (French).
struct Quotes {
    double: (&'static str, &'static str),
    single: (&'static str, &'static str),
    spaced: bool,
}

fn quotes_for(lang: &str) -> Quotes {
    let primary = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.as_str() {
        "es" | "it" | "ca" | "gl" | "pt" | "ru" | "uk" | "el" => Quotes {
            double: ("«", "»"),
            single: ("“", "”"),
            spaced: false,
        },
        "fr" => Quotes {
            double: ("«", "»"),
            single: ("“", "”"),
            spaced: true,
        },
        "de" | "cs" | "sk" | "sl" | "hr" | "bg" | "lt" | "et" | "is" => Quotes {
            double: ("„", "“"),
            single: ("‚", "‘"),
            spaced: false,
        },
        "pl" | "hu" | "ro" | "nl" => Quotes {
            double: ("„", "”"),
            single: ("‚", "’"),
            spaced: false,
        },
        "sv" | "fi" => Quotes {
            double: ("”", "”"),
            single: ("’", "’"),
            spaced: false,
        },
        "da" => Quotes {
            double: ("»", "«"),
            single: ("›", "‹"),
            spaced: false,
        },
        _ => Quotes {
            double: ("“", "”"),
            single: ("‘", "’"),
            spaced: false,
        },
    }
}

const NNBSP: char = '\u{202F}';

/// Applies smart punctuation to a run of inlines in language `lang`.
pub fn apply(inlines: &mut [Inline], lang: &str) {
    let mut prev = None;
    walk(inlines, lang, &mut prev);
}

/// Applies smart punctuation to a plain string (alt text, credits, metadata).
pub fn text(s: &str, lang: &str) -> String {
    let mut prev = None;
    convert(s, &quotes_for(lang), &mut prev)
}

fn walk(inlines: &mut [Inline], lang: &str, prev: &mut Option<char>) {
    for inline in inlines {
        match inline {
            Inline::Text(t) => *t = convert(t, &quotes_for(lang), prev),
            Inline::Code(t) => *prev = t.chars().last(),
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Strikethrough(c)
            | Inline::Superscript(c)
            | Inline::Subscript(c)
            | Inline::Link { content: c, .. } => walk(c, lang, prev),
            Inline::Lang { lang, content } => {
                let lang = lang.clone();
                walk(content, &lang, prev)
            }
            Inline::LineBreak => *prev = Some(' '),
            Inline::Image { .. } | Inline::NoteRef(_) => *prev = Some('x'),
        }
    }
}

fn opens(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => c.is_whitespace() || "([{‹«“‘„‚—–-/\u{a0}".contains(c),
    }
}

fn convert(s: &str, q: &Quotes, prev: &mut Option<char>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '"' => {
                if opens(*prev) {
                    out.push_str(q.double.0);
                    if q.spaced {
                        out.push(NNBSP);
                        while chars.get(i + 1).is_some_and(|c| *c == ' ') {
                            i += 1;
                        }
                    }
                } else {
                    if q.spaced {
                        while out.ends_with(' ') {
                            out.pop();
                        }
                        out.push(NNBSP);
                    }
                    out.push_str(q.double.1);
                }
            }
            '\'' => {
                let prev_alnum = prev.is_some_and(char::is_alphanumeric);
                if prev_alnum {
                    // Apostrophe (l'état, don't) or a closing quote after a word: both ’ in the
                    // languages where they coincide; a closing secondary quote elsewhere only
                    // when no letter follows.
                    if next.is_some_and(char::is_alphanumeric) || q.single.1 == "’" {
                        out.push('’');
                    } else {
                        out.push_str(q.single.1);
                    }
                } else if opens(*prev) && !next.is_some_and(|n| n.is_ascii_digit()) {
                    out.push_str(q.single.0);
                } else if opens(*prev) {
                    out.push('’'); // '70s
                } else {
                    out.push_str(q.single.1);
                }
            }
            '-' if next == Some('-') => {
                if chars.get(i + 2) == Some(&'-') {
                    out.push('—');
                    i += 2;
                } else {
                    out.push('–');
                    i += 1;
                }
            }
            '.' if next == Some('.') && chars.get(i + 2) == Some(&'.') => {
                out.push('…');
                i += 2;
            }
            ' ' if q.spaced && matches!(next, Some(';' | ':' | '!' | '?' | '»')) => {
                out.push(NNBSP)
            }
            '«' if q.spaced && next != Some(NNBSP) => {
                out.push('«');
                out.push(NNBSP);
                while chars.get(i + 1).is_some_and(|c| *c == ' ') {
                    i += 1;
                }
            }
            _ => out.push(c),
        }
        *prev = out.chars().last().or(*prev);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english() {
        assert_eq!(
            text(r#""Hello," she said -- 'don't' ... 1970--73---now"#, "en"),
            "“Hello,” she said – ‘don’t’ … 1970–73—now"
        );
    }

    #[test]
    fn spanish_and_german() {
        assert_eq!(
            text(r#"Dijo "basta 'ya'" hoy"#, "es"),
            "Dijo «basta “ya”» hoy"
        );
        assert_eq!(text(r#"Er sagte "nein""#, "de-DE"), "Er sagte „nein“");
    }

    #[test]
    fn french_spacing() {
        assert_eq!(
            text(r#"Il dit "oui" ! L'état ?"#, "fr"),
            "Il dit «\u{202F}oui\u{202F}»\u{202F}! L’état\u{202F}?"
        );
    }

    #[test]
    fn quotes_pair_across_inlines() {
        let mut inlines = vec![
            Inline::Text("\"".into()),
            Inline::Emphasis(vec![Inline::Text("word".into())]),
            Inline::Text("\"".into()),
        ];
        apply(&mut inlines, "en");
        assert_eq!(Inline::plain_text(&inlines), "“word”");
    }
}
