//! ISBNs: what the back cover's barcode encodes, so a wrong check digit is caught at its line
//! rather than printed on a thousand covers.

/// The 13 digits of an ISBN written as ISBN-13 or ISBN-10, with or without hyphens, spaces, an
/// `ISBN` or `urn:isbn:` prefix. `Ok(None)` when the value is not meant as an ISBN (an
/// `identifier:` that is a URL or a UUID); `Err` with a sentence when it is one, but wrong.
pub fn parse(value: &str, meant_as_isbn: bool) -> Result<Option<String>, String> {
    let trimmed = value.trim();
    let lower = trimmed.to_ascii_lowercase();
    let (rest, prefixed) = match ["urn:isbn:", "isbn-13:", "isbn-10:", "isbn:", "isbn"]
        .iter()
        .find(|p| lower.starts_with(*p))
    {
        Some(p) => (&trimmed[p.len()..], true),
        None => (trimmed, false),
    };
    let chars: Vec<char> = rest
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}' | '\u{2011}'))
        .collect();
    let digits_only = chars
        .iter()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || (i + 1 == chars.len() && matches!(c, 'x' | 'X')));
    let looks_like = digits_only && matches!(chars.len(), 10 | 13);
    if !(meant_as_isbn || prefixed || looks_like) {
        return Ok(None);
    }
    if !digits_only || !matches!(chars.len(), 10 | 13) {
        return Err(format!(
            "'{trimmed}' is not an ISBN: an ISBN has 13 digits (or 10, the last of which may be X)"
        ));
    }
    let digit = |c: char| c.to_digit(10).unwrap_or(10);
    if chars.len() == 10 {
        let sum: u32 = chars
            .iter()
            .enumerate()
            .map(|(i, &c)| (10 - i as u32) * digit(c))
            .sum();
        if sum % 11 != 0 {
            let expected = isbn10_check(&chars[..9]);
            return Err(format!(
                "ISBN '{trimmed}' ends in {}, but its first nine digits give the check digit {expected}",
                chars[9]
            ));
        }
        let mut thirteen: String = "978".to_string();
        thirteen.extend(&chars[..9]);
        let check = ean_check(thirteen.as_bytes());
        thirteen.push(char::from(b'0' + check));
        return Ok(Some(thirteen));
    }
    if chars[12].is_ascii_digit() {
        let text: String = chars.iter().collect();
        if !text.starts_with("978") && !text.starts_with("979") {
            return Err(format!(
                "'{trimmed}' is not an ISBN-13: ISBN-13s begin with 978 or 979"
            ));
        }
        let check = ean_check(&text.as_bytes()[..12]);
        if u32::from(check) != digit(chars[12]) {
            return Err(format!(
                "ISBN '{trimmed}' ends in {}, but its first twelve digits give the check digit {check}",
                chars[12]
            ));
        }
        return Ok(Some(text));
    }
    Err(format!(
        "'{trimmed}' is not an ISBN: only an ISBN-10 may end in X"
    ))
}

/// The EAN-13 check digit of twelve ASCII digits (weights 1, 3, 1, 3, …).
pub fn ean_check(first_twelve: &[u8]) -> u8 {
    let sum: u32 = first_twelve
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn isbn10_check(first_nine: &[char]) -> char {
    let sum: u32 = first_nine
        .iter()
        .enumerate()
        .map(|(i, c)| (10 - i as u32) * c.to_digit(10).unwrap_or(0))
        .sum();
    match (11 - sum % 11) % 11 {
        10 => 'X',
        d => char::from(b'0' + d as u8),
    }
}

/// An ISBN-13 with its usual hyphen after the prefix (`978-8412345678`): group boundaries
/// need the agency's range table, which roneo does not carry.
pub fn display(thirteen: &str) -> String {
    format!("ISBN {}-{}", &thirteen[..3], &thirteen[3..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbn_13_with_hyphens() {
        assert_eq!(
            parse("978-0-306-40615-7", true),
            Ok(Some("9780306406157".into()))
        );
        assert_eq!(
            parse("ISBN 978-0-306-40615-7", false),
            Ok(Some("9780306406157".into()))
        );
    }

    #[test]
    fn isbn_10_becomes_13() {
        assert_eq!(
            parse("0-306-40615-2", true),
            Ok(Some("9780306406157".into()))
        );
        assert_eq!(parse("080442957X", true), Ok(Some("9780804429573".into())));
    }

    #[test]
    fn wrong_check_digit() {
        let e = parse("978-0-306-40615-8", true).unwrap_err();
        assert!(e.contains("check digit 7"), "{e}");
        assert!(parse("0-306-40615-3", true)
            .unwrap_err()
            .contains("check digit 2"));
    }

    #[test]
    fn other_identifiers_are_not_isbns() {
        assert_eq!(parse("urn:uuid:1234", false), Ok(None));
        assert_eq!(parse("https://example.org/book", false), Ok(None));
        assert!(parse("https://example.org/book", true).is_err());
        assert!(parse("urn:isbn:12345", false).is_err());
    }
}
