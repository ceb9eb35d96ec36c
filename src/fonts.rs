//! The fonts roneo ships in `fonts/`, compiled into the binary so that a build needs no system
//! fonts. All are open-licensed; their licences sit beside them in `fonts/`.

/// One font file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FontFace {
    /// File name, also used inside packages (`LinLibertine_R.otf`).
    pub file: &'static str,
    pub family: &'static str,
    pub italic: bool,
    pub bold: bool,
    pub media_type: &'static str,
    pub data: &'static [u8],
}

macro_rules! face {
    ($path:literal, $file:literal, $family:literal, $italic:expr, $bold:expr, $media:literal) => {
        FontFace {
            file: $file,
            family: $family,
            italic: $italic,
            bold: $bold,
            media_type: $media,
            data: include_bytes!(concat!("../fonts/", $path, "/", $file)),
        }
    };
}

/// The body family (Linux Libertine O): regular, italic, bold, bold italic.
pub const BODY: [FontFace; 4] = [
    face!(
        "libertine",
        "LinLibertine_R.otf",
        "Linux Libertine O",
        false,
        false,
        "font/otf"
    ),
    face!(
        "libertine",
        "LinLibertine_RI.otf",
        "Linux Libertine O",
        true,
        false,
        "font/otf"
    ),
    face!(
        "libertine",
        "LinLibertine_RB.otf",
        "Linux Libertine O",
        false,
        true,
        "font/otf"
    ),
    face!(
        "libertine",
        "LinLibertine_RBI.otf",
        "Linux Libertine O",
        true,
        true,
        "font/otf"
    ),
];

/// Monospace for code (DejaVu Sans Mono).
pub const MONO: FontFace = face!(
    "dejavu",
    "DejaVuSansMono.ttf",
    "DejaVu Sans Mono",
    false,
    false,
    "font/ttf"
);

/// Fallback with wide coverage for characters the body family lacks (Noto Serif).
pub const FALLBACK: FontFace = face!(
    "noto",
    "NotoSerif-Regular.ttf",
    "Noto Serif",
    false,
    false,
    "font/ttf"
);

/// The body face for a style.
pub fn body(italic: bool, bold: bool) -> &'static FontFace {
    &BODY[usize::from(italic) + 2 * usize::from(bold)]
}

/// Whether a shipped font can print `c`: the body family (or the monospace face for code), then
/// the fallback. White space and invisible format characters need no glyph.
pub fn can_print(c: char, code: bool) -> bool {
    use std::sync::OnceLock;
    static FACES: OnceLock<Vec<rustybuzz::ttf_parser::Face<'static>>> = OnceLock::new();
    // Every shipped face has printable ASCII (tested in `typeset::shape`): most text needs no
    // lookup.
    if c.is_ascii_graphic()
        || c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}'
        )
    {
        return true;
    }
    let faces = FACES.get_or_init(|| {
        [BODY[0], MONO, FALLBACK]
            .iter()
            .filter_map(|f| rustybuzz::ttf_parser::Face::parse(f.data, 0).ok())
            .collect()
    });
    let (primary, fallback) = if code {
        (&faces[1], &faces[2])
    } else {
        (&faces[0], &faces[2])
    };
    primary.glyph_index(c).is_some() || fallback.glyph_index(c).is_some()
}

#[cfg(test)]
mod tests {
    #[test]
    fn coverage() {
        assert!(
            super::can_print('ñ', false)
                && super::can_print('Ж', false)
                && super::can_print('\u{202F}', false)
        );
        assert!(!super::can_print('日', false));
    }
}
