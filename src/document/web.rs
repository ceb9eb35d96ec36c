//! Web addresses as an EPUB or PDF must hold them: parsed as browsers parse them (the URL
//! standard: hosts to punycode, paths percent-encoded), then with every character RFC 3986
//! allows nowhere outside a host percent-encoded too, as EPUBCheck asks.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use url::{Position, Url};

/// What the URL parser may leave in a path, query or fragment but RFC 3986 forbids there.
const NOT_RFC3986: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The schemes of links a reading system follows (EPUBCheck warns of unregistered ones).
pub const FOLLOWED_SCHEMES: &[&str] = &["http", "https", "mailto", "ftp", "tel"];

/// The address `written` as a valid URI, or why it cannot be one.
pub fn normalize(written: &str) -> Result<String, String> {
    let url = Url::parse(written.trim()).map_err(|e| e.to_string())?;
    // The URL standard lets `https://../` through; RFC 3986 readers do not.
    if let Some(host) = url.domain() {
        if host.trim_end_matches('.').split('.').any(str::is_empty) {
            return Err(format!("the host '{host}' has an empty part"));
        }
    }
    let tail = &url[Position::BeforePath..];
    let mut out = url[..Position::BeforePath].to_string();
    for (i, part) in tail.split('%').enumerate() {
        if i > 0 {
            // A `%` that starts no escape (`100%`) is a character of its own.
            let escape = part.len() >= 2 && part.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit);
            out.push_str(if escape { "%" } else { "%25" });
        }
        out.extend(utf8_percent_encode(part, NOT_RFC3986));
    }
    Ok(out)
}

/// What a reader sees for an address that has no text of its own.
pub fn display(url: &str) -> &str {
    url.strip_prefix("mailto:").unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn encodes_what_rfc_3986_forbids() {
        for (written, valid) in [
            ("https://example.org/a b", "https://example.org/a%20b"),
            (
                "https://example.org/[x]\\y?q=[1]#f{g}",
                "https://example.org/%5Bx%5D/y?q=%5B1%5D#f%7Bg%7D",
            ),
            ("https://example.org/año", "https://example.org/a%C3%B1o"),
            ("https://bücher.example/", "https://xn--bcher-kva.example/"),
            ("https://example.org/100%", "https://example.org/100%25"),
            ("https://example.org/%C3%B1", "https://example.org/%C3%B1"),
            ("mailto:join@example.org", "mailto:join@example.org"),
            ("mailto:a b@example.org", "mailto:a%20b@example.org"),
        ] {
            assert_eq!(normalize(written).as_deref(), Ok(valid), "{written}");
        }
        assert!(normalize("https://exa mple.org/").is_err());
        assert!(normalize("https://").is_err());
        assert!(normalize("https://../").is_err());
        assert!(normalize("https://a..b/").is_err());
    }
}
