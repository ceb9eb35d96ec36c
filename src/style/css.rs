//! The EPUB stylesheet, generated from the style so that the ebook is set in the same house
//! as the print edition. Justification stays the reader's choice, and reading systems may
//! still override the fonts; the project's `epub-css` file is appended last.

use super::{CoverStyle, Family, Style};
use crate::fonts::FontFace;
use std::fmt::Write;

/// Rules that are structure rather than design (breaks, hyphenation, image fitting).
const FIXED: &str = include_str!("fixed.css");

/// The stylesheet for `style`; `embedded` are the faces the EPUB carries, with their paths in
/// the package.
pub fn stylesheet(style: &Style, embedded: &[(FontFace, String)]) -> String {
    let mut css = String::from(
        "/* roneo's ebook stylesheet, generated from the book's style. Justification is left to the\n   reader's settings; hyphenation follows each element's language. */\n",
    );
    for (face, path) in embedded {
        let _ = writeln!(
            css,
            "@font-face {{ font-family: \"{}\"; font-style: {}; font-weight: {}; src: url({path}); }}",
            face.family,
            if face.italic { "italic" } else { "normal" },
            face.weight,
        );
    }
    let main = &style.faces.main[0].family;
    let sans = &style.faces.sans[0].family;
    let mono = &style.faces.mono.family;
    let stretch = style.leading / style.body_size / (14.0 / 11.0);
    let _ = writeln!(
        css,
        "\nbody {{ font-family: \"{main}\", Georgia, serif; line-height: {}; margin: 0 4%; -epub-hyphens: auto; -webkit-hyphens: auto; hyphens: auto; widows: 2; orphans: 2; }}",
        round(1.45 * stretch)
    );
    let h = &style.headings;
    let heading_family = match h.family {
        Family::Main => format!("\"{main}\", Georgia, serif"),
        Family::Sans => format!("\"{sans}\", Helvetica, Arial, sans-serif"),
    };
    let _ = writeln!(
        css,
        "h1, h2, h3, h4, h5, h6 {{ font-family: {heading_family}; line-height: 1.2; -epub-hyphens: none; -webkit-hyphens: none; hyphens: none; page-break-after: avoid; break-after: avoid; text-align: left;{} }}",
        if h.upper { " text-transform: uppercase; letter-spacing: 0.03em;" } else { "" }
    );
    for (selector, level, margins) in [
        ("h1", 1, "1.5em 0 1em"),
        ("h2", 2, "1.6em 0 0.6em"),
        ("h3", 3, "1.4em 0 0.5em"),
        ("h4, h5, h6", 3, "1.2em 0 0.4em"),
    ] {
        let l = h.level(level);
        let size = if selector.starts_with("h4") {
            1.0
        } else {
            l.size
        };
        let _ = writeln!(
            css,
            "{selector} {{ font-size: {}em; font-weight: {}; font-style: {}; margin: {margins}; }}",
            round(size),
            if l.bold { "bold" } else { "normal" },
            if l.italic { "italic" } else { "normal" },
        );
    }
    if style.indent {
        css.push_str("p { margin: 0; text-indent: 1em; }\n");
    } else {
        css.push_str("p { margin: 0 0 0.7em; text-indent: 0; }\n");
    }
    let _ = writeln!(
        css,
        "pre {{ font-family: \"{mono}\", monospace; font-size: 0.8em; white-space: pre-wrap; margin: 1em 0; -epub-hyphens: none; hyphens: none; }}\ncode {{ font-family: \"{mono}\", monospace; font-size: 0.85em; }}"
    );
    let c = &style.caption;
    let _ = writeln!(
        css,
        "figcaption {{ font-size: {}em; line-height: 1.35; margin-top: 0.5em; text-align: left; text-indent: 0; }}\n.figure-label {{ font-weight: {}; }}\n.credit {{ font-size: {}em; font-style: italic; }}",
        round(c.size),
        if c.label_bold { "bold" } else { "normal" },
        round(c.credit_size / c.size),
    );
    let _ = writeln!(
        css,
        "aside.footnote {{ font-size: {}em; margin: 0.6em 0; }}",
        // Never below 0.85 em: on a phone, notes set as small as in print are hard to read.
        round((style.notes.size / style.body_size).max(0.85))
    );
    let hang = round(style.reference_indent);
    let _ = writeln!(
        css,
        ".references ul {{ list-style: none; margin: 0.5em 0; padding: 0; }}\n.references li {{ padding-left: {hang}em; text-indent: -{hang}em; margin: 0 0 0.4em; text-align: left; }}"
    );
    let [r, g, b] = style.accent;
    if style.cover == CoverStyle::Band {
        let _ = writeln!(
            css,
            ".titlepage {{ border-top: 1.2em solid #{r:02x}{g:02x}{b:02x}; padding-top: 1em; }}\n.titlepage h1 {{ font-family: {heading_family}; }}"
        );
    }
    css.push_str(FIXED);
    if let Some(extra) = &style.epub.css {
        css.push_str("\n/* The project's own stylesheet (epub-css). */\n");
        css.push_str(extra);
        if !extra.ends_with('\n') {
            css.push('\n');
        }
    }
    css
}

/// Two decimals at most, without trailing zeros (`1.45`, `0.8`, `2`).
fn round(x: f32) -> String {
    let s = format!("{:.2}", x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
