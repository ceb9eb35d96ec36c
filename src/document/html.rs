//! Raw HTML in Markdown, parsed with an HTML5 parser and reduced to a safe element tree.
//!
//! Whatever the author wrote (unclosed tags, scripts, event handlers), what comes out is a tree
//! of known content elements with known attributes, which any output can serialise as
//! well-formed markup. Everything removed is reported, so the author knows what changed.

use scraper::{Html, Node};

#[derive(Debug, Clone, PartialEq)]
pub enum HtmlNode {
    Element(HtmlElement),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct HtmlElement {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<HtmlNode>,
}

impl HtmlElement {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn is_void(&self) -> bool {
        matches!(self.name.as_str(), "br" | "hr" | "wbr")
    }
}

/// Elements kept as they are.
const KEPT: &[&str] = &[
    "a",
    "abbr",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Elements removed together with their content.
const DROPPED: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "applet", "form", "input", "button", "select",
    "textarea", "noscript", "template", "link", "meta", "base", "title", "head", "img", "video",
    "audio", "source", "track", "canvas", "svg", "math", "frame", "frameset", "picture", "map",
    "area", "dialog", "slot", "portal",
];

const ATTRIBUTES: &[&str] = &[
    "id", "class", "lang", "title", "dir", "colspan", "rowspan", "datetime", "cite", "value",
    "start", "reversed", "abbr", "scope", "open",
];

/// Parses an HTML fragment into a sanitised tree; `changes` receives a note for every removal.
/// `None` when elements nest more than `max_depth` deep.
pub fn sanitize(
    fragment: &str,
    max_depth: usize,
    changes: &mut Vec<String>,
) -> Option<Vec<HtmlNode>> {
    let html = Html::parse_fragment(fragment);
    let root = html.root_element();
    // Measured without recursion, so that `convert` only ever recurses a bounded depth.
    let mut depth = 0usize;
    for edge in root.traverse() {
        match edge {
            ego_tree::iter::Edge::Open(n) if n.value().is_element() => {
                depth += 1;
                // The fragment's own root element is not the author's.
                if depth > max_depth + 1 {
                    return None;
                }
            }
            ego_tree::iter::Edge::Close(n) if n.value().is_element() => depth -= 1,
            _ => {}
        }
    }
    let mut out = Vec::new();
    for child in root.children() {
        convert(child, &mut out, changes);
    }
    Some(out)
}

fn convert(node: ego_tree::NodeRef<'_, Node>, out: &mut Vec<HtmlNode>, changes: &mut Vec<String>) {
    match node.value() {
        Node::Text(t) => {
            let text: &str = t;
            match out.last_mut() {
                Some(HtmlNode::Text(prev)) => prev.push_str(text),
                _ => out.push(HtmlNode::Text(text.to_string())),
            }
        }
        Node::Element(e) => {
            let name = e.name().to_ascii_lowercase();
            if DROPPED.contains(&name.as_str()) {
                note(changes, format!("removed <{name}> element"));
                return;
            }
            let mut children = Vec::new();
            for child in node.children() {
                convert(child, &mut children, changes);
            }
            if !KEPT.contains(&name.as_str()) {
                note(
                    changes,
                    format!("replaced unsupported <{name}> element by its content"),
                );
                for child in children {
                    match (out.last_mut(), child) {
                        (Some(HtmlNode::Text(prev)), HtmlNode::Text(t)) => prev.push_str(&t),
                        (_, child) => out.push(child),
                    }
                }
                return;
            }
            let mut attrs = Vec::new();
            for (key, value) in e.attrs() {
                let key = key.to_ascii_lowercase();
                if key == "href" && name == "a" {
                    let v = value.trim();
                    let lower = v.to_ascii_lowercase();
                    let web = ["http://", "https://", "mailto:"]
                        .iter()
                        .any(|s| lower.starts_with(s));
                    if v.starts_with('#') {
                        attrs.push((key, v.to_string()));
                    } else if let (true, Ok(url)) = (web, super::web::normalize(v)) {
                        attrs.push((key, url));
                    } else {
                        note(changes, format!("removed link target '{v}' (only web, mailto and #id links are kept)"));
                    }
                } else if ATTRIBUTES.contains(&key.as_str())
                    || key.starts_with("aria-")
                    || (key == "role" && !value.is_empty())
                {
                    if key == "lang" && value.trim().is_empty() {
                        continue;
                    }
                    attrs.push((key, value.to_string()));
                } else if key.starts_with("on") {
                    note(changes, format!("removed event handler attribute `{key}`"));
                } else {
                    note(changes, format!("removed attribute `{key}` from <{name}>"));
                }
            }
            attrs.sort();
            // A link must say where it goes: with no text, its address does.
            let blank = children
                .iter()
                .all(|c| matches!(c, HtmlNode::Text(t) if t.trim().is_empty()));
            if let (true, "a", Some((_, href))) = (
                blank,
                name.as_str(),
                attrs.iter().find(|(k, _)| k == "href"),
            ) {
                children = vec![HtmlNode::Text(super::web::display(href).to_string())];
            }
            out.push(HtmlNode::Element(HtmlElement {
                name,
                attrs,
                children,
            }));
        }
        Node::Comment(_) | Node::Doctype(_) | Node::ProcessingInstruction(_) => {}
        Node::Document | Node::Fragment => {
            for child in node.children() {
                convert(child, out, changes);
            }
        }
    }
}

fn note(changes: &mut Vec<String>, message: String) {
    if !changes.contains(&message) {
        changes.push(message);
    }
}

/// One inline HTML tag as it appears between Markdown text.
#[derive(Debug, Clone, PartialEq)]
pub enum InlineTag {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    End {
        name: String,
    },
    /// Comments and anything else that carries no content.
    Ignored,
}

/// Reads a single inline tag (`<span lang="fr">`, `</span>`, `<br/>`, `<!-- x -->`).
pub fn inline_tag(raw: &str) -> InlineTag {
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix("</") {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        return InlineTag::End {
            name: name.to_ascii_lowercase(),
        };
    }
    if !raw.starts_with('<') || raw.starts_with("<!") || raw.starts_with("<?") {
        return InlineTag::Ignored;
    }
    let self_closing = raw.ends_with("/>");
    let name: String = raw[1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    // The HTML parser reads the attributes (quoting, entities); an element that cannot stand
    // in a fragment (e.g. <td>) keeps just its name.
    let html = Html::parse_fragment(raw);
    let attrs = html
        .root_element()
        .descendants()
        .find_map(|n| match n.value() {
            Node::Element(e) if e.name() == name => Some(
                e.attrs()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .unwrap_or_default();
    InlineTag::Start {
        name,
        attrs,
        self_closing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(nodes: &[HtmlNode]) -> Vec<String> {
        nodes
            .iter()
            .filter_map(|n| match n {
                HtmlNode::Element(e) => Some(e.name.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn removes_scripts_and_handlers() {
        let mut changes = Vec::new();
        let nodes = sanitize(
            r#"<div onclick="x()">Hi<script>alert(1)</script><font>there</font></div>"#,
            10,
            &mut changes,
        )
        .unwrap();
        assert_eq!(names(&nodes), vec!["div"]);
        let HtmlNode::Element(div) = &nodes[0] else {
            panic!()
        };
        assert!(div.attrs.is_empty());
        assert_eq!(div.children, vec![HtmlNode::Text("Hithere".into())]);
        assert_eq!(changes.len(), 3, "{changes:?}");
    }

    #[test]
    fn repairs_broken_markup() {
        let mut changes = Vec::new();
        let nodes = sanitize("<p>one<p>two <b>bold", 10, &mut changes).unwrap();
        assert_eq!(names(&nodes), vec!["p", "p"]);
    }

    #[test]
    fn reads_inline_tags() {
        assert_eq!(
            inline_tag(r#"<span lang="fr">"#),
            InlineTag::Start {
                name: "span".into(),
                attrs: vec![("lang".into(), "fr".into())],
                self_closing: false
            }
        );
        assert_eq!(
            inline_tag("</SPAN>"),
            InlineTag::End {
                name: "span".into()
            }
        );
        assert_eq!(inline_tag("<!-- c -->"), InlineTag::Ignored);
    }
}
