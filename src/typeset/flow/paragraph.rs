//! Paragraphs: body text set into lines, each line one row, with the breaks that keep two
//! lines on each side of a page break. Raw HTML is set as the paragraphs a reader would see.

use super::{into_items, may_break_before, Flow, Frame};
use crate::document::{HtmlNode, Inline};
use crate::typeset::paragraph::{self, ParagraphStyle, SetLine};
use crate::typeset::Structure;

impl Flow<'_> {
    pub(super) fn paragraph(
        &mut self,
        inlines: &[Inline],
        frame: Frame,
        indent: bool,
        offset: &mut usize,
    ) {
        let mut style = self.body_style(frame.measure);
        if indent && !frame.nested {
            style.indent = self.geometry.body_size;
        }
        self.lines(inlines, &style, frame, offset);
    }

    /// Rows for the lines of a paragraph, allowing page breaks only where at least
    /// [`MIN_LINES`] stay on each side.
    pub(super) fn lines(
        &mut self,
        inlines: &[Inline],
        style: &ParagraphStyle,
        frame: Frame,
        offset: &mut usize,
    ) {
        let lines = paragraph::set(self.cx, inlines, style, offset);
        let element = self.element(Structure::Paragraph);
        self.line_rows(lines, frame, element);
    }

    pub(super) fn line_rows(&mut self, lines: Vec<SetLine>, frame: Frame, element: usize) {
        let n = lines.len();
        let baseline = self.geometry.baseline_offset();
        // Once a paragraph: what cannot be broken (a letter, a right-to-left word) is wider
        // than a line that quotes and lists nested deep have narrowed.
        let overfull = lines.iter().filter(|l| l.overfull).count();
        if overfull > 0 {
            self.cx.warn_with_help(
                "overfull-line",
                format!(
                    "{overfull} of this paragraph's {n} lines are wider than the measure ({:.0} pt) and stick into the margin",
                    frame.measure.max(0.0)
                ),
                "nest fewer quotes or lists here (each narrows the line), or break the right-to-left word that is longer than a line",
            );
        }
        for (k, mut line) in lines.into_iter().enumerate() {
            let position = self.position(frame.block, line.offset);
            let notes = std::mem::take(&mut line.notes);
            let mut row = self.row(1, into_items(line, frame.left, baseline), position);
            row.notes = notes;
            row.tags = vec![(0..row.items.len(), element)];
            row.break_before = may_break_before(k, n);
            self.push(row);
        }
    }
}

/// Elements that start a new paragraph when raw HTML is set as text.
const HTML_BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "dd",
    "dt",
    "blockquote",
    "figure",
    "figcaption",
    "aside",
    "section",
    "details",
    "summary",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "caption",
    "br",
    "hr",
];

/// The text of raw HTML as a reader would see it: one string per paragraph, with block
/// elements (and line breaks) starting new ones.
pub(super) fn html_paragraphs(nodes: &[HtmlNode]) -> Vec<String> {
    pub(super) fn walk(nodes: &[HtmlNode], current: &mut String, out: &mut Vec<String>) {
        for node in nodes {
            match node {
                HtmlNode::Text(t) => current.push_str(t),
                HtmlNode::Element(e) if HTML_BLOCKS.contains(&e.name.as_str()) => {
                    flush(current, out);
                    walk(&e.children, current, out);
                    flush(current, out);
                }
                HtmlNode::Element(e) => {
                    // Cells of a row read as words, not run together.
                    if matches!(e.name.as_str(), "td" | "th") && !current.is_empty() {
                        current.push(' ');
                    }
                    walk(&e.children, current, out);
                }
            }
        }
    }
    pub(super) fn flush(current: &mut String, out: &mut Vec<String>) {
        let text = current.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            out.push(text);
        }
        current.clear();
    }
    let mut out = Vec::new();
    let mut current = String::new();
    walk(nodes, &mut current, &mut out);
    flush(&mut current, &mut out);
    out
}
