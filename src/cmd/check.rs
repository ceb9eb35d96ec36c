//! `roneo check`: every problem, nothing written.

use super::{Console, EXIT_USAGE};
use crate::build::Shard;
use std::path::PathBuf;

pub fn run(paths: &[PathBuf], shard: Option<Shard>, console: &Console) -> u8 {
    match crate::build::check(paths, shard, crate::build::default_jobs()) {
        Ok(report) => {
            let code = console.finish(&report);
            if console.format != super::MessageFormat::Json
                && !console.quiet
                && code == super::EXIT_SUCCESS
            {
                eprintln!(
                    "checked {} manuscript(s): {} warning(s)",
                    report.manuscripts.len(),
                    report.warnings()
                );
            }
            code
        }
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_USAGE
        }
    }
}
