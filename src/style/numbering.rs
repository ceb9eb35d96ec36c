//! Section numbers, for styles that number headings: worked out once from the document's
//! contents so that the PDF and the EPUB print the same ones.

use super::Style;
use crate::document::{Document, TocEntry};
use std::collections::HashMap;

/// The number of each numbered heading, by (chapter, heading id): `2`, `2.1`, `2.1.3`.
pub type HeadingNumbers = HashMap<(usize, String), String>;

/// Headings listed in the contents are numbered from the shallowest level the text uses,
/// three levels deep; none when the style does not number headings.
pub fn heading_numbers(doc: &Document, style: &Style) -> HeadingNumbers {
    let mut numbers = HashMap::new();
    if !style.headings.numbered {
        return numbers;
    }
    let mut flat = Vec::new();
    flatten(&doc.toc, &mut flat);
    let Some(top) = flat.iter().map(|e| e.level).min() else {
        return numbers;
    };
    let mut counters: Vec<u32> = Vec::new();
    for entry in flat {
        let depth = usize::from(entry.level - top);
        if depth > 2 {
            continue;
        }
        counters.resize(depth + 1, 0);
        counters[depth] += 1;
        let number: Vec<String> = counters.iter().map(u32::to_string).collect();
        numbers.insert((entry.chapter, entry.id.clone()), number.join("."));
    }
    numbers
}

fn flatten<'a>(toc: &'a [TocEntry], out: &mut Vec<&'a TocEntry>) {
    for entry in toc {
        out.push(entry);
        flatten(&entry.children, out);
    }
}
