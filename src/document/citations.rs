//! Citations: pandoc's `[@key]` syntax in the text, rendered by hayagriva with a CSL style.
//!
//! The document stage finds citations as it reads each chapter's text ([`scan`]) and leaves a
//! placeholder for each (in a note style, a footnote holding one). Once every chapter is read,
//! [`Engine::render`] gives every citation its formatted text, in reading order (so that
//! "ibid." and disambiguation see the citations as a reader does), links each cited item to
//! its entry in the reference list, and sets that list where a `::: {#refs}` div stands or at
//! the end. The back ends see only links, notes and a [`Block::Bibliography`].

use super::ids::{self, Ids};
use super::{BibEntry, Bibliography, Block, Chapter, Heading, Inline, LinkTarget};
use crate::diagnostic::{Diagnostic, Diagnostics, LineIndex, Location};
use crate::manuscript::{Dependencies, Manuscript};
use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{IndependentStyle, Locale, LocaleCode, Style, StyleClass};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, CitePurpose, ElemChild,
    ElemMeta, Entry, Library, LocatorPayload, SpecificLocator,
};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The style used when the manuscript names none: pandoc's default.
pub const DEFAULT_STYLE: &str = "chicago-author-date";

/// The id prefix of a citation's placeholder link (never a valid id, so never an author's).
const PLACEHOLDER: &str = "\u{0}cite";

/// A citation as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub items: Vec<WrittenItem>,
    /// `@key` in running text (the author named in the sentence), not in brackets.
    pub in_text: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WrittenItem {
    pub key: String,
    /// Byte offset of the item's `@` in the scanned text.
    pub at: usize,
    /// `see` in `[see @a]`.
    pub prefix: String,
    /// `p. 33` in `[@a, p. 33]`: the locator's kind and value.
    pub locator: Option<(Locator, String)>,
    /// What follows the key and the locator (`and passim`).
    pub suffix: String,
    /// `-@a`: the author is named in the sentence; the citation gives only the year.
    pub suppress_author: bool,
}

/// A citation found in a text: the bytes it spans and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub range: Range<usize>,
    pub cite: Written,
}

/// Finds the citations in `text`. `syntax(i)` says whether byte `i` was written as it
/// stands (not an escape such as `\[` or `\@`, which never start a citation).
pub fn scan(text: &str, syntax: impl Fn(usize) -> bool) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' if syntax(i) => {
                if let Some(end) = text[i + 1..].find(']').map(|e| i + 1 + e) {
                    let inner = &text[i + 1..end];
                    if !inner.contains('[') {
                        if let Some(items) = bracketed(inner, i + 1, &syntax) {
                            found.push(Found {
                                range: i..end + 1,
                                cite: Written {
                                    items,
                                    in_text: false,
                                },
                            });
                            i = end + 1;
                            continue;
                        }
                    }
                }
            }
            b'@' if syntax(i)
                && text[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !is_key_char(c)) =>
            {
                if let Some((key, len)) = key_at(&text[i + 1..]) {
                    let mut end = i + 1 + len;
                    let mut item = WrittenItem {
                        key,
                        at: i,
                        prefix: String::new(),
                        locator: None,
                        suffix: String::new(),
                        suppress_author: false,
                    };
                    // `@a [p. 33]`: a locator for the author named in the text.
                    if let Some(rest) = text[end..].strip_prefix(" [") {
                        if let Some(close) = rest.find(']') {
                            let inner = &rest[..close];
                            if !inner.contains(['@', '[']) && !inner.trim().is_empty() {
                                let (locator, suffix) = locator(inner);
                                item.locator = locator;
                                item.suffix = suffix;
                                end += 2 + close + 1;
                            }
                        }
                    }
                    found.push(Found {
                        range: i..end,
                        cite: Written {
                            items: vec![item],
                            in_text: true,
                        },
                    });
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    found
}

/// The items of `[…]`'s content (starting at byte `base`), when every `;`-separated part
/// cites one key.
fn bracketed(
    inner: &str,
    base: usize,
    syntax: &impl Fn(usize) -> bool,
) -> Option<Vec<WrittenItem>> {
    let mut items = Vec::new();
    let mut start = 0;
    for part in inner.split(';') {
        let offset = start;
        start += part.len() + 1;
        // The key's `@`: at the start of the part or after a space, or `-@`.
        let at = part.char_indices().find_map(|(j, c)| {
            let before = part[..j].chars().next_back();
            (c == '@'
                && syntax(base + offset + j)
                && before.is_none_or(|b| b.is_whitespace() || b == '-'))
            .then_some(j)
        })?;
        let (key, len) = key_at(&part[at + 1..])?;
        let mut prefix = &part[..at];
        let suppress_author = prefix.ends_with('-')
            && prefix[..prefix.len() - 1]
                .chars()
                .next_back()
                .is_none_or(char::is_whitespace);
        if suppress_author {
            prefix = &prefix[..prefix.len() - 1];
        }
        let (locator, suffix) = locator(&part[at + 1 + len..]);
        items.push(WrittenItem {
            key,
            at: base + offset + at,
            prefix: prefix.trim().to_string(),
            locator,
            suffix,
            suppress_author,
        });
    }
    Some(items)
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A citation key at the start of `s` and its length in bytes: `{anything but braces}`, or
/// letters, digits and `_` with internal punctuation (`:.#$%&-+?<>~/`), as pandoc reads
/// them; punctuation at the end belongs to the sentence.
fn key_at(s: &str) -> Option<(String, usize)> {
    if let Some(rest) = s.strip_prefix('{') {
        let close = rest.find('}')?;
        let key = rest[..close].trim();
        return (!key.is_empty()).then(|| (key.to_string(), close + 2));
    }
    let mut end = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_key_char(c) {
            end = i + c.len_utf8();
        } else if ":.#$%&-+?<>~/".contains(c)
            && end > 0
            && chars.peek().is_some_and(|&(_, n)| is_key_char(n))
        {
            continue;
        } else {
            break;
        }
    }
    (end > 0).then(|| (s[..end].to_string(), end))
}

/// The locator terms pandoc knows (English and a few of other languages), longest first
/// within each kind.
const TERMS: &[(&str, Locator)] = &[
    ("pages", Locator::Page),
    ("page", Locator::Page),
    ("pp.", Locator::Page),
    ("p.", Locator::Page),
    ("págs.", Locator::Page),
    ("pág.", Locator::Page),
    ("chapters", Locator::Chapter),
    ("chapter", Locator::Chapter),
    ("chaps.", Locator::Chapter),
    ("chap.", Locator::Chapter),
    ("ch.", Locator::Chapter),
    ("caps.", Locator::Chapter),
    ("cap.", Locator::Chapter),
    ("sections", Locator::Section),
    ("section", Locator::Section),
    ("secs.", Locator::Section),
    ("sec.", Locator::Section),
    ("§§", Locator::Section),
    ("§", Locator::Section),
    ("paragraphs", Locator::Paragraph),
    ("paragraph", Locator::Paragraph),
    ("paras.", Locator::Paragraph),
    ("para.", Locator::Paragraph),
    ("¶¶", Locator::Paragraph),
    ("¶", Locator::Paragraph),
    ("volumes", Locator::Volume),
    ("volume", Locator::Volume),
    ("vols.", Locator::Volume),
    ("vol.", Locator::Volume),
    ("books", Locator::Book),
    ("book", Locator::Book),
    ("bk.", Locator::Book),
    ("parts", Locator::Part),
    ("part", Locator::Part),
    ("pt.", Locator::Part),
    ("figures", Locator::Figure),
    ("figure", Locator::Figure),
    ("figs.", Locator::Figure),
    ("fig.", Locator::Figure),
    ("lines", Locator::Line),
    ("line", Locator::Line),
    ("ll.", Locator::Line),
    ("l.", Locator::Line),
    ("notes", Locator::Note),
    ("note", Locator::Note),
    ("nn.", Locator::Note),
    ("n.", Locator::Note),
    ("columns", Locator::Column),
    ("column", Locator::Column),
    ("cols.", Locator::Column),
    ("col.", Locator::Column),
    ("verses", Locator::Verse),
    ("verse", Locator::Verse),
    ("vv.", Locator::Verse),
    ("v.", Locator::Verse),
    ("folios", Locator::Folio),
    ("folio", Locator::Folio),
    ("fols.", Locator::Folio),
    ("fol.", Locator::Folio),
    ("issues", Locator::Issue),
    ("issue", Locator::Issue),
    ("no.", Locator::Issue),
];

/// Splits what follows a key (`, p. 33 and passim`) into the locator and the suffix.
fn locator(after: &str) -> (Option<(Locator, String)>, String) {
    let text = after.trim_start();
    let text = text.strip_prefix(',').unwrap_or(text).trim_start();
    let lower = text.to_lowercase();
    let (kind, rest) = match TERMS.iter().find(|(term, _)| {
        lower.starts_with(term)
            && lower[term.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_whitespace() || c.is_ascii_digit())
    }) {
        Some((term, kind)) => (
            Some(*kind),
            text.get(term.len()..).unwrap_or("").trim_start(),
        ),
        None => (None, text),
    };
    // The value: numbers, roman numerals and ranges, separated by commas or spaces.
    let mut value_end = 0;
    let mut pos = 0;
    for token in rest.split_inclusive(char::is_whitespace) {
        let word = token.trim_end().trim_end_matches(',');
        let numeric = !word.is_empty()
            && word.chars().any(|c| c.is_ascii_digit())
            && word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-–—:.,".contains(c));
        let roman = kind.is_some()
            && !word.is_empty()
            && word.chars().all(|c| "ivxlcdmIVXLCDM".contains(c));
        if !(numeric || roman) {
            break;
        }
        pos += token.len();
        value_end = pos - (token.len() - token.trim_end().trim_end_matches(',').len());
    }
    if value_end == 0 {
        // No value: everything after the key is the suffix (`[@a, and elsewhere]`).
        return (
            None,
            after.trim().trim_start_matches(',').trim().to_string(),
        );
    }
    let value = rest[..value_end].trim().to_string();
    let suffix = rest[value_end..]
        .trim_start()
        .trim_start_matches(',')
        .trim()
        .to_string();
    (Some((kind.unwrap_or(Locator::Page), value)), suffix)
}

/// The bibliography, the style and the locale of one manuscript, and the citations met so far.
pub struct Engine {
    library: Library,
    /// Each entry's key, in the order the files list them, for suggestions.
    keys: Vec<String>,
    style: IndependentStyle,
    locales: Vec<Locale>,
    locale: LocaleCode,
    /// `reference-section-title:`, if set.
    title: Option<String>,
    nocite: Vec<String>,
    /// The bibliography and style files read (the build cache's dependencies).
    pub dependencies: Dependencies,
    citations: Vec<Pending>,
    /// The file each key is defined in, for messages about its entry.
    defined_in: HashMap<String, PathBuf>,
    /// Keys whose entries were checked for the fields a style needs.
    checked: std::collections::HashSet<String>,
}

/// A citation waiting for every chapter to be read.
struct Pending {
    cite: Written,
    /// Inside a footnote the author wrote (a note style then sets it in the note's text).
    in_note: bool,
}

impl Engine {
    /// Reads the manuscript's bibliography files and style; `None` when it names no
    /// bibliography, or when one cannot be used (errors in `diags`).
    pub fn load(m: &Manuscript, lang: &str, diags: &mut Diagnostics) -> Option<Engine> {
        let fm = &m.front;
        if fm.bibliography.is_empty() {
            return None;
        }
        let at = Location::new(&m.index_path, fm.line_of("bibliography"), 1);
        let base = m.index_path.parent().unwrap_or(Path::new("."));
        let mut dependencies = Dependencies::default();
        let mut library = Library::new();
        let mut keys = Vec::new();
        let mut first_defined: HashMap<String, PathBuf> = HashMap::new();
        let mut ok = true;
        for name in &fm.bibliography {
            let path = base.join(name);
            dependencies.file(&path);
            let Some(file) = read_bibliography(&path, name, &at, diags) else {
                ok = false;
                continue;
            };
            for entry in file.iter() {
                let key = entry.key().to_string();
                if let Some(first) = first_defined.get(&key) {
                    diags.push(
                        Diagnostic::error(
                            "duplicate-citation-key",
                            format!("citation key '{key}' is defined in {} and again in {}", first.display(), path.display()),
                        )
                        .at(Location::new(&path, key_line(&path, &key), 1))
                        .help("each key may name one entry: delete one of them, or rename it and the citations that mean it"),
                    );
                    ok = false;
                    continue;
                }
                first_defined.insert(key.clone(), path.clone());
                keys.push(key);
                library.push(entry);
            }
        }
        let style = load_style(m, &mut dependencies, diags);
        let (style, true) = (style?, ok) else {
            return None;
        };
        for key in &fm.nocite {
            if key != "*" && library.get(key).is_none() {
                diags.push(unknown_key(
                    key,
                    &keys,
                    Location::new(&m.index_path, fm.line_of("nocite"), 1),
                ));
            }
        }
        Some(Engine {
            library,
            keys,
            style,
            locales: locales(lang),
            locale: LocaleCode(lang.to_string()),
            title: fm.reference_section_title.clone(),
            nocite: fm.nocite.clone(),
            dependencies,
            citations: Vec::new(),
            defined_in: first_defined,
            checked: Default::default(),
        })
    }

    /// Whether the style sets citations in footnotes.
    pub fn notes(&self) -> bool {
        self.style.settings.class == StyleClass::Note
    }

    /// Records a citation found at `item_at` (one place per item), returning its number for
    /// [`placeholder`]. A key the bibliography lacks is an error there.
    pub fn cite(
        &mut self,
        cite: Written,
        item_at: &[Location],
        in_note: bool,
        diags: &mut Diagnostics,
    ) -> usize {
        for (item, at) in cite.items.iter().zip(item_at) {
            match self.library.get(&item.key) {
                None => diags.push(unknown_key(&item.key, &self.keys, at.clone())),
                Some(entry) if self.checked.insert(item.key.clone()) => {
                    let missing = missing_fields(entry);
                    if !missing.is_empty() {
                        let file = &self.defined_in[&item.key];
                        diags.push(
                            Diagnostic::warning(
                                "incomplete-entry",
                                format!("entry '{}' has no {}; the citation style prints it without", item.key, missing.join(" and no ")),
                            )
                            .at(Location::new(file, key_line(file, &item.key), 1))
                            .help("add the field to the entry (BibTeX: `title = {…}`, `year = {…}`, `author = {Family, Given}`)"),
                        );
                    }
                }
                Some(_) => {}
            }
        }
        self.citations.push(Pending { cite, in_note });
        self.citations.len() - 1
    }

    /// Formats every citation and sets the reference list: in the `::: {#refs}` div when the
    /// text has one, else after the last chapter's text under a heading of its own.
    pub fn render(
        self,
        chapters: &mut [Chapter],
        ids: &mut Ids,
        id_chapter: &mut HashMap<String, usize>,
        lang: &str,
    ) {
        let Engine {
            library,
            style,
            locales,
            locale,
            title,
            nocite,
            citations,
            ..
        } = self;
        // The note each placeholder stands in (its number), and the order they are read in.
        let mut note_of: HashMap<usize, u32> = HashMap::new();
        for chapter in chapters.iter_mut() {
            for note in &mut chapter.notes {
                let number = note.number;
                for block in &mut note.blocks {
                    super::parse::visit_block_inlines(block, &mut |inlines| {
                        visit_placeholders(inlines, &mut |n| {
                            note_of.insert(n, number);
                        })
                    });
                }
            }
        }
        let notes = style.settings.class == StyleClass::Note;
        let mut order: Vec<usize> = (0..citations.len()).collect();
        if notes {
            order.sort_by_key(|n| note_of.get(n).copied().unwrap_or(0));
        }
        let entry = |key: &str| library.get(key);
        let mut driver: BibliographyDriver<'_, Entry> = BibliographyDriver::new();
        // The requests, in reading order: which citation each is, and its items' keys.
        let mut requests: Vec<(usize, Vec<String>)> = Vec::new();
        let mut authors: HashMap<usize, Vec<Inline>> = HashMap::new();
        for &n in &order {
            let pending = &citations[n];
            let mut items = Vec::new();
            let mut keys = Vec::new();
            for item in &pending.cite.items {
                let Some(e) = entry(&item.key) else { continue };
                let locator = item
                    .locator
                    .as_ref()
                    .map(|(kind, value)| SpecificLocator(*kind, LocatorPayload::Str(value)));
                let purpose = if item.suppress_author && !notes {
                    Some(CitePurpose::Year)
                } else if pending.cite.in_text && !notes {
                    Some(CitePurpose::Prose)
                } else {
                    None
                };
                items.push(CitationItem::new(e, locator, None, false, purpose));
                keys.push(item.key.clone());
            }
            if items.is_empty() {
                continue;
            }
            // A note style names the author in the sentence and cites in the note.
            if notes && pending.cite.in_text && !pending.in_note {
                let first = items[0].entry;
                let name = hayagriva::standalone_citation(CitationRequest::new(
                    vec![CitationItem::new(
                        first,
                        None,
                        None,
                        false,
                        Some(CitePurpose::Author),
                    )],
                    &style,
                    Some(locale.clone()),
                    &locales,
                    None,
                ));
                let mut name = to_inlines(&name.0, &mut |_| None);
                // The name stands in the sentence: without the note's closing full stop.
                if let Some(Inline::Text(last)) = name.last_mut() {
                    if last.ends_with('.') && !last.ends_with("..") {
                        last.pop();
                    }
                }
                authors.insert(n, name);
            }
            let note = note_of.get(&n).map(|&number| number as usize);
            driver.citation(CitationRequest::new(
                items,
                &style,
                Some(locale.clone()),
                &locales,
                note,
            ));
            requests.push((n, keys));
        }
        if !nocite.is_empty() {
            let hidden: Vec<_> = if nocite.iter().any(|k| k == "*") {
                library.iter().collect()
            } else {
                nocite.iter().filter_map(|k| library.get(k)).collect()
            };
            let items = hidden
                .into_iter()
                .map(|e| CitationItem::new(e, None, None, true, None))
                .collect::<Vec<_>>();
            if !items.is_empty() {
                driver.citation(CitationRequest::new(
                    items,
                    &style,
                    Some(locale.clone()),
                    &locales,
                    None,
                ));
            }
        }
        let rendered = driver.finish(BibliographyRequest::new(
            &style,
            Some(locale.clone()),
            &locales,
        ));

        // Every entry listed gets an id; citations link to it.
        let mut entry_ids: HashMap<String, String> = HashMap::new();
        let mut entries = Vec::new();
        if let Some(bibliography) = &rendered.bibliography {
            for item in &bibliography.items {
                // `ref-note-…` would be the EPUB's id of a note's mark in the text.
                let base = ids::from_text(&item.key);
                let base = if base.starts_with("note-") {
                    format!("entry-{base}")
                } else {
                    base
                };
                let id = ids.fresh(&format!("ref-{base}"));
                entry_ids.insert(item.key.clone(), id.clone());
                let mut content = Vec::new();
                if let Some(first) = &item.first_field {
                    content.extend(to_inlines(std::slice::from_ref(first), &mut |_| None));
                    content.push(Inline::Text(" ".into()));
                }
                content.extend(to_inlines(&item.content.0, &mut |_| None));
                entries.push(BibEntry { id, content });
            }
        }
        let mut texts: HashMap<String, Vec<Inline>> = HashMap::new();
        for ((n, keys), cite) in requests.iter().zip(&rendered.citations) {
            let pending = &citations[*n];
            let mut link = |i: usize| {
                let key = keys.get(i)?;
                let item = pending.cite.items.iter().find(|it| &it.key == key)?;
                Some((
                    entry_ids.get(key).cloned(),
                    item.prefix.clone(),
                    item.suffix.clone(),
                    item.suppress_author.then(|| item.locator.clone()).flatten(),
                ))
            };
            let mut inlines = to_inlines(&cite.citation.0, &mut link);
            // `[-@a]`: the year alone, in the style's brackets.
            let suppressed = pending.cite.items.iter().any(|i| i.suppress_author) && !notes;
            if suppressed && !pending.cite.in_text {
                let layout = &style.citation.layout;
                if let Some(prefix) = &layout.prefix {
                    inlines.insert(0, Inline::Text(prefix.clone()));
                }
                if let Some(suffix) = &layout.suffix {
                    inlines.push(Inline::Text(suffix.clone()));
                }
            }
            if let Some(author) = authors.remove(n) {
                texts.insert(format!("{n}a"), author);
            }
            texts.insert(n.to_string(), inlines);
        }

        // The placeholders become the texts; a note style's note in the sentence also gets
        // the author's name before it when the author is named in the text.
        let fill = &mut |inlines: &mut Vec<Inline>| fill_placeholders(inlines, &mut texts);
        for chapter in chapters.iter_mut() {
            for block in &mut chapter.blocks {
                super::parse::visit_block_inlines(block, fill);
            }
            for note in &mut chapter.notes {
                for block in &mut note.blocks {
                    super::parse::visit_block_inlines(block, fill);
                }
            }
        }
        let entry_chapter = place_bibliography(chapters, entries, title, lang, ids, id_chapter);
        // The links to entries point at the chapter that holds the list.
        if let Some(chapter) = entry_chapter {
            let point = &mut |inlines: &mut Vec<Inline>| point_links(inlines, chapter);
            for c in chapters.iter_mut() {
                for block in &mut c.blocks {
                    super::parse::visit_block_inlines(block, point);
                }
                for note in &mut c.notes {
                    for block in &mut note.blocks {
                        super::parse::visit_block_inlines(block, point);
                    }
                }
            }
        }
    }
}

/// The placeholder of citation `n` (of [`Engine::cite`]) that stands where its text goes
/// until [`Engine::render`]; with `author`, that of the author's name a note style puts in
/// the sentence for `@key`.
pub fn placeholder(n: usize, author: bool) -> Inline {
    Inline::Link {
        target: LinkTarget::Internal {
            chapter: usize::MAX,
            id: format!("{PLACEHOLDER}{n}{}", if author { "a" } else { "" }),
        },
        title: None,
        content: Vec::new(),
        biblioref: false,
    }
}

/// Calls `f` with the number of every citation placeholder in `inlines`.
fn visit_placeholders(inlines: &mut [Inline], f: &mut impl FnMut(usize)) {
    for inline in inlines {
        match inline {
            Inline::Link {
                target:
                    LinkTarget::Internal {
                        chapter: usize::MAX,
                        id,
                    },
                ..
            } => {
                if let Some(n) = id.strip_prefix(PLACEHOLDER).and_then(|n| n.parse().ok()) {
                    f(n);
                }
            }
            other => {
                if let Some(c) = other.children_mut() {
                    visit_placeholders(c, f);
                }
            }
        }
    }
}

/// Replaces each placeholder with its citation's text.
fn fill_placeholders(inlines: &mut Vec<Inline>, texts: &mut HashMap<String, Vec<Inline>>) {
    let mut i = 0;
    while i < inlines.len() {
        let placeholder = match &inlines[i] {
            Inline::Link {
                target:
                    LinkTarget::Internal {
                        chapter: usize::MAX,
                        id,
                    },
                ..
            } => id.strip_prefix(PLACEHOLDER).map(str::to_string),
            _ => None,
        };
        if let Some(n) = placeholder {
            let text = texts.remove(&n).unwrap_or_default();
            let len = text.len();
            inlines.splice(i..=i, text);
            i += len;
            continue;
        }
        if let Some(c) = inlines[i].children_mut() {
            fill_placeholders(c, texts);
        }
        i += 1;
    }
}

/// Points every citation link at `chapter`, which holds the reference list.
fn point_links(inlines: &mut [Inline], chapter: usize) {
    for inline in inlines {
        match inline {
            Inline::Link {
                target: LinkTarget::Internal { chapter: c, .. },
                biblioref: true,
                ..
            } => *c = chapter,
            other => {
                if let Some(c) = other.children_mut() {
                    point_links(c, chapter);
                }
            }
        }
    }
}

/// What a citation item links to and adds: its entry's id (none when the style lists no
/// bibliography), the author's prefix and suffix, and for `-@a` the locator.
type ItemLink = (Option<String>, String, String, Option<(Locator, String)>);

/// hayagriva's output as inlines. Each cited item (an element marked with its index) becomes
/// a link to its entry, with the author's prefix and suffix around it.
fn to_inlines(
    children: &[ElemChild],
    link: &mut impl FnMut(usize) -> Option<ItemLink>,
) -> Vec<Inline> {
    let mut out = Vec::new();
    for child in children {
        match child {
            ElemChild::Text(t) => out.extend(formatted(&t.text, &t.formatting)),
            ElemChild::Markup(m) => push(&mut out, Inline::Text(m.clone())),
            ElemChild::Link { text, url } => {
                let content = formatted(&text.text, &text.formatting);
                match super::web::normalize(url) {
                    Ok(url) => out.push(Inline::Link {
                        target: LinkTarget::External(url),
                        title: None,
                        content,
                        biblioref: false,
                    }),
                    Err(_) => out.extend(content),
                }
            }
            ElemChild::Transparent { .. } => {}
            ElemChild::Elem(e) => {
                let inner = to_inlines(&e.children.0, link);
                match e.meta {
                    Some(ElemMeta::Entry(i)) => match link(i) {
                        Some((id, prefix, suffix, locator)) => {
                            if !prefix.is_empty() {
                                push(&mut out, Inline::Text(format!("{prefix} ")));
                            }
                            match id {
                                // A link holds no link: a DOI or URL in a note's citation is
                                // text there (the reference list's entry links it).
                                Some(id) => out.push(Inline::Link {
                                    target: LinkTarget::Internal {
                                        chapter: usize::MAX - 1,
                                        id,
                                    },
                                    title: None,
                                    content: unlinked(inner),
                                    biblioref: true,
                                }),
                                None => out.extend(inner),
                            }
                            if let Some((_, value)) = locator {
                                push(&mut out, Inline::Text(format!(", {value}")));
                            }
                            if !suffix.is_empty() {
                                let sep = if suffix.starts_with([',', '.', ';', ':']) {
                                    ""
                                } else {
                                    " "
                                };
                                push(&mut out, Inline::Text(format!("{sep}{suffix}")));
                            }
                        }
                        None => out.extend(inner),
                    },
                    _ => out.extend(inner),
                }
            }
        }
    }
    out
}

/// `inlines` with every link replaced by its content.
fn unlinked(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out = Vec::new();
    for inline in inlines {
        match inline {
            Inline::Link { content, .. } => {
                for inner in unlinked(content) {
                    push(&mut out, inner);
                }
            }
            Inline::Emphasis(c) => out.push(Inline::Emphasis(unlinked(c))),
            Inline::Strong(c) => out.push(Inline::Strong(unlinked(c))),
            Inline::Superscript(c) => out.push(Inline::Superscript(unlinked(c))),
            Inline::Subscript(c) => out.push(Inline::Subscript(unlinked(c))),
            other => push(&mut out, other),
        }
    }
    out
}

fn push(out: &mut Vec<Inline>, inline: Inline) {
    match (out.last_mut(), inline) {
        (Some(Inline::Text(prev)), Inline::Text(t)) => prev.push_str(&t),
        (_, inline) => out.push(inline),
    }
}

/// Text with hayagriva's formatting (italic, bold, super- and subscript).
fn formatted(text: &str, f: &hayagriva::Formatting) -> Vec<Inline> {
    use hayagriva::citationberg::{FontStyle, FontWeight, VerticalAlign};
    if text.is_empty() {
        return Vec::new();
    }
    let mut inline = Inline::Text(text.to_string());
    if f.font_style == FontStyle::Italic {
        inline = Inline::Emphasis(vec![inline]);
    }
    if f.font_weight == FontWeight::Bold {
        inline = Inline::Strong(vec![inline]);
    }
    match f.vertical_align {
        VerticalAlign::Sup => inline = Inline::Superscript(vec![inline]),
        VerticalAlign::Sub => inline = Inline::Subscript(vec![inline]),
        _ => {}
    }
    vec![inline]
}

/// Sets the list in the `::: {#refs}` placeholder, or after the last chapter's text under a
/// heading; the chapter that holds it, if any.
fn place_bibliography(
    chapters: &mut [Chapter],
    entries: Vec<BibEntry>,
    title: Option<String>,
    lang: &str,
    ids: &mut Ids,
    id_chapter: &mut HashMap<String, usize>,
) -> Option<usize> {
    let mut entries = Some(entries);
    for (index, chapter) in chapters.iter_mut().enumerate() {
        if let Some(at) = chapter
            .blocks
            .iter()
            .position(|b| matches!(b, Block::Bibliography(_)))
        {
            let mut blocks = Vec::new();
            if let Some(title) = &title {
                let id = ids.fresh(&ids::from_text(title));
                id_chapter.insert(id.clone(), index);
                blocks.push(Block::Heading(Heading {
                    level: section_level(&chapter.blocks),
                    id,
                    classes: Vec::new(),
                    content: vec![Inline::Text(title.clone())],
                }));
            }
            if let Some(Block::Bibliography(b)) = chapter.blocks.get_mut(at) {
                b.entries = entries.take().unwrap_or_default();
                b.label = title
                    .clone()
                    .unwrap_or_else(|| default_title(lang).to_string());
            }
            let line = chapter.block_at.get(at).copied().unwrap_or((1, 1));
            let n = blocks.len();
            chapter.blocks.splice(at..at, blocks);
            chapter
                .block_at
                .splice(at..at, std::iter::repeat_n(line, n));
            return Some(index);
        }
    }
    let entries = entries.take().unwrap_or_default();
    if entries.is_empty() {
        return None;
    }
    let index = chapters.len().checked_sub(1)?;
    let chapter = &mut chapters[index];
    let title = title.unwrap_or_else(|| default_title(lang).to_string());
    let id = ids.fresh(&ids::from_text(&title));
    id_chapter.insert(id.clone(), index);
    let line = chapter.block_at.last().copied().unwrap_or((1, 1));
    chapter.blocks.push(Block::Heading(Heading {
        level: section_level(&chapter.blocks),
        id,
        classes: Vec::new(),
        content: vec![Inline::Text(title.clone())],
    }));
    chapter.blocks.push(Block::Bibliography(Bibliography {
        id: None,
        label: title,
        entries,
    }));
    chapter.block_at.extend([line, line]);
    Some(index)
}

/// The level of a section of this chapter: its top level, or the one below when a single
/// heading at the top level is the chapter's title.
fn section_level(blocks: &[Block]) -> u8 {
    let levels: Vec<u8> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(h) => Some(h.level),
            _ => None,
        })
        .collect();
    let Some(&top) = levels.iter().min() else {
        return 1;
    };
    if levels.iter().filter(|&&l| l == top).count() == 1 && top < 6 {
        top + 1
    } else {
        top
    }
}

/// The reference list's heading when the manuscript sets none, in its language.
fn default_title(lang: &str) -> &'static str {
    match lang
        .split('-')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .as_str()
    {
        "es" => "Referencias",
        "fr" => "Références",
        "de" => "Literatur",
        "it" => "Riferimenti bibliografici",
        "pt" => "Referências",
        "ca" => "Referències",
        _ => "References",
    }
}

/// The bundled CSL locales a manuscript in `lang` may use: its language's and US English
/// (every style's fallback). hayagriva's `archive::locales()` decodes all of its sixty locales,
/// which was half of a cited manuscript's cold build (its terms' untagged enums format an error
/// for every variant they try); here each locale's language is read alone, and only the locales
/// a manuscript asks for are decoded, once per process.
fn locales(lang: &str) -> Vec<Locale> {
    use hayagriva::archive::LOCALES;
    use std::sync::OnceLock;
    /// Only the language of a locale; the rest of it is skipped, not built.
    #[derive(serde::Deserialize)]
    struct Language {
        #[serde(rename = "@xml:lang")]
        lang: Option<String>,
    }
    static LANGUAGES: OnceLock<Vec<Option<String>>> = OnceLock::new();
    static DECODED: OnceLock<Vec<OnceLock<Locale>>> = OnceLock::new();
    let languages = LANGUAGES.get_or_init(|| {
        LOCALES
            .iter()
            .map(|bytes| {
                ciborium::de::from_reader::<Language, _>(*bytes)
                    .expect("hayagriva's bundled locales decode")
                    .lang
            })
            .collect()
    });
    let decoded = DECODED.get_or_init(|| LOCALES.iter().map(|_| OnceLock::new()).collect());
    let primary = lang.split('-').next().unwrap_or("").to_ascii_lowercase();
    languages
        .iter()
        .enumerate()
        .filter(|(_, code)| {
            code.as_ref().is_none_or(|code| {
                let base = code.split('-').next().unwrap_or("").to_ascii_lowercase();
                base == primary || code == "en-US"
            })
        })
        .map(|(n, _)| {
            decoded[n]
                .get_or_init(|| {
                    ciborium::de::from_reader(LOCALES[n])
                        .expect("hayagriva's bundled locales decode")
                })
                .clone()
        })
        .collect()
}

/// The error for a key the bibliography lacks, naming the nearest that exist.
fn unknown_key(key: &str, keys: &[String], at: Location) -> Diagnostic {
    let mut near: Vec<(usize, &String)> = keys
        .iter()
        .map(|k| (distance(&key.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(d, k)| *d <= (k.chars().count().max(key.chars().count()) / 2).max(2))
        .collect();
    near.sort();
    let near: Vec<String> = near.iter().take(3).map(|(_, k)| format!("'{k}'")).collect();
    let message = if near.is_empty() {
        format!("citation key '{key}' is not in the bibliography")
    } else {
        format!(
            "citation key '{key}' is not in the bibliography; the nearest there are {}",
            near.join(", ")
        )
    };
    Diagnostic::error("unknown-citation", message)
        .at(at)
        .help("cite a key of an entry in the `bibliography:` files (check the spelling), or add the entry; write `\\@` for an @ that is not a citation")
}

/// Levenshtein distance between two strings, in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(current + 1);
            prev = current;
        }
    }
    row[b.len()]
}

/// The fields every citation style prints that `entry` lacks: a title, a date, an author or
/// an editor (its parent's, for a chapter in a book, count).
fn missing_fields(entry: &Entry) -> Vec<&'static str> {
    let in_parents = |f: &dyn Fn(&Entry) -> bool| f(entry) || entry.parents().iter().any(f);
    let mut missing = Vec::new();
    if !in_parents(&|e: &Entry| e.title().is_some()) {
        missing.push("title");
    }
    if !in_parents(&|e: &Entry| e.authors().is_some() || e.editors().is_some()) {
        missing.push("author or editor");
    }
    if entry.date_any().is_none() {
        missing.push("date");
    }
    missing
}

/// The line of `path` where `key`'s entry starts (1 when not found).
fn key_line(path: &Path, key: &str) -> u32 {
    let Ok(text) = std::fs::read_to_string(path) else {
        return 1;
    };
    let mut found = 0;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let ends = |r: &str| {
            r.chars()
                .next()
                .is_none_or(|c| c == ',' || c.is_whitespace())
        };
        let bib = t.starts_with('@')
            && t.split_once(['{', '('])
                .and_then(|(_, rest)| rest.trim_start().strip_prefix(key))
                .is_some_and(ends);
        let yaml = !line.starts_with([' ', '\t'])
            && t.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'));
        if bib || yaml {
            found = i as u32 + 1;
        }
    }
    found.max(1)
}

/// Reads one bibliography file: BibTeX/BibLaTeX or hayagriva YAML, by its extension.
fn read_bibliography(
    path: &Path,
    name: &str,
    at: &Location,
    diags: &mut Diagnostics,
) -> Option<Library> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(ext.as_str(), "bib" | "bibtex" | "yaml" | "yml") {
        diags.push(
            Diagnostic::error("invalid-bibliography", format!("bibliography '{name}' is of a kind roneo does not read ({})", if ext.is_empty() { "no extension".to_string() } else { format!(".{ext}") }))
                .at(at.clone())
                .help(if ext == "json" {
                    "CSL-JSON is not read yet: export the library as BibTeX or BibLaTeX (.bib; Zotero: File > Export Library) or write hayagriva YAML (.yaml)"
                } else {
                    "a bibliography is BibTeX or BibLaTeX (.bib) or hayagriva YAML (.yaml, .yml)"
                }),
        );
        return None;
    }
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                diags.push(
                    Diagnostic::error(
                        "invalid-utf8",
                        format!("bibliography '{name}' is not UTF-8 text"),
                    )
                    .at(Location::file(path))
                    .help("save the file as UTF-8 (reference managers offer it when exporting)"),
                );
                return None;
            }
        },
        Err(e) => {
            let (code, message) = if e.kind() == std::io::ErrorKind::NotFound {
                (
                    "missing-bibliography",
                    format!("bibliography '{name}' not found"),
                )
            } else {
                (
                    "missing-bibliography",
                    format!(
                        "bibliography '{name}' cannot be read: {}",
                        crate::diagnostic::os_error(&e)
                    ),
                )
            };
            diags.push(
                Diagnostic::error(code, message)
                    .at(at.clone())
                    .help("paths in `bibliography:` are relative to the file that sets them; check the spelling"),
            );
            return None;
        }
    };
    let lines = LineIndex::new(&text);
    let located = |offset: usize| {
        let (line, column) = lines.line_col(&text, offset);
        Location::new(path, line, column)
    };
    if ext == "yaml" || ext == "yml" {
        return match hayagriva::io::from_yaml_str(&text) {
            Ok(library) => Some(library),
            Err(e) => {
                let at = e.location().map_or_else(
                    || Location::file(path),
                    |l| Location::new(path, l.line() as u32, l.column() as u32),
                );
                let message = e.to_string();
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_string();
                let code = if message.contains("duplicate") {
                    "duplicate-citation-key"
                } else {
                    "invalid-bibliography"
                };
                diags.push(
                    Diagnostic::error(code, format!("bibliography '{name}' does not parse: {message}"))
                        .at(at)
                        .help("a hayagriva YAML bibliography is a mapping of keys to entries (type, title, author, date, …); see hayagriva's file format"),
                );
                None
            }
        };
    }
    match hayagriva::io::from_biblatex_str(&text) {
        Ok(library) => Some(chapters_in_edited_books(library)),
        Err(errors) => {
            for e in errors {
                let (code, span, message) = match &e {
                    hayagriva::io::BibLaTeXError::Parse(p) => match &p.kind {
                        biblatex::ParseErrorKind::DuplicateKey(key) => (
                            "duplicate-citation-key",
                            p.span.clone(),
                            format!("citation key '{key}' is defined twice in '{name}'"),
                        ),
                        kind => (
                            "invalid-bibliography",
                            p.span.clone(),
                            format!("bibliography '{name}' does not parse: {kind}"),
                        ),
                    },
                    hayagriva::io::BibLaTeXError::Type(t) => (
                        "invalid-bibliography",
                        t.span.clone(),
                        format!(
                            "bibliography '{name}' has a field of the wrong form: {}",
                            t.kind
                        ),
                    ),
                };
                diags.push(
                    Diagnostic::error(code, message)
                        .at(located(span.start))
                        .help(if code == "duplicate-citation-key" {
                            "each key may name one entry: delete one of them, or rename it and the citations that mean it"
                        } else {
                            "each entry is `@type{key, field = {value}, …}`; check the braces and commas around this place"
                        }),
                );
            }
            None
        }
    }
}

/// BibLaTeX's `@incollection` (a chapter in an edited book) as a chapter in a book.
///
/// hayagriva reads it as an `anthos` in an `anthology`, which CSL styles take for an archival
/// collection: Chicago prints the book's title twice and drops the pages and the place
/// (typst/hayagriva#309, #437). Entries have no type setter, so the few that need it go
/// through hayagriva's own serialised form and back.
fn chapters_in_edited_books(mut library: Library) -> Library {
    use hayagriva::types::EntryType;
    let misread: Vec<Entry> = library
        .iter()
        .filter(|e| {
            *e.entry_type() == EntryType::Anthos
                && e.parents()
                    .first()
                    .is_some_and(|p| *p.entry_type() == EntryType::Anthology)
        })
        .cloned()
        .collect();
    if misread.is_empty() {
        return library;
    }
    let some: Library = misread.into_iter().collect();
    let Ok(mut value) = serde_json::to_value(&some) else {
        return library;
    };
    if let Some(entries) = value.as_object_mut() {
        for entry in entries.values_mut() {
            entry["type"] = "chapter".into();
            if let Some(parent) = entry.get_mut("parent") {
                // One parent serialises as an object, several as a list.
                match parent {
                    serde_json::Value::Array(parents) => {
                        if let Some(first) = parents.first_mut() {
                            first["type"] = "book".into();
                        }
                    }
                    parent => parent["type"] = "book".into(),
                }
            }
        }
    }
    if let Ok(fixed) = serde_json::from_value::<Library>(value) {
        for entry in fixed.iter() {
            library.push(entry);
        }
    }
    library
}

/// The citation style: `csl:` a style file (relative to the file that sets it) or a bundled
/// style's name, else Chicago author-date.
fn load_style(
    m: &Manuscript,
    dependencies: &mut Dependencies,
    diags: &mut Diagnostics,
) -> Option<IndependentStyle> {
    let fm = &m.front;
    let at = fm
        .csl_at
        .clone()
        .unwrap_or_else(|| Location::new(&m.index_path, fm.line_of("csl"), 1));
    let name = fm.csl.as_deref().unwrap_or(DEFAULT_STYLE);
    let style = if name.ends_with(".csl") {
        let path = m.index_path.parent().unwrap_or(Path::new(".")).join(name);
        dependencies.file(&path);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(
                    Diagnostic::error("unknown-csl", format!("citation style '{name}' cannot be read: {}", crate::diagnostic::os_error(&e)))
                        .at(at)
                        .help("`csl:` is a .csl file relative to the file that sets it, or the name of a bundled style such as `chicago-notes`"),
                );
                return None;
            }
        };
        match Style::from_xml(&text) {
            Ok(style) => style,
            Err(e) => {
                diags.push(
                    Diagnostic::error("unknown-csl", format!("citation style '{name}' is not a CSL style roneo can read: {e}"))
                        .at(at)
                        .help("use a style from the Zotero style repository (a .csl file), or a bundled style's name such as `chicago-notes`"),
                );
                return None;
            }
        }
    } else {
        match hayagriva::archive::ArchivedStyle::by_name(name) {
            Some(style) => style.get(),
            None => {
                let mut names: Vec<&str> = hayagriva::archive::ArchivedStyle::all()
                    .iter()
                    .flat_map(|s| s.names().iter().copied())
                    .collect();
                names.sort_by_key(|n| distance(name, n));
                diags.push(
                    Diagnostic::error("unknown-csl", format!("no bundled citation style is called '{name}'; the nearest are {}", names.iter().take(3).map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")))
                        .at(at)
                        .help("name a bundled style (chicago-author-date, chicago-notes, apa, mla, …) or a .csl file"),
                );
                return None;
            }
        }
    };
    match style {
        Style::Independent(style) => Some(style),
        Style::Dependent(dependent) => {
            let parent = hayagriva::archive::ArchivedStyle::by_id(&dependent.parent_link.href)
                .map(|s| s.get());
            match parent {
                Some(Style::Independent(style)) => Some(style),
                _ => {
                    diags.push(
                        Diagnostic::error(
                            "unknown-csl",
                            format!(
                                "citation style '{name}' depends on '{}', which is not bundled",
                                dependent.parent_link.href
                            ),
                        )
                        .at(at)
                        .help("use the parent style's own .csl file"),
                    );
                    None
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<Found> {
        scan(text, |_| true)
    }

    #[test]
    fn the_locales_read_alone_are_the_ones_hayagriva_decodes_whole() {
        let every = hayagriva::archive::locales();
        for lang in ["es", "es-MX", "en", "de-AT", "ar", "zh-TW", "xx"] {
            let primary = lang.split('-').next().unwrap();
            let expected: Vec<&Locale> = every
                .iter()
                .filter(|l| {
                    l.lang.as_ref().is_none_or(|code| {
                        code.0.split('-').next() == Some(primary) || code.0 == "en-US"
                    })
                })
                .collect();
            let found = locales(lang);
            assert_eq!(found.iter().collect::<Vec<_>>(), expected, "{lang}");
            assert!(found.iter().any(|l| l.lang.as_ref().unwrap().0 == "en-US"));
        }
        assert!(locales("es")
            .iter()
            .any(|l| l.lang.as_ref().unwrap().0 == "es-ES"));
    }

    #[test]
    fn bracketed_citations_with_prefixes_and_locators() {
        let found = all("As argued [see @marx1867, p. 33; @lux:1913, ch. 2 and passim].");
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(
            &"As argued [see @marx1867, p. 33; @lux:1913, ch. 2 and passim]."[f.range.clone()],
            "[see @marx1867, p. 33; @lux:1913, ch. 2 and passim]"
        );
        let items = &f.cite.items;
        assert_eq!(
            (items[0].key.as_str(), items[0].prefix.as_str()),
            ("marx1867", "see")
        );
        assert_eq!(items[0].locator, Some((Locator::Page, "33".into())));
        assert_eq!(items[1].key, "lux:1913");
        assert_eq!(items[1].locator, Some((Locator::Chapter, "2".into())));
        assert_eq!(items[1].suffix, "and passim");
        assert!(!f.cite.in_text);
    }

    #[test]
    fn in_text_and_suppressed_author() {
        let found = all("@marx1867 [p. 12] says so, as does Marx [-@marx1867].");
        assert_eq!(found.len(), 2);
        assert!(found[0].cite.in_text);
        assert_eq!(
            found[0].cite.items[0].locator,
            Some((Locator::Page, "12".into()))
        );
        assert!(found[1].cite.items[0].suppress_author);
        assert_eq!(found[1].cite.items[0].key, "marx1867");
    }

    #[test]
    fn not_citations() {
        assert!(all("write to join@example.org or [an aside] or \\[x]").is_empty());
        assert!(all("[see above]").is_empty());
        // An escaped bracket or @ is text.
        let text = "[@marx1867]";
        assert!(scan(text, |i| i != 0 && i != 1).is_empty());
        // Punctuation ending a sentence is not part of the key.
        assert_eq!(all("as @marx1867.")[0].cite.items[0].key, "marx1867");
    }

    #[test]
    fn locators() {
        assert_eq!(
            locator(", pp. 33-35"),
            (Some((Locator::Page, "33-35".into())), String::new())
        );
        assert_eq!(
            locator(", 33"),
            (Some((Locator::Page, "33".into())), String::new())
        );
        assert_eq!(locator(", and elsewhere"), (None, "and elsewhere".into()));
        assert_eq!(
            locator(", vol. II, passim"),
            (Some((Locator::Volume, "II".into())), "passim".into())
        );
    }

    #[test]
    fn nearest_keys() {
        assert_eq!(distance("marx1876", "marx1867"), 2);
        let keys = vec!["marx1867".to_string(), "luxemburg1913".to_string()];
        let d = unknown_key("marx1876", &keys, Location::new("a.md", 3, 4));
        assert!(
            d.message.contains("'marx1867'") && !d.message.contains("luxemburg"),
            "{}",
            d.message
        );
    }
}
