//! `roneo build`: a progress bar on a terminal, plain lines otherwise, and a summary of every
//! output with its size, page count and time.

use super::{Console, MessageFormat, EXIT_USAGE};
use crate::build::{BuildOptions, ManuscriptReport, Report};
use crate::diagnostic::display_path;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

pub fn run(options: &BuildOptions, console: &Console) -> u8 {
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
    if !console.quiet && console.format == MessageFormat::Human {
        summary(&report, console.verbose);
    }
    code
}

fn summary(report: &Report, verbose: bool) {
    for m in &report.manuscripts {
        if m.cached {
            if verbose {
                println!("{:<40} up to date", display_path(&m.path));
            }
            continue;
        }
        for o in &m.outputs {
            let pages = o.pages.map(|p| format!(", {p} pages")).unwrap_or_default();
            let pages = match &o.note {
                Some(note) => format!("{pages} ({note})"),
                None => pages,
            };
            println!(
                "wrote {:<40} {:>7.1} KB{pages}, {} ms",
                display_path(&o.path),
                o.bytes as f64 / 1024.0,
                m.elapsed.as_millis()
            );
        }
    }
    for path in &report.removed {
        println!(
            "removed {} (its manuscript is gone or has another slug)",
            display_path(path)
        );
    }
    let cached = report.manuscripts.iter().filter(|m| m.cached).count();
    if cached > 0 {
        println!("{cached} manuscript(s) up to date");
    }
}
