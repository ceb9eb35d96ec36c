//! The publisher's catalogue: with several sites in one output folder, `index.html` lists every
//! publication (its cover, description, language and downloads) and `feed.xml` is an Atom feed
//! of them, newest first. Each site leaves a [`Card`] in the build cache, so the catalogue of
//! a build that rebuilt one manuscript (or none) still lists them all without reading any.

use crate::epub::xhtml::esc;
use crate::locale::{label, Label};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// What the catalogue says of one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub lang: String,
    pub date: Option<String>,
    pub description: Option<String>,
    pub publisher: Option<String>,
    pub identifier: String,
    /// Seconds since 1970 (`SOURCE_DATE_EPOCH`, else the date): the feed's `updated`.
    pub modified: i64,
    pub base_url: Option<String>,
    /// The cover under the site's `images/`: file name, width, height, alternative text.
    pub cover: Option<(String, u32, u32, String)>,
    /// The editions beside the site: what the link says, the file.
    pub downloads: Vec<(String, String)>,
}

/// Newest first (by date as written, then modification), then by title and slug.
fn ordered(cards: &[Card]) -> Vec<&Card> {
    let mut cards: Vec<&Card> = cards.iter().collect();
    cards.sort_by(|a, b| {
        (b.date.as_deref(), b.modified)
            .cmp(&(a.date.as_deref(), a.modified))
            .then_with(|| (&a.title, &a.slug).cmp(&(&b.title, &b.slug)))
    });
    cards
}

/// The language most of the publications are in (the first, on a tie), for the page itself.
fn main_lang(cards: &[&Card]) -> String {
    let mut best = ("en", 0);
    for c in cards {
        let n = cards.iter().filter(|d| d.lang == c.lang).count();
        if n > best.1 {
            best = (&c.lang, n);
        }
    }
    best.0.to_string()
}

/// Who publishes the catalogue: the first publisher named.
fn publisher(cards: &[&Card]) -> Option<String> {
    cards.iter().find_map(|c| c.publisher.clone())
}

/// `DIR/index.html`.
pub fn index(cards: &[Card]) -> String {
    let cards = ordered(cards);
    let lang = main_lang(&cards);
    let heading = label(&lang, Label::Publications);
    let title = match publisher(&cards) {
        Some(p) => format!("{heading} · {p}"),
        None => heading.to_string(),
    };
    let mut o = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<link rel=\"alternate\" type=\"application/atom+xml\" href=\"feed.xml\" title=\"{}\">\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<ul class=\"catalogue\">\n",
        esc(&lang),
        esc(&title),
        esc(&title),
        esc(&title)
    );
    for c in &cards {
        let lang = if c.lang == lang {
            String::new()
        } else {
            format!(" lang=\"{}\"", esc(&c.lang))
        };
        let _ = writeln!(o, "<li{lang}>");
        if let Some((file, width, height, alt)) = &c.cover {
            let _ = writeln!(
                o,
                "<img src=\"{}/images/{}\" alt=\"{}\" width=\"{width}\" height=\"{height}\" loading=\"lazy\">",
                esc(&c.slug),
                esc(file),
                esc(alt)
            );
        }
        let _ = writeln!(
            o,
            "<h2><a href=\"{}/\">{}</a></h2>",
            esc(&c.slug),
            esc(&c.title)
        );
        if let Some(sub) = &c.subtitle {
            let _ = writeln!(o, "<p class=\"subtitle\">{}</p>", esc(sub));
        }
        let mut line: Vec<String> = Vec::new();
        if !c.authors.is_empty() {
            line.push(esc(&c.authors.join(", ")));
        }
        line.extend(c.date.as_deref().map(esc));
        line.push(esc(&language_name(&c.lang)));
        let _ = writeln!(o, "<p class=\"byline\">{}</p>", line.join(" · "));
        if let Some(d) = &c.description {
            let _ = writeln!(o, "<p>{}</p>", esc(d));
        }
        if !c.downloads.is_empty() {
            let links: Vec<String> = c
                .downloads
                .iter()
                .map(|(name, file)| format!("<a href=\"{}\" download>{}</a>", esc(file), esc(name)))
                .collect();
            let _ = writeln!(
                o,
                "<p class=\"downloads\">{}: {}</p>",
                label(&c.lang, Label::Download),
                links.join(" · ")
            );
        }
        o.push_str("</li>\n");
    }
    o.push_str(
        "</ul>\n</main>\n<footer><p><a href=\"feed.xml\">Atom</a></p></footer>\n</body>\n</html>\n",
    );
    o
}

/// Rules of the catalogue page, which has no fonts of its own.
const CSS: &str = "body { font-family: Georgia, \"Linux Libertine O\", serif; line-height: 1.45; max-width: 42em; margin: 0 auto; padding: 0 1rem; color: #1b1b1b; background: #fff; overflow-wrap: break-word; }
a { color: #1b1b1b; }
.catalogue { list-style: none; padding: 0; }
.catalogue li { margin: 0 0 2.5em; display: flow-root; }
.catalogue img { float: left; width: 7em; height: auto; margin: 0.3em 1.2em 0.5em 0; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.25); }
.catalogue h2 { margin: 0 0 0.2em; font-size: 1.35em; }
.catalogue p { margin: 0.3em 0; }
.subtitle { font-style: italic; }
.byline, .downloads { font-size: 0.9em; }
";

/// `DIR/feed.xml`: an Atom feed of the publications, newest first.
pub fn feed(cards: &[Card]) -> String {
    let cards = ordered(cards);
    let lang = main_lang(&cards);
    let base = cards.iter().find_map(|c| c.base_url.clone());
    let heading = label(&lang, Label::Publications);
    let title = match publisher(&cards) {
        Some(p) => format!("{heading} · {p}"),
        None => heading.to_string(),
    };
    let updated = cards.iter().map(|c| c.modified).max().unwrap_or(0);
    // An address that stays the feed's own as publications come and go.
    let id = match &base {
        Some(base) => base.clone(),
        None => {
            let mut slugs: Vec<&str> = cards.iter().map(|c| c.slug.as_str()).collect();
            slugs.sort();
            format!(
                "urn:uuid:{}",
                uuid::Uuid::new_v5(
                    &uuid::Uuid::NAMESPACE_URL,
                    format!(
                        "roneo-feed:{}",
                        publisher(&cards).unwrap_or_else(|| slugs.join(","))
                    )
                    .as_bytes()
                )
            )
        }
    };
    let mut o = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n<title>{}</title>\n<id>{}</id>\n<updated>{}</updated>\n<author><name>{}</name></author>\n",
        esc(&lang),
        esc(&title),
        esc(&id),
        rfc3339(updated),
        esc(&publisher(&cards).unwrap_or_else(|| heading.to_string()))
    );
    if let Some(base) = &base {
        let _ = writeln!(
            o,
            "<link rel=\"self\" href=\"{0}feed.xml\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{0}\"/>",
            esc(&folder(base))
        );
    }
    for c in &cards {
        let href = match &c.base_url {
            Some(base) => format!("{}{}/", folder(base), c.slug),
            None => format!("{}/", c.slug),
        };
        let _ = writeln!(
            o,
            "<entry xml:lang=\"{}\">\n<title>{}</title>\n<id>{}</id>\n<updated>{}</updated>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            esc(&c.lang),
            esc(&c.title),
            esc(&c.identifier),
            rfc3339(c.modified),
            esc(&href)
        );
        for a in &c.authors {
            let _ = writeln!(o, "<author><name>{}</name></author>", esc(a));
        }
        if let Some(d) = &c.description {
            let _ = writeln!(o, "<summary>{}</summary>", esc(d));
        } else if let Some(s) = &c.subtitle {
            let _ = writeln!(o, "<summary>{}</summary>", esc(s));
        }
        o.push_str("</entry>\n");
    }
    o.push_str("</feed>\n");
    o
}

/// `base` as a folder: with its closing slash.
fn folder(base: &str) -> String {
    if base.ends_with('/') {
        base.to_string()
    } else {
        format!("{base}/")
    }
}

fn rfc3339(t: i64) -> String {
    let (y, mo, d, h, mi, s) = crate::date::civil(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// A language as its speakers name it, for the common ones; else its tag.
fn language_name(tag: &str) -> String {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or(tag)
        .to_ascii_lowercase();
    let name = match primary.as_str() {
        "en" => "English",
        "es" => "Español",
        "fr" => "Français",
        "de" => "Deutsch",
        "it" => "Italiano",
        "pt" => "Português",
        "ca" => "Català",
        "nl" => "Nederlands",
        "ru" => "Русский",
        "ar" => "العربية",
        "he" => "עברית",
        "tr" => "Türkçe",
        "el" => "Ελληνικά",
        "pl" => "Polski",
        _ => return tag.to_string(),
    };
    name.to_string()
}
