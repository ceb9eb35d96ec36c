//! The subcommands, one file each: what they print and the exit code they end with. The
//! command-line parsing itself stays in `main.rs`.

pub mod build;
pub mod check;
pub mod init;
pub mod list;
pub mod new;
pub mod serve;
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
    /// GitHub Actions workflow commands (`::error file=…,line=…::message`) on standard output,
    /// which the runner turns into annotations on the files and lines.
    Github,
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
            MessageFormat::Github => {
                if !self.quiet || d.is_error() {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "{}", workflow_command(d));
                }
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
            MessageFormat::Human | MessageFormat::Github if failed => {
                let why = if errors > 0 {
                    format!("{errors} error(s)")
                } else {
                    format!("{warnings} warning(s) denied by --deny-warnings")
                };
                // Project errors (roneo.toml, two manuscripts with one slug) stop the build
                // before any manuscript.
                match report
                    .manuscripts
                    .iter()
                    .filter(|m| !m.diagnostics.is_empty())
                    .count()
                {
                    0 => eprintln!("error: {why}"),
                    n => eprintln!("error: {why} in {n} manuscript(s)"),
                }
            }
            MessageFormat::Human | MessageFormat::Github => {}
        }
        if failed {
            EXIT_MANUSCRIPT_ERRORS
        } else {
            EXIT_SUCCESS
        }
    }
}

/// A diagnostic as a GitHub Actions workflow command. Its help goes on the annotation's second
/// line; a line or column of 0 (unknown) is left out, as GitHub then marks the whole file.
pub fn workflow_command(d: &Diagnostic) -> String {
    let mut properties = Vec::new();
    if let Some(loc) = &d.location {
        properties.push(format!(
            "file={}",
            escape_property(&display_path(&loc.file))
        ));
        if loc.line > 0 {
            properties.push(format!("line={}", loc.line));
            if loc.column > 0 {
                properties.push(format!("col={}", loc.column));
            }
        }
    }
    properties.push(format!("title={}", escape_property(d.code)));
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    format!(
        "::{} {}::{}",
        d.severity.as_str(),
        properties.join(","),
        escape_data(&message)
    )
}

/// The escapes of GitHub's toolkit (`@actions/core`, command.ts): a message may not hold a
/// raw line break or `%`.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value additionally may not hold the `:` and `,` that delimit properties.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    #[test]
    fn workflow_commands_escape_as_githubs_toolkit_does() {
        let d = Diagnostic::error(
            "missing-image",
            "image 'a,b:c.png' not found: 100%\r\nreally",
        )
        .at(Location::new("manuscripts/we,ird:name.md", 7, 3))
        .help("check the spelling");
        assert_eq!(
            workflow_command(&d),
            "::error file=manuscripts/we%2Cird%3Aname.md,line=7,col=3,title=missing-image::\
             image 'a,b:c.png' not found: 100%25%0D%0Areally%0Ahelp: check the spelling"
        );
        let w = Diagnostic::warning("missing-lang", "no lang").at(Location::file("a.md"));
        assert_eq!(
            workflow_command(&w),
            "::warning file=a.md,title=missing-lang::no lang"
        );
        let bare = Diagnostic::error("x", "y");
        assert_eq!(workflow_command(&bare), "::error title=x::y");
    }
}
