//! `roneo build`: a progress bar on a terminal, plain lines otherwise, and a summary: every
//! output with its size, page count and time, or for a large build the counts and the slowest
//! manuscripts; on request also a Markdown table of the books (for a CI job's summary page).

use super::{Console, MessageFormat, EXIT_USAGE};
use crate::build::{BuildOptions, Format, ManuscriptReport, Report, Shard};
use crate::diagnostic::display_path;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Builds; with `markdown_summary`, appends the table of [`markdown_table`] to that file (as
/// GitHub's `$GITHUB_STEP_SUMMARY` expects: several steps may add to it).
pub fn run(options: &BuildOptions, console: &Console, markdown_summary: Option<&Path>) -> u8 {
    let bar = (!console.quiet
        && console.format == MessageFormat::Human
        && std::io::stderr().is_terminal())
    .then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} building {pos} manuscript(s) {wide_msg}")
                .unwrap(),
        );
        bar
    });
    let done = |m: &ManuscriptReport| match &bar {
        Some(bar) => {
            bar.inc(1);
            bar.set_message(display_path(&m.path));
        }
        None if console.verbose => eprintln!(
            "finished {} in {} ms",
            display_path(&m.path),
            m.elapsed.as_millis()
        ),
        None => {}
    };
    let report = match crate::build::build(options, &done) {
        Ok(report) => report,
        Err(message) => {
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let code = console.finish(&report);
    if !console.quiet && console.format != MessageFormat::Json {
        print!("{}", summary(&report, console.verbose, options.shard));
    }
    if let Some(file) = markdown_summary {
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .and_then(|mut f| f.write_all(markdown_table(&report).as_bytes()));
        if let Err(e) = written {
            eprintln!("error: cannot write the summary to {}: {e}", file.display());
            return EXIT_USAGE;
        }
    }
    code
}

/// One row per manuscript: reading pages, booklet sheets, EPUB size, warnings and errors.
pub fn markdown_table(report: &Report) -> String {
    let mut table = format!(
        "### Books\n\n{} manuscript(s), {} error(s), {} warning(s)\n\n\
         | manuscript | pages | sheets | EPUB | warnings | errors |\n\
         | --- | ---: | ---: | ---: | ---: | ---: |\n",
        report.manuscripts.len(),
        report.errors(),
        report.warnings()
    );
    for m in &report.manuscripts {
        let name = display_path(&m.path).replace('|', "\\|");
        if m.cached {
            table.push_str(&format!("| `{name}` | up to date | | | | |\n"));
            continue;
        }
        let output = |format: Format| m.outputs.iter().find(|o| o.format == format);
        let dash = || "—".to_string();
        let pages = output(Format::Pdf)
            .and_then(|o| o.pages)
            .map_or_else(dash, |p| p.to_string());
        // A booklet's pages are the two sides of each sheet.
        let sheets = output(Format::Booklet)
            .and_then(|o| o.pages)
            .map_or_else(dash, |p| (p / 2).to_string());
        let epub = output(Format::Epub)
            .map_or_else(dash, |o| format!("{:.1} KB", o.bytes as f64 / 1024.0));
        table.push_str(&format!(
            "| `{name}` | {pages} | {sheets} | {epub} | {} | {} |\n",
            m.diagnostics.warnings(),
            m.diagnostics.errors()
        ));
    }
    table.push('\n');
    table
}

/// Above this many manuscripts built, the summary is counts and the slowest, not a line per file.
const SHORT_SUMMARY_ABOVE: usize = 10;

/// How many of the slowest manuscripts a short summary names.
const SLOWEST: usize = 5;

/// What a build did: a line per file written (and, with `verbose`, per manuscript up to date)
/// for a few manuscripts or with `verbose`; for more, the counts and the slowest manuscripts.
/// The diagnostics are printed before, all of them, by [`Console::finish`].
fn summary(report: &Report, verbose: bool, shard: Option<Shard>) -> String {
    let mut text = String::new();
    let built: Vec<&ManuscriptReport> = report.manuscripts.iter().filter(|m| !m.cached).collect();
    let cached = report.manuscripts.len() - built.len();
    let failed = built.iter().filter(|m| m.diagnostics.has_errors()).count();
    let short = !verbose && built.len() > SHORT_SUMMARY_ABOVE;
    if !short {
        for m in &report.manuscripts {
            if m.cached {
                if verbose {
                    text.push_str(&format!("{:<40} up to date\n", display_path(&m.path)));
                }
                continue;
            }
            if verbose && m.diagnostics.has_errors() {
                text.push_str(&format!(
                    "{:<40} failed: {} error(s)\n",
                    display_path(&m.path),
                    m.diagnostics.errors()
                ));
            }
            // A site is many files: one line for its folder.
            let site: Vec<&crate::build::Output> = m
                .outputs
                .iter()
                .filter(|o| o.format == Format::Html)
                .collect();
            if let Some(index) = site.iter().find(|o| o.path.ends_with("index.html")) {
                let folder = index.path.parent().unwrap_or(&index.path);
                let same = site
                    .iter()
                    .filter(|o| o.note.as_deref() == Some(crate::build::UNCHANGED))
                    .count();
                let same = match same {
                    0 => String::new(),
                    n => format!(" ({n} unchanged)"),
                };
                text.push_str(&format!(
                    "wrote {:<40} {:>7.1} KB, {} files{same}, {} ms\n",
                    format!("{}/", display_path(folder)),
                    site.iter().map(|o| o.bytes).sum::<u64>() as f64 / 1024.0,
                    site.len(),
                    m.elapsed.as_millis()
                ));
            }
            for o in m.outputs.iter().filter(|o| o.format != Format::Html) {
                let pages = o.pages.map(|p| format!(", {p} pages")).unwrap_or_default();
                let notes: Vec<&str> = [Some(&o.note), verbose.then_some(&o.work)]
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                let pages = match notes.is_empty() {
                    false => format!("{pages} ({})", notes.join("; ")),
                    true => pages,
                };
                text.push_str(&format!(
                    "wrote {:<40} {:>7.1} KB{pages}, {} ms\n",
                    display_path(&o.path),
                    o.bytes as f64 / 1024.0,
                    m.elapsed.as_millis()
                ));
            }
        }
    }
    for path in &report.catalogue {
        text.push_str(&format!("wrote {} (the catalogue)\n", display_path(path)));
    }
    for path in &report.removed {
        text.push_str(&format!(
            "removed {} (its manuscript is gone or has another slug)\n",
            display_path(path)
        ));
    }
    let of_shard = shard.map(|s| format!(" (shard {s})")).unwrap_or_default();
    if report.manuscripts.is_empty() {
        text.push_str(&format!("no manuscripts to build{of_shard}\n"));
    } else if short {
        let files: usize = built.iter().map(|m| m.outputs.len()).sum();
        let bytes: u64 = built.iter().flat_map(|m| &m.outputs).map(|o| o.bytes).sum();
        text.push_str(&format!(
            "{} manuscript(s) built, {cached} up to date, {failed} failed{of_shard}: \
             {files} file(s) written, {:.1} MB\n",
            built.len() - failed,
            bytes as f64 / 1e6
        ));
        let mut slowest = built.clone();
        slowest.sort_by_key(|m| std::cmp::Reverse(m.elapsed));
        text.push_str("slowest:\n");
        for m in slowest.iter().take(SLOWEST) {
            text.push_str(&format!(
                "  {:>7} ms  {}\n",
                m.elapsed.as_millis(),
                display_path(&m.path)
            ));
        }
    } else if cached > 0 {
        text.push_str(&format!("{cached} manuscript(s) up to date\n"));
    }
    text
}
