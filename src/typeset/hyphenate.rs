//! Where words may break at the end of a line.
//!
//! Patterns come from the `hyphenation` crate (TeX patterns, embedded), one dictionary per
//! language, loaded on first use. The manuscript's own exceptions (`ta-ble`) win over the
//! patterns because the author knows names and terms the patterns do not. Short words, URL-like
//! tokens and anything outside letters are left whole: a broken URL or a two-letter stub at the
//! start of a line costs the reader more than a looser line.

use hyphenation::{Hyphenator as _, Language, Load, Standard};
// Lookups of short words on the hot path: a fast hash beats SipHash's flood protection here.
use rustc_hash::FxHashMap as HashMap;

/// Words shorter than this are never hyphenated.
const MIN_WORD: usize = 5;
/// Letters that must stay before and after a break.
const MIN_BEFORE: usize = 2;
const MIN_AFTER: usize = 3;

pub struct Hyphenator {
    dictionaries: HashMap<Language, Option<Standard>>,
    /// Lower-cased word → char indices where it may break.
    exceptions: HashMap<String, Vec<usize>>,
    /// Breaks already found, by language and token: running text repeats its words.
    found: HashMap<String, HashMap<String, Vec<usize>>>,
}

impl Hyphenator {
    /// `exceptions` are words with hyphens at the allowed breaks (`hy-phen-ation`).
    pub fn new(exceptions: &[String]) -> Self {
        let exceptions = exceptions
            .iter()
            .map(|written| {
                let mut breaks = Vec::new();
                let mut word = String::new();
                for c in written.chars() {
                    if c == '-' {
                        breaks.push(word.chars().count());
                    } else {
                        word.extend(c.to_lowercase());
                    }
                }
                (word, breaks)
            })
            .collect();
        Hyphenator {
            dictionaries: HashMap::default(),
            exceptions,
            found: HashMap::default(),
        }
    }

    /// Byte offsets in `word` where a hyphen may be inserted, for a word in `lang` (BCP 47).
    /// `word` is a single token as it stands in the text, maybe with punctuation around it.
    pub fn breaks(&mut self, word: &str, lang: &str) -> &[usize] {
        let known = self
            .found
            .get(lang)
            .is_some_and(|words| words.contains_key(word));
        if !known {
            let breaks = self.find(word, lang);
            self.found
                .entry(lang.to_string())
                .or_default()
                .insert(word.to_string(), breaks);
        }
        &self.found[lang][word]
    }

    fn find(&mut self, word: &str, lang: &str) -> Vec<usize> {
        if looks_like_url(word) {
            return Vec::new();
        }
        // The letters, without quotes or punctuation around them.
        let start = word
            .char_indices()
            .find(|(_, c)| c.is_alphabetic())
            .map_or(word.len(), |(i, _)| i);
        let end = word
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_alphabetic())
            .map_or(start, |(i, c)| i + c.len_utf8());
        if start >= end {
            return Vec::new();
        }
        let core = &word[start..end];
        // An apostrophe joins parts that hyphenate on their own: "government’s", "l’organisation".
        let mut breaks = Vec::new();
        let mut part_start = 0;
        for part in core.split(is_apostrophe) {
            // Parts with inner punctuation or digits (hyphenated compounds, "x2") break only
            // where they already have a hyphen.
            if !part.chars().all(char::is_alphabetic) {
                return Vec::new();
            }
            breaks.extend(
                self.part_breaks(part, lang)
                    .into_iter()
                    .map(|b| start + part_start + b),
            );
            // Past the part and the apostrophe after it.
            part_start += part.len();
            part_start += core[part_start..].chars().next().map_or(0, char::len_utf8);
        }
        breaks
    }

    /// Byte offsets where a run of letters may break: the exceptions', else the patterns',
    /// keeping the letters the rules ask for on each side.
    fn part_breaks(&mut self, part: &str, lang: &str) -> Vec<usize> {
        let letters: Vec<(usize, char)> = part.char_indices().collect();
        if letters.len() < MIN_WORD {
            return Vec::new();
        }
        let lower = part.to_lowercase();
        let char_breaks: Vec<usize> = match self.exceptions.get(&lower) {
            Some(breaks) => breaks.clone(),
            None => self.pattern_breaks(&lower, lang),
        };
        char_breaks
            .into_iter()
            .filter(|&i| i >= MIN_BEFORE && i + MIN_AFTER <= letters.len())
            .map(|i| letters[i].0)
            .collect()
    }

    /// Pattern breaks as char indices of the lower-cased word.
    fn pattern_breaks(&mut self, lower: &str, lang: &str) -> Vec<usize> {
        let Some(language) = language(lang) else {
            return Vec::new();
        };
        let dictionary = self
            .dictionaries
            .entry(language)
            .or_insert_with(|| Standard::from_embedded(language).ok());
        let Some(dictionary) = dictionary else {
            return Vec::new();
        };
        // Lower-casing can change byte lengths; only use words where it did not, so that byte
        // offsets from the dictionary map back one to one.
        dictionary
            .opportunities(lower)
            .into_iter()
            .filter_map(|byte| lower.get(..byte).map(|s| s.chars().count()))
            .collect()
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Tokens that are addresses rather than words.
fn looks_like_url(word: &str) -> bool {
    word.contains("://")
        || word.contains('@')
        || word.starts_with("www.")
        || word.contains('/')
        || word
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')'])
            .split('.')
            .filter(|part| !part.is_empty())
            .count()
            > 1
}

/// The hyphenation dictionary for a BCP 47 tag.
fn language(tag: &str) -> Option<Language> {
    let tag = tag.to_ascii_lowercase();
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next()?;
    let region = parts.next().unwrap_or("");
    Some(match (primary, region) {
        ("en", "gb" | "au" | "nz" | "ie" | "in" | "za") => Language::EnglishGB,
        ("en", _) => Language::EnglishUS,
        ("es", _) => Language::Spanish,
        ("fr", _) => Language::French,
        ("de", "ch") => Language::GermanSwiss,
        ("de", _) => Language::German1996,
        ("it", _) => Language::Italian,
        ("pt", _) => Language::Portuguese,
        ("ca", _) => Language::Catalan,
        ("nl", _) => Language::Dutch,
        ("da", _) => Language::Danish,
        ("sv", _) => Language::Swedish,
        ("nb" | "no", _) => Language::NorwegianBokmal,
        ("nn", _) => Language::NorwegianNynorsk,
        ("fi", _) => Language::Finnish,
        ("pl", _) => Language::Polish,
        ("cs", _) => Language::Czech,
        ("ru", _) => Language::Russian,
        ("la", _) => Language::Latin,
        ("gl", _) => Language::Galician,
        ("eu", _) => Language::Basque,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(h: &mut Hyphenator, word: &str, lang: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut last = 0;
        for &b in h.breaks(word, lang) {
            out.push(word[last..b].to_string());
            last = b;
        }
        out.push(word[last..].to_string());
        out
    }

    #[test]
    fn patterns_break_long_words() {
        let mut h = Hyphenator::new(&[]);
        assert_eq!(
            pieces(&mut h, "hyphenation", "en"),
            ["hy", "phen", "a", "tion"]
        );
    }

    #[test]
    fn exceptions_win_over_patterns() {
        let mut h = Hyphenator::new(&["hyphena-tion".to_string(), "ta-ble".to_string()]);
        assert_eq!(pieces(&mut h, "Hyphenation,", "en"), ["Hyphena", "tion,"]);
        assert_eq!(pieces(&mut h, "table", "en"), ["ta", "ble"]);
    }

    #[test]
    fn words_joined_by_an_apostrophe_break_in_their_parts() {
        let mut h = Hyphenator::new(&[]);
        assert_eq!(
            pieces(&mut h, "government\u{2019}s", "en"),
            ["gov", "ern", "ment\u{2019}s"]
        );
        assert_eq!(pieces(&mut h, "nation's", "en"), ["na", "tion's"]);
        assert_eq!(
            pieces(&mut h, "l\u{2019}organisation", "fr"),
            ["l\u{2019}or", "ga", "ni", "sa", "tion"]
        );
    }

    #[test]
    fn short_words_urls_and_unknown_languages_stay_whole() {
        let mut h = Hyphenator::new(&[]);
        assert!(h.breaks("four", "en").is_empty());
        assert!(h
            .breaks("https://example.org/documentation", "en")
            .is_empty());
        assert!(h.breaks("example.org", "en").is_empty());
        assert!(h.breaks("hyphenation", "xx").is_empty());
    }

    #[test]
    fn keeps_two_letters_before_and_three_after() {
        let mut h = Hyphenator::new(&[]);
        for lang in ["en", "es", "de", "fr"] {
            for word in [
                "Revolución",
                "Unabhängigkeit",
                "gouvernement",
                "electricity",
            ] {
                let letters: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
                for &b in h.breaks(word, lang) {
                    let index = letters.iter().position(|&i| i == b).unwrap();
                    assert!(index >= 2 && letters.len() - index >= 3, "{word} at {b}");
                }
            }
        }
    }
}
