//! roneo: Markdown manuscripts to EPUB 3 ebooks and typeset PDF pamphlets.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`manuscript`] (files, front matter, assets) → [`document`] (one format-neutral tree) →
//! a resolved [`style`] → [`epub`], or [`typeset`] (pages) → [`pdf`]. The [`build`] module orchestrates which manuscripts and formats are built.

pub mod build;
pub mod cmd;
pub mod cover;
pub mod date;
pub mod diagnostic;
pub mod document;
pub mod epub;
pub mod fonts;
pub mod html;
pub mod impose;
pub mod lang;
pub mod locale;
pub mod manuscript;
pub mod pdf;
pub mod style;
pub mod text;
pub mod typeset;
