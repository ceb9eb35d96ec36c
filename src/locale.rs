//! Words the outputs print themselves (not the author's), per language.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Contents,
    Cover,
    TitlePage,
    Colophon,
    Start,
    Figure,
    Notes,
    BackToText,
    Pages,
    Landmarks,
    By,
    Identifier,
    Published,
    Page,
}

/// The label in `lang` (primary subtag), English when the language is not covered.
pub fn label(lang: &str, label: Label) -> &'static str {
    use Label::*;
    let primary = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match (primary.as_str(), label) {
        ("es", Contents) => "Índice",
        ("es", Cover) => "Cubierta",
        ("es", TitlePage) => "Portada",
        ("es", Colophon) => "Colofón",
        ("es", Start) => "Comienzo",
        ("es", Figure) => "Figura",
        ("es", Notes) => "Notas",
        ("es", BackToText) => "Volver al texto",
        ("es", Pages) => "Páginas",
        ("es", Landmarks) => "Puntos de referencia",
        ("es", By) => "por",
        ("es", Identifier) => "Identificador",
        ("es", Published) => "Publicado",
        ("es", Page) => "Página",
        ("fr", Contents) => "Table des matières",
        ("fr", Cover) => "Couverture",
        ("fr", TitlePage) => "Page de titre",
        ("fr", Colophon) => "Colophon",
        ("fr", Start) => "Début",
        ("fr", Figure) => "Figure",
        ("fr", Notes) => "Notes",
        ("fr", BackToText) => "Retour au texte",
        ("fr", Pages) => "Pages",
        ("fr", Landmarks) => "Repères",
        ("fr", By) => "par",
        ("fr", Identifier) => "Identifiant",
        ("fr", Published) => "Publié",
        ("fr", Page) => "Page",
        ("de", Contents) => "Inhalt",
        ("de", Cover) => "Umschlag",
        ("de", TitlePage) => "Titelseite",
        ("de", Colophon) => "Impressum",
        ("de", Start) => "Beginn",
        ("de", Figure) => "Abbildung",
        ("de", Notes) => "Anmerkungen",
        ("de", BackToText) => "Zurück zum Text",
        ("de", Pages) => "Seiten",
        ("de", Landmarks) => "Orientierungspunkte",
        ("de", By) => "von",
        ("de", Identifier) => "Kennung",
        ("de", Published) => "Erschienen",
        ("de", Page) => "Seite",
        (_, Contents) => "Contents",
        (_, Cover) => "Cover",
        (_, TitlePage) => "Title page",
        (_, Colophon) => "Colophon",
        (_, Start) => "Start of content",
        (_, Figure) => "Figure",
        (_, Notes) => "Notes",
        (_, BackToText) => "Back to text",
        (_, Pages) => "Pages",
        (_, Landmarks) => "Landmarks",
        (_, By) => "by",
        (_, Identifier) => "Identifier",
        (_, Published) => "Published",
        (_, Page) => "Page",
    }
}
