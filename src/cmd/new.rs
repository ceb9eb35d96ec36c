//! `roneo new <slug>`: a manuscript folder with front matter, a chapter and an images folder,
//! in the project the current directory lies in.

use super::{EXIT_SUCCESS, EXIT_USAGE};
use std::path::Path;

pub fn run(slug: &str, title: Option<&str>, lang: &str) -> u8 {
    let Some(project) = crate::manuscript::project::enclosing_root(Path::new(".")) else {
        eprintln!(
            "error: not in a roneo project: no manuscripts/ folder or {} here or above\n  = help: start one with `roneo init`, then run `roneo new {slug}` inside it",
            crate::manuscript::project::CONFIG_FILE
        );
        return EXIT_USAGE;
    };
    if crate::manuscript::slugify(slug) != slug {
        eprintln!(
            "error: '{slug}' is not a slug; use lower-case letters, digits and hyphens, e.g. '{}'",
            crate::manuscript::slugify(slug)
        );
        return EXIT_USAGE;
    }
    if let Some(problem) = crate::lang::problem(lang) {
        eprintln!(
            "error: --lang '{lang}' {problem}; use a BCP 47 tag such as `en`, `es`, `fr-CA` or `pt-BR`"
        );
        return EXIT_USAGE;
    }
    let dir = project.join("manuscripts").join(slug);
    if dir.exists() {
        eprintln!(
            "error: {} already exists",
            crate::diagnostic::display_path(&dir)
        );
        return EXIT_USAGE;
    }
    // Two manuscripts with one slug would write the same files.
    let existing = crate::manuscript::discover(&project).unwrap_or_default();
    if let Some(other) = existing
        .iter()
        .find(|m| crate::manuscript::slug_of(m) == slug)
    {
        eprintln!(
            "error: {} already has the slug '{slug}'; choose another",
            crate::diagnostic::display_path(other)
        );
        return EXIT_USAGE;
    }
    let title = title.map(str::to_string).unwrap_or_else(|| {
        let mut t = slug.replace('-', " ");
        if let Some(first) = t.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        t
    });
    let index = format!(
        "---\ntitle: {}\nauthor: \nlang: {lang}\ndate: \npublisher: \nrights: \nchapters:\n  - 01-introduction.md\n---\n",
        yaml_string(&title)
    );
    let chapter = "# Introduction\n\nWrite here. An image alone in its paragraph becomes a figure:\n\n\
                   <!-- ![Caption shown under the image.](images/photo.jpg){#fig-photo alt=\"What the image shows\" credit=\"Photo: …\"} -->\n";
    let result = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(dir.join("images"))?;
        std::fs::write(dir.join("index.md"), index)?;
        std::fs::write(dir.join("01-introduction.md"), chapter)?;
        std::fs::write(dir.join("images/.gitkeep"), "")?;
        Ok(())
    })();
    match result {
        Ok(()) => {
            println!("created {}", crate::diagnostic::display_path(&dir));
            EXIT_SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot create {}: {e}", dir.display());
            EXIT_USAGE
        }
    }
}

fn yaml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
