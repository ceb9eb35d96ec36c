//! Language tags: BCP 47 shape and a known primary language.

use crate::diagnostic::{Diagnostic, Diagnostics, Location};

/// ISO 639-1 two-letter codes.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// Why a tag cannot be used, or `None` when it is fine.
pub fn problem(tag: &str) -> Option<&'static str> {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let shaped = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !shaped {
        return Some("is not a language tag");
    }
    // Three-letter ISO 639-2/3 codes are too many to list; two-letter ones are checked.
    if primary.len() == 2
        && !ISO_639_1
            .split(' ')
            .any(|c| c.eq_ignore_ascii_case(primary))
    {
        return Some("is not a known language");
    }
    None
}

/// Reports a language tag that is malformed (`invalid-lang`) or names no known language
/// (`unknown-lang`) at `at`.
pub fn check(tag: &str, at: &Location, diags: &mut Diagnostics) {
    if let Some(problem) = problem(tag) {
        let code = if problem.contains("known") {
            "unknown-lang"
        } else {
            "invalid-lang"
        };
        diags.push(
            Diagnostic::error(code, format!("'{tag}' {problem}"))
                .at(at.clone())
                .help("use a BCP 47 tag such as `en`, `es`, `fr-CA` or `pt-BR`"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tags() {
        assert_eq!(super::problem("en"), None);
        assert_eq!(super::problem("pt-BR"), None);
        assert_eq!(super::problem("zh-Hant-TW"), None);
        assert_eq!(super::problem("xx"), Some("is not a known language"));
        assert_eq!(super::problem("english"), Some("is not a language tag"));
    }
}

/// Whether the language's script is written right to left (Arabic, Hebrew, Persian, Urdu, …),
/// unless the tag names another script (`az-Latn`).
pub fn is_rtl(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("").to_ascii_lowercase();
    let script = parts.find(|p| p.len() == 4).map(|s| s.to_ascii_lowercase());
    match script.as_deref() {
        Some("arab" | "hebr" | "syrc" | "thaa" | "nkoo" | "adlm" | "rohg") => true,
        Some(_) => false,
        None => matches!(
            primary.as_str(),
            "ar" | "he"
                | "iw"
                | "fa"
                | "ur"
                | "yi"
                | "ps"
                | "sd"
                | "ug"
                | "dv"
                | "ckb"
                | "syr"
                | "prs"
                | "arz"
                | "apc"
                | "ary"
                | "arq"
                | "lrc"
                | "mzn"
                | "glk"
                | "bal"
        ),
    }
}
