//! The `roneo` command: parses arguments and hands over to the library's commands, whose
//! result is the exit code.

use clap::{Args, Parser, Subcommand, ValueEnum};
use roneo::build::{BookletOptions, BuildOptions, Format, Shard};
use roneo::cmd::{self, Console, MessageFormat};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc: the typesetter and the PDF writer allocate many small, short-lived values (glyph
/// runs, content streams); glibc's allocator spent a fifth of a long book's build on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "roneo",
    version,
    about = "Markdown manuscripts to EPUB 3 ebooks and typeset PDF pamphlets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a press's manuscript repository: project file, an example, CI.
    Init {
        /// The repository's folder (default: the current directory).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The CI file to write.
        #[arg(long, value_enum, default_value = "github")]
        ci: CiArg,
        /// The GitHub workflow builds the catalogue in N parts at once, one job each (default:
        /// one part per 40 manuscripts the project has now, at most 8). A GitHub matrix takes
        /// at most 256 jobs.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
        shards: Option<u16>,
    },
    /// Build manuscripts into ebooks and print files.
    Build {
        #[command(flatten)]
        args: BuildArgs,
        /// Append a Markdown table of the books (pages, sheets, EPUB size, warnings) to FILE,
        /// e.g. "$GITHUB_STEP_SUMMARY".
        #[arg(long, value_name = "FILE")]
        summary: Option<PathBuf>,
    },
    /// Load and validate manuscripts without writing anything.
    Check {
        /// Manuscript files or folders, or project roots (default: the current directory).
        paths: Vec<PathBuf>,
        /// Only part K of N of the manuscripts (stable: by a hash of each one's path).
        #[arg(long, value_name = "K/N")]
        shard: Option<Shard>,
        #[command(flatten)]
        console: ConsoleArgs,
    },
    /// List the manuscripts with their slugs and the files each format is written to.
    List {
        /// Manuscript files or folders, or project roots (default: the current directory).
        paths: Vec<PathBuf>,
        /// Output folder (default: `out` in roneo.toml, else dist).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only part K of N of the manuscripts (stable: by a hash of each one's path).
        #[arg(long, value_name = "K/N")]
        shard: Option<Shard>,
        /// A table, or one JSON object on standard output.
        #[arg(long, value_enum, default_value = "human")]
        message_format: ListFormatArg,
    },
    /// Build, then rebuild whatever changes until interrupted.
    Watch(BuildArgs),
    /// Build the web edition (and only the other formats asked with --format), serve the
    /// output folder on 127.0.0.1, rebuild on change and reload the pages open in a browser,
    /// until interrupted.
    Serve {
        #[command(flatten)]
        args: BuildArgs,
        /// The port on 127.0.0.1 (0: any free port; the address is printed).
        #[arg(long, default_value_t = 8000)]
        port: u16,
    },
    /// Create a new manuscript in the project's manuscripts/<SLUG>.
    New {
        slug: String,
        /// The manuscript's title (default: from the slug).
        #[arg(long)]
        title: Option<String>,
        /// Its language (BCP 47).
        #[arg(long, default_value = "en")]
        lang: String,
    },
}

#[derive(Args)]
struct BuildArgs {
    /// Manuscript files or folders, or project roots (default: the current directory).
    paths: Vec<PathBuf>,
    /// Output folder (default: `out` in roneo.toml, else dist).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Output format (repeatable; default: epub, pdf and booklet).
    #[arg(long = "format", value_enum)]
    formats: Vec<FormatArg>,
    /// Rebuild even the manuscripts whose outputs are up to date.
    #[arg(long)]
    force: bool,
    /// Manuscripts built at once, each on a thread of its own (default: the number of cores).
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Only part K of N of the manuscripts (stable: by a hash of each one's path), for N
    /// machines to build one part each.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Booklets: pages per signature (a multiple of 4) for long booklets sewn in gatherings.
    #[arg(long, value_name = "N")]
    signature: Option<usize>,
    /// Booklets: crop marks (and room for the bleed set by `bleed:`).
    #[arg(long)]
    marks: bool,
    #[command(flatten)]
    console: ConsoleArgs,
}

#[derive(Args)]
struct ConsoleArgs {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    message_format: MessageFormatArg,
    /// Fail (exit 1) when there are warnings.
    #[arg(long)]
    deny_warnings: bool,
    /// Print only errors.
    #[arg(short, long)]
    quiet: bool,
    /// Print more: timings and skipped manuscripts.
    #[arg(short, long, conflicts_with = "quiet")]
    verbose: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Epub,
    Pdf,
    Booklet,
    /// A bound book's cover spread (back, spine, front), only when asked for.
    Cover,
    /// The web edition: a static site in DIR/<slug>/, only when asked for.
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum MessageFormatArg {
    Human,
    Json,
    /// GitHub Actions annotations.
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormatArg {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum CiArg {
    /// .github/workflows/build-books.yml
    Github,
    /// .gitlab-ci.yml
    Gitlab,
    /// No CI file.
    None,
}

impl ConsoleArgs {
    fn console(&self) -> Console {
        Console {
            format: match self.message_format {
                MessageFormatArg::Human => MessageFormat::Human,
                MessageFormatArg::Json => MessageFormat::Json,
                MessageFormatArg::Github => MessageFormat::Github,
            },
            quiet: self.quiet,
            verbose: self.verbose,
            deny_warnings: self.deny_warnings,
        }
    }
}

impl BuildArgs {
    fn options(&self) -> BuildOptions {
        BuildOptions {
            paths: self.paths.clone(),
            out_dir: self.out.clone(),
            formats: self
                .formats
                .iter()
                .map(|f| match f {
                    FormatArg::Epub => Format::Epub,
                    FormatArg::Pdf => Format::Pdf,
                    FormatArg::Booklet => Format::Booklet,
                    FormatArg::Cover => Format::Cover,
                    FormatArg::Html => Format::Html,
                })
                .collect(),
            use_cache: !self.force,
            booklet: BookletOptions {
                signature: self.signature,
                marks: self.marks,
            },
            jobs: self
                .jobs
                .map_or_else(roneo::build::default_jobs, usize::from),
            shard: self.shard,
            deny_warnings: self.console.deny_warnings,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(match cli.command {
        Command::Init { dir, ci, shards } => cmd::init::run(
            &dir,
            match ci {
                CiArg::Github => cmd::init::Ci::Github,
                CiArg::Gitlab => cmd::init::Ci::Gitlab,
                CiArg::None => cmd::init::Ci::None,
            },
            shards.map(usize::from),
        ),
        Command::Build { args, summary } => {
            cmd::build::run(&args.options(), &args.console.console(), summary.as_deref())
        }
        Command::Check {
            paths,
            shard,
            console,
        } => cmd::check::run(&paths, shard, &console.console()),
        Command::List {
            paths,
            out,
            shard,
            message_format,
        } => cmd::list::run(
            &paths,
            out.as_deref(),
            shard,
            matches!(message_format, ListFormatArg::Json),
        ),
        Command::Watch(args) => cmd::watch::run(&args.options(), &args.console.console()),
        Command::Serve { args, port } => {
            cmd::serve::run(&args.options(), &args.console.console(), port)
        }
        Command::New { slug, title, lang } => cmd::new::run(&slug, title.as_deref(), &lang),
    })
}
