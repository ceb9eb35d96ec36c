//! Document-wide unique ids. Every output addresses elements by id (EPUB fragments, PDF
//! destinations), so ids are unique across all chapters, not just within one.

use std::collections::HashSet;

#[derive(Debug, Default)]
pub struct Ids {
    used: HashSet<String>,
}

impl Ids {
    /// Claims an id the author wrote; `false` when it is already taken.
    pub fn claim(&mut self, id: &str) -> bool {
        self.used.insert(id.to_string())
    }

    /// A fresh id based on `base`: `base`, `base-2`, `base-3`, …
    pub fn fresh(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "section" } else { base };
        let mut id = base.to_string();
        let mut n = 2;
        while self.used.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.used.insert(id.clone());
        id
    }
}

/// Text to an id: lower case letters and digits of any script, words joined by hyphens, never
/// starting with a digit (XML ids may not).
pub fn from_text(text: &str) -> String {
    let mut id = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            id.push(c);
        } else if (c.is_whitespace() || c == '-' || c == '_')
            && !id.is_empty()
            && !id.ends_with('-')
        {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_string();
    match id.chars().next() {
        None => String::new(),
        Some(c) if c.is_alphabetic() => id,
        Some(_) => format!("s-{id}"),
    }
}

/// Whether an author-written id is a valid XML name we can use as is.
pub fn is_valid(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_text() {
        assert_eq!(from_text("The coup!"), "the-coup");
        assert_eq!(from_text("1973: año"), "s-1973-año");
        let mut ids = Ids::default();
        assert_eq!(ids.fresh("a"), "a");
        assert_eq!(ids.fresh("a"), "a-2");
        assert!(!ids.claim("a"));
        assert!(is_valid("fig-1") && !is_valid("1fig") && !is_valid("a b"));
    }
}
