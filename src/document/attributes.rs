//! Pandoc attribute syntax: `{#id .class key="value" key=value}`.

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Attributes {
    pub id: Option<String>,
    pub classes: Vec<String>,
    pub pairs: Vec<(String, String)>,
}

impl Attributes {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a complete `{…}` attribute block; `None` when `text` is not one.
pub fn parse(text: &str) -> Option<Attributes> {
    let inner = text.trim().strip_prefix('{')?.strip_suffix('}')?;
    let mut attrs = Attributes::default();
    let chars: Vec<char> = inner.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            let value =
                if i < chars.len() && (chars[i] == '"' || chars[i] == '\'' || chars[i] == '“') {
                    let close = if chars[i] == '“' { '”' } else { chars[i] };
                    i += 1;
                    let vstart = i;
                    while i < chars.len() && chars[i] != close {
                        i += 1;
                    }
                    if i >= chars.len() {
                        return None; // unterminated quote
                    }
                    let v: String = chars[vstart..i].iter().collect();
                    i += 1;
                    v
                } else {
                    let vstart = i;
                    while i < chars.len() && !chars[i].is_whitespace() {
                        i += 1;
                    }
                    chars[vstart..i].iter().collect()
                };
            if word.is_empty() {
                return None;
            }
            attrs.pairs.push((word, value));
        } else if let Some(id) = word.strip_prefix('#') {
            attrs.id = Some(id.to_string()).filter(|s| !s.is_empty());
        } else if let Some(class) = word.strip_prefix('.') {
            attrs.classes.push(class.to_string());
        } else {
            return None;
        }
    }
    Some(attrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pandoc_attributes() {
        let a = parse(r#"{#fig-a .wide alt="A crowd" credit='Photo: X, public domain' width=50%}"#)
            .unwrap();
        assert_eq!(a.id.as_deref(), Some("fig-a"));
        assert_eq!(a.classes, vec!["wide"]);
        assert_eq!(a.get("alt"), Some("A crowd"));
        assert_eq!(a.get("credit"), Some("Photo: X, public domain"));
        assert_eq!(a.get("width"), Some("50%"));
        assert!(parse("not attributes").is_none());
        assert!(parse(r#"{alt="unterminated}"#).is_none());
    }
}
