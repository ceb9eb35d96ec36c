//! `roneo list`: the manuscripts, their slugs and where each format is written, as a table or
//! as one JSON object (for scripts and CI).

use super::{Console, MessageFormat, EXIT_MANUSCRIPT_ERRORS, EXIT_SUCCESS, EXIT_USAGE};
use crate::build::{Listed, Shard};
use crate::diagnostic::display_path;
use std::path::{Path, PathBuf};

/// Lists in `format` (human or JSON) on standard output; diagnostics go to standard error.
pub fn run(paths: &[PathBuf], out: Option<&Path>, shard: Option<Shard>, json: bool) -> u8 {
    let (listed, diagnostics) = match crate::build::list(paths, out, shard) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let console = Console {
        format: MessageFormat::Human,
        ..Console::default()
    };
    for d in diagnostics.iter() {
        console.diagnostic(d);
    }
    if diagnostics.has_errors() {
        eprintln!("error: {} error(s)", diagnostics.errors());
        return EXIT_MANUSCRIPT_ERRORS;
    }
    if json {
        println!("{}", as_json(&listed));
    } else {
        print!("{}", table(&listed));
    }
    EXIT_SUCCESS
}

fn as_json(listed: &[Listed]) -> serde_json::Value {
    let manuscripts: Vec<serde_json::Value> = listed
        .iter()
        .map(|m| {
            let outputs: serde_json::Map<String, serde_json::Value> = m
                .outputs
                .iter()
                .map(|(format, path)| (format.name().to_string(), display_path(path).into()))
                .collect();
            serde_json::json!({
                "path": display_path(&m.path),
                "slug": m.slug,
                "outputs": outputs,
            })
        })
        .collect();
    serde_json::json!({ "manuscripts": manuscripts })
}

/// One row per manuscript: its path, its slug, its outputs.
fn table(listed: &[Listed]) -> String {
    let rows: Vec<[String; 3]> = listed
        .iter()
        .map(|m| {
            let outputs: Vec<String> = m.outputs.iter().map(|(_, p)| display_path(p)).collect();
            [display_path(&m.path), m.slug.clone(), outputs.join("  ")]
        })
        .collect();
    let header = ["manuscript".to_string(), "slug".into(), "outputs".into()];
    let width = |column: usize| {
        rows.iter()
            .chain([&header])
            .map(|r| r[column].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (first, second) = (width(0), width(1));
    let mut text = String::new();
    for [path, slug, outputs] in std::iter::once(&header).chain(&rows) {
        text.push_str(&format!("{path:<first$}  {slug:<second$}  {outputs}\n"));
    }
    text
}
