//! The subcommands, one file each: what they print and the exit code they end with. The
//! command-line parsing itself stays in `main.rs`.

pub mod build;
pub mod check;
pub mod new;
pub mod watch;

use crate::build::Report;
use crate::diagnostic::{display_path, Diagnostic};
use std::io::Write;

/// Exit codes, documented in the README.
pub const EXIT_SUCCESS: u8 = 0;
pub const EXIT_MANUSCRIPT_ERRORS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageFormat {
    /// Compiler-style lines on standard error.
    #[default]
    Human,
    /// One JSON object per line on standard output, then a summary object.
    Json,
}

/// Output settings shared by the commands.
#[derive(Debug, Clone, Copy, Default)]
pub struct Console {
    pub format: MessageFormat,
    pub quiet: bool,
    pub verbose: bool,
    pub deny_warnings: bool,
}

impl Console {
    pub fn diagnostic(&self, d: &Diagnostic) {
        match self.format {
            MessageFormat::Human => {
                if !(self.quiet && !d.is_error()) {
                    eprintln!("{d}");
                }
            }
            MessageFormat::Json => {
                let loc = d.location.as_ref();
                let value = serde_json::json!({
                    "type": "diagnostic",
                    "code": d.code,
                    "severity": d.severity.as_str(),
                    "file": loc.map(|l| display_path(&l.file)),
                    "line": loc.map(|l| l.line).filter(|&l| l > 0),
                    "column": loc.map(|l| l.column).filter(|&c| c > 0),
                    "message": d.message,
                    "help": d.help,
                });
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{value}");
            }
        }
    }

    /// Prints every diagnostic and the closing line; returns the exit code the run ends with.
    pub fn finish(&self, report: &Report) -> u8 {
        for d in report.diagnostics() {
            self.diagnostic(d);
        }
        let (errors, warnings) = (report.errors(), report.warnings());
        let failed = errors > 0 || (self.deny_warnings && warnings > 0);
        match self.format {
            MessageFormat::Json => {
                let value = serde_json::json!({
                    "type": "summary",
                    "manuscripts": report.manuscripts.len(),
                    "errors": errors,
                    "warnings": warnings,
                    "success": !failed,
                });
                println!("{value}");
            }
            MessageFormat::Human if failed => {
                let why = if errors > 0 {
                    format!("{errors} error(s)")
                } else {
                    format!("{warnings} warning(s) denied by --deny-warnings")
                };
                eprintln!(
                    "error: {why} in {} manuscript(s)",
                    report
                        .manuscripts
                        .iter()
                        .filter(|m| !m.diagnostics.is_empty())
                        .count()
                );
            }
            MessageFormat::Human => {}
        }
        if failed {
            EXIT_MANUSCRIPT_ERRORS
        } else {
            EXIT_SUCCESS
        }
    }
}
