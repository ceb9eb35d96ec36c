//! The `quire` command: parses arguments and maps results to exit codes. All work happens in
//! the library.

use clap::{Parser, Subcommand, ValueEnum};
use quire::build::{self, BuildOptions, Format, Report};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes, documented in the README.
const EXIT_MANUSCRIPT_ERRORS: u8 = 1;
const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "quire",
    version,
    about = "Markdown manuscripts to EPUB 3 ebooks and typeset PDF pamphlets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build manuscripts into ebooks and print files.
    Build {
        /// Manuscript files or folders, or project roots (default: the current directory).
        paths: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, default_value = "dist")]
        out: PathBuf,
        /// Output format (repeatable; default: every format).
        #[arg(long = "format", value_enum)]
        formats: Vec<FormatArg>,
    },
    /// Load and validate manuscripts without writing anything.
    Check {
        /// Manuscript files or folders, or project roots (default: the current directory).
        paths: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Epub,
    Pdf,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Epub => Format::Epub,
            FormatArg::Pdf => Format::Pdf,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build {
            paths,
            out,
            formats,
        } => build::build(&BuildOptions {
            paths,
            out_dir: out,
            formats: formats.into_iter().map(Format::from).collect(),
        }),
        Command::Check { paths } => build::check(&paths),
    };
    match result {
        Ok(report) => finish(&report),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn finish(report: &Report) -> ExitCode {
    for d in report.diagnostics() {
        eprintln!("{d}");
    }
    for m in &report.manuscripts {
        for o in &m.outputs {
            println!(
                "wrote {} ({} KB, {} ms)",
                quire::diagnostic::display_path(&o.path),
                o.bytes.div_ceil(1024),
                o.elapsed.as_millis()
            );
        }
    }
    if report.has_errors() {
        let errors: usize = report
            .manuscripts
            .iter()
            .map(|m| m.diagnostics.errors())
            .sum();
        eprintln!(
            "error: {errors} error(s); no output was written for the manuscripts with errors"
        );
        ExitCode::from(EXIT_MANUSCRIPT_ERRORS)
    } else {
        ExitCode::SUCCESS
    }
}
