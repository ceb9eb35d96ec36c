//! The web edition (`--format html`): every shipped manuscript as a site whose pages the Nu
//! HTML Checker accepts, axe-core finds no WCAG 2.1 AA violation in, load nothing from another
//! host and fit a phone's width; byte-reproducible, cached, with canonical addresses and cards
//! under `base-url`.

mod common;

use common::*;
use scraper::{Html, Selector};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds the repository's manuscripts as sites beside their EPUB and PDF, into a new folder.
fn shipped_sites() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let o = roneo(
        &repo(),
        &[
            "build",
            ".",
            "--out",
            out.path().to_str().unwrap(),
            "--format",
            "html",
            "--format",
            "epub",
            "--format",
            "pdf",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    out
}

/// Every file under `dir`, relative to it, with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

/// The HTML pages of the sites in `out`, relative to it.
fn pages(out: &Path) -> Vec<PathBuf> {
    tree(out)
        .into_keys()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

fn vnu_jar() -> Option<PathBuf> {
    std::env::var_os("RONEO_VNU_JAR")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .filter(|_| tool("java").is_some())
        .or_else(|| {
            missing(
                "the Nu HTML Checker",
                "set RONEO_VNU_JAR to vnu.jar (npm vnu-jar; .ci/run installs it)",
            )
        })
}

/// The folder whose `node_modules` hold axe-core and puppeteer-core, with node and Chromium.
fn browser() -> Option<PathBuf> {
    let dir = std::env::var_os("RONEO_AXE_DIR")
        .map(PathBuf::from)
        .filter(|d| d.join("node_modules/axe-core/axe.min.js").is_file())
        .filter(|d| d.join("node_modules/puppeteer-core").is_dir());
    let chromium = std::env::var_os("PUPPETEER_EXECUTABLE_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    match dir {
        Some(dir) if tool("node").is_some() && chromium.is_file() => Some(dir),
        _ => missing(
            "axe-core, puppeteer-core, node and Chromium",
            "set RONEO_AXE_DIR to a folder with npm's axe-core and puppeteer-core, and PUPPETEER_EXECUTABLE_PATH to chromium (.ci/run does)",
        ),
    }
}

/// Runs tests/fixtures/web/browser.js; its JSON answer.
fn run_browser(axe_dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new("node")
        .arg(repo().join("tests/fixtures/web/browser.js"))
        .args(args)
        .env("RONEO_AXE_DIR", axe_dir)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "browser.js failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stdout));
    })
}

/// Whether a reference names a place on another host (a scheme with `//`, or `//host`).
fn other_host(reference: &str) -> bool {
    let r = reference.trim().to_ascii_lowercase();
    r.starts_with("//") || r.contains("://")
}

#[test]
fn every_page_is_valid_html5_and_loads_nothing_from_another_host() {
    let out = shipped_sites();
    let pages = pages(out.path());
    for site in ["chile-1973", "imprenta-cooperativa"] {
        assert!(
            pages.contains(&PathBuf::from(format!("{site}/index.html"))),
            "{pages:?}"
        );
    }
    // A page per chapter beside the title page and contents; the one-chapter article is one page.
    for chapter in ["ch01", "ch02", "ch03"] {
        assert!(pages.contains(&PathBuf::from(format!(
            "imprenta-cooperativa/{chapter}.html"
        ))));
    }
    assert!(!pages.contains(&PathBuf::from("chile-1973/ch01.html")));
    let resource = Selector::parse("[src], [srcset], link[href], [poster], object[data]").unwrap();
    let link = Selector::parse("a[href]").unwrap();
    let ids = |page: &Path| -> Vec<String> {
        let html = Html::parse_document(&std::fs::read_to_string(out.path().join(page)).unwrap());
        let any = Selector::parse("[id]").unwrap();
        html.select(&any)
            .map(|e| e.value().attr("id").unwrap().to_string())
            .collect()
    };
    let mut page_anchors = 0;
    for page in &pages {
        let text = std::fs::read_to_string(out.path().join(page)).unwrap();
        let html = Html::parse_document(&text);
        assert!(
            !text.contains("<script")
                || text.matches("<script").count()
                    == text
                        .matches("<script type=\"application/ld+json\">")
                        .count(),
            "{}: a script that is not JSON-LD data",
            page.display()
        );
        for e in html.select(&resource) {
            for attr in ["src", "srcset", "href", "poster", "data"] {
                if let Some(value) = e.value().attr(attr) {
                    assert!(
                        !other_host(value),
                        "{}: <{} {attr}=\"{value}\">",
                        page.display(),
                        e.value().name()
                    );
                }
            }
        }
        // Every link inside the site leads to a file that is there, and to an id on it.
        for a in html.select(&link) {
            let href = a.value().attr("href").unwrap();
            if other_host(href) || href.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = href.split_once('#').unwrap_or((href, ""));
            let target = match file {
                "" => page.clone(),
                folder if folder.ends_with('/') => {
                    page.parent().unwrap().join(folder).join("index.html")
                }
                file => page.parent().unwrap().join(file),
            };
            let resolved = out.path().join(&target);
            assert!(
                resolved.is_file(),
                "{}: a link to {href}, which is not there",
                page.display()
            );
            if !fragment.is_empty() {
                assert!(
                    ids(&target).iter().any(|id| id == fragment),
                    "{}: no id {fragment} for {href}",
                    page.display()
                );
            }
        }
        page_anchors += text.matches(" id=\"page-").count();
    }
    assert!(
        page_anchors >= 8,
        "the print pages are anchors: {page_anchors}"
    );
    // The fonts and images are the site's own.
    for site in ["chile-1973", "imprenta-cooperativa"] {
        let css = std::fs::read_to_string(out.path().join(site).join("style.css")).unwrap();
        assert!(css.contains("@media print"), "a print stylesheet");
        for url in css.split("url(").skip(1) {
            let url = url.split(')').next().unwrap().trim_matches(['"', '\'']);
            assert!(!other_host(url), "style.css: url({url})");
            assert!(
                out.path().join(site).join(url).is_file(),
                "style.css: {url} is not there"
            );
        }
    }
    // Notes open as pop-overs: each button names a note that is a pop-over.
    let ch01 = std::fs::read_to_string(out.path().join("imprenta-cooperativa/ch01.html")).unwrap();
    let html = Html::parse_document(&ch01);
    let buttons = Selector::parse("button[popovertarget]").unwrap();
    let mut notes = 0;
    for b in html.select(&buttons) {
        let id = b.value().attr("popovertarget").unwrap();
        let note = Selector::parse(&format!("aside[popover][id=\"{id}\"]")).unwrap();
        assert!(html.select(&note).next().is_some(), "no pop-over note {id}");
        notes += 1;
    }
    assert!(notes > 0, "{ch01}");

    vnu(out.path(), &pages);
}

/// The Nu HTML Checker finds no error in any of `pages` (under `out`).
fn vnu(out: &Path, pages: &[PathBuf]) {
    let Some(jar) = vnu_jar() else { return };
    let mut command = Command::new("java");
    command
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "json"]);
    for page in pages {
        command.arg(out.join(page));
    }
    let o = command.output().unwrap();
    // vnu writes its JSON report on standard error.
    let report: serde_json::Value = serde_json::from_slice(&o.stderr)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    let messages = report["messages"].as_array().unwrap();
    assert!(messages.is_empty(), "{:#}", report["messages"]);
    assert!(o.status.success());
}

#[test]
fn the_hard_case_corpus_is_valid_accessible_and_fits_a_phone() {
    let out = tempfile::tempdir().unwrap();
    let o = roneo(
        &repo(),
        &[
            "build",
            "tests/corpus/hard-cases",
            "--out",
            out.path().to_str().unwrap(),
            "--format",
            "html",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pages = pages(out.path());
    assert!(pages.len() > 5, "{pages:?}");
    vnu(out.path(), &pages);
    let Some(axe) = browser() else { return };
    let names: Vec<String> = pages
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    let mut args = vec!["axe", out.path().to_str().unwrap()];
    args.extend(names.iter().map(String::as_str));
    let result = run_browser(&axe, &args);
    for page in &names {
        assert_eq!(
            result[page.as_str()],
            serde_json::json!([]),
            "{page}: {:#}",
            result[page.as_str()]
        );
    }
    let shots = tempfile::tempdir().unwrap();
    for page in &names {
        let r = run_browser(
            &axe,
            &[
                "layout",
                out.path().to_str().unwrap(),
                page,
                shots.path().to_str().unwrap(),
                "375",
            ],
        );
        assert_eq!(
            r["375"]["wide"],
            serde_json::json!([]),
            "{page} at 375 px: {:#}",
            r["375"]
        );
        assert!(
            r["375"]["scrollWidth"].as_u64() <= r["375"]["innerWidth"].as_u64(),
            "{page}"
        );
    }
}

#[test]
fn axe_finds_no_wcag_21_aa_violation_on_any_page() {
    let out = shipped_sites();
    let Some(axe) = browser() else { return };
    let pages: Vec<String> = pages(out.path())
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    let mut args = vec!["axe", out.path().to_str().unwrap()];
    args.extend(pages.iter().map(String::as_str));
    let result = run_browser(&axe, &args);
    for page in &pages {
        assert_eq!(
            result[page.as_str()],
            serde_json::json!([]),
            "{page}: {:#}",
            result[page.as_str()]
        );
    }
    assert_eq!(
        result["foreign"],
        serde_json::json!([]),
        "requests to another host"
    );
}

#[test]
fn the_seed_fits_a_phone_and_a_desktop() {
    let out = shipped_sites();
    let Some(axe) = browser() else { return };
    let shots = repo().join("target/web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let result = run_browser(
        &axe,
        &[
            "layout",
            out.path().to_str().unwrap(),
            "chile-1973/index.html",
            shots.to_str().unwrap(),
            "375",
            "1280",
        ],
    );
    for width in ["375", "1280"] {
        let r = &result[width];
        assert!(
            r["scrollWidth"].as_u64().unwrap() <= r["innerWidth"].as_u64().unwrap(),
            "{width} px: the page is wider than the window: {r:#}"
        );
        assert_eq!(
            r["wide"],
            serde_json::json!([]),
            "{width} px: elements past the window's edge"
        );
        // The text is set in the site's own fonts.
        assert!(
            r["fonts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "Linux Libertine O"),
            "{r:#}"
        );
        assert!(shots.join(format!("{width}.png")).is_file());
    }
    assert_eq!(result["foreign"], serde_json::json!([]));
}

#[test]
fn the_web_edition_is_reproducible_and_a_no_op_rebuild_writes_nothing() {
    let a = shipped_sites();
    let b = shipped_sites();
    let site = |t: BTreeMap<PathBuf, Vec<u8>>| -> BTreeMap<PathBuf, Vec<u8>> {
        // The sites, the catalogue and the feed (not the cache, which records times).
        t.into_iter()
            .filter(|(p, _)| !p.to_str().unwrap().starts_with('.'))
            .collect()
    };
    let (first, second) = (site(tree(a.path())), site(tree(b.path())));
    assert!(first.len() > 15, "{:?}", first.keys());
    assert!(first == second, "two builds of the same manuscripts differ");

    let times = |dir: &Path| -> BTreeMap<PathBuf, std::time::SystemTime> {
        tree(dir)
            .into_keys()
            .map(|p| {
                (
                    p.clone(),
                    std::fs::metadata(dir.join(&p)).unwrap().modified().unwrap(),
                )
            })
            .collect()
    };
    let args = |out: &Path| {
        vec![
            "build".to_string(),
            ".".into(),
            "--out".into(),
            out.to_str().unwrap().into(),
            "--format".into(),
            "html".into(),
            "--format".into(),
            "epub".into(),
            "--format".into(),
            "pdf".into(),
        ]
    };
    let run = |out: &Path| {
        let args = args(out);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        roneo(&repo(), &args)
    };
    // The first rebuild may hash again the files written within the clock's tick (and save
    // the cache for it: see the README); the next one writes nothing at all.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let o = run(a.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let before = times(a.path());
    let o = run(a.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("2 manuscript(s) up to date") && !said.contains("wrote"),
        "{said}"
    );
    assert_eq!(times(a.path()), before, "a no-op rebuild touched a file");

    // A page deleted is a site no longer current: it is built again.
    std::fs::remove_file(a.path().join("imprenta-cooperativa/ch02.html")).unwrap();
    let o = run(a.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Only that page was written again; the summary says how many files were as they were.
    let said = String::from_utf8_lossy(&o.stdout);
    let site = first
        .keys()
        .filter(|p| p.starts_with("imprenta-cooperativa"))
        .count();
    assert!(
        said.contains(&format!("{site} files ({} unchanged)", site - 1)),
        "{said}"
    );
    assert_eq!(
        std::fs::read(a.path().join("imprenta-cooperativa/ch02.html")).unwrap(),
        second[Path::new("imprenta-cooperativa/ch02.html")]
    );
}

#[test]
fn a_chapter_removed_takes_its_page_and_other_formats_leave_the_site() {
    let chapter = |n: u32| format!("# Part {n}\n\nText of part {n}.\n");
    let dir = project(&[
        (
            "manuscripts/book/index.md",
            b"---\ntitle: Book\nlang: en\nchapters: [a.md, b.md]\n---\n",
        ),
        ("manuscripts/book/a.md", chapter(1).as_bytes()),
        ("manuscripts/book/b.md", chapter(2).as_bytes()),
    ]);
    let o = roneo(dir.path(), &["build", "--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let site = dir.path().join("dist/book");
    assert!(site.join("ch01.html").is_file() && site.join("ch02.html").is_file());
    // No other edition was built: nothing to download.
    assert!(!std::fs::read_to_string(site.join("index.html"))
        .unwrap()
        .contains("download"));
    // Building another format keeps the site.
    let o = roneo(dir.path(), &["build", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        site.join("ch02.html").is_file(),
        "the EPUB's build removed the site"
    );
    std::fs::write(
        dir.path().join("manuscripts/book/index.md"),
        "---\ntitle: Book\nlang: en\nchapters: [a.md]\n---\n",
    )
    .unwrap();
    let o = roneo(
        dir.path(),
        &["build", "--format", "html", "--format", "epub"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(site.join("index.html").is_file());
    assert!(
        !site.join("ch02.html").exists(),
        "the page of a chapter gone stays"
    );
    assert!(
        !site.join("ch01.html").exists(),
        "one chapter: the whole text is index.html"
    );
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.contains("Text of part 1.") && index.contains("href=\"../book.epub\""),
        "{index}"
    );
}

#[test]
fn base_url_gives_canonical_addresses_cards_and_json_ld() {
    let dir = project(&[(
        "manuscripts/essay.md",
        b"---\ntitle: An Essay\nauthor: A. Writer\nlang: en\ndate: 2024-03-01\ndescription: What the essay says.\nbase-url: https://press.example/books\n---\n\nText.\n",
    )]);
    let o = roneo(dir.path(), &["build", "--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let index = std::fs::read_to_string(dir.path().join("dist/essay/index.html")).unwrap();
    let html = Html::parse_document(&index);
    let attr = |selector: &str, name: &str| -> String {
        let s = Selector::parse(selector).unwrap();
        html.select(&s)
            .next()
            .unwrap_or_else(|| panic!("no {selector}: {index}"))
            .value()
            .attr(name)
            .unwrap()
            .to_string()
    };
    assert_eq!(
        attr("link[rel=canonical]", "href"),
        "https://press.example/books/essay/"
    );
    assert_eq!(
        attr("meta[name=description]", "content"),
        "What the essay says."
    );
    assert_eq!(
        attr("meta[property=\"og:url\"]", "content"),
        "https://press.example/books/essay/"
    );
    // The generated cover is the card's image.
    let image = attr("meta[property=\"og:image\"]", "content");
    assert!(
        image.starts_with("https://press.example/books/essay/images/"),
        "{image}"
    );
    assert!(dir
        .path()
        .join("dist/essay/images")
        .join(image.rsplit('/').next().unwrap())
        .is_file());
    assert_eq!(
        attr("meta[name=\"twitter:card\"]", "content"),
        "summary_large_image"
    );
    let script = Selector::parse("script[type=\"application/ld+json\"]").unwrap();
    let ld: serde_json::Value =
        serde_json::from_str(&html.select(&script).next().unwrap().inner_html()).unwrap();
    assert_eq!(ld["@type"], "Article");
    assert_eq!(ld["headline"], "An Essay");
    assert_eq!(ld["author"][0]["name"], "A. Writer");
    assert_eq!(ld["datePublished"], "2024-03-01");
    assert_eq!(ld["inLanguage"], "en");
    assert_eq!(ld["url"], "https://press.example/books/essay/");

    // Without it, no address is made up: no canonical link and no card image.
    let dir = project(&[(
        "manuscripts/essay.md",
        b"---\ntitle: An Essay\nlang: en\n---\n\nText.\n",
    )]);
    let o = roneo(dir.path(), &["build", "--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let index = std::fs::read_to_string(dir.path().join("dist/essay/index.html")).unwrap();
    assert!(
        !index.contains("canonical") && !index.contains("og:image"),
        "{index}"
    );

    // A base-url in roneo.toml that is no http(s) address: an error at its line, nothing written.
    let dir = project(&[
        (
            "roneo.toml",
            b"lang = \"en\"\nbase-url = \"ftp://press.example/\"\n",
        ),
        (
            "manuscripts/essay.md",
            b"---\ntitle: An Essay\n---\n\nText.\n",
        ),
    ]);
    let o = roneo(dir.path(), &["build", "--format", "html"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("roneo.toml:2:1: error["),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("dist/essay").exists());
}

#[test]
fn several_sites_get_a_catalogue_and_an_atom_feed_newest_first() {
    let out = shipped_sites();
    let index = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    let html = Html::parse_document(&index);
    let titles: Vec<String> = html
        .select(&Selector::parse(".catalogue h2 a").unwrap())
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    // The 2024 pamphlet before the 2023 article.
    assert_eq!(titles, ["imprenta-cooperativa/", "chile-1973/"], "{index}");
    for (slug, lang) in [
        ("imprenta-cooperativa", "Español"),
        ("chile-1973", "English"),
    ] {
        assert!(index.contains(&format!("href=\"{slug}.epub\"")), "{index}");
        assert!(
            index.contains(&format!("src=\"{slug}/images/")),
            "no cover for {slug}: {index}"
        );
        assert!(index.contains(lang), "{index}");
    }
    let feed = std::fs::read_to_string(out.path().join("feed.xml")).unwrap();
    let doc = roxmltree::Document::parse(&feed).unwrap_or_else(|e| panic!("{e}: {feed}"));
    let atom = "http://www.w3.org/2005/Atom";
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(atom));
    assert_eq!(root.tag_name().name(), "feed");
    let child = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.tag_name().name() == name && c.tag_name().namespace() == Some(atom))
            .map(|c| c.text().unwrap_or_default().to_string())
    };
    for required in ["id", "title", "updated"] {
        assert!(
            child(root, required).is_some(),
            "the feed has no {required}"
        );
    }
    let entries: Vec<roxmltree::Node> = root
        .children()
        .filter(|c| c.tag_name().name() == "entry")
        .collect();
    assert_eq!(entries.len(), 2);
    let updated: Vec<String> = entries
        .iter()
        .map(|e| child(*e, "updated").unwrap())
        .collect();
    assert!(updated[0] > updated[1], "{updated:?}");
    assert_eq!(updated[0], "2024-05-01T00:00:00Z");
    for e in &entries {
        assert!(child(*e, "id").is_some() && child(*e, "title").is_some());
    }
    assert_eq!(child(entries[0], "id").unwrap(), "urn:isbn:9780000000002");
}

/// A GET of `path` on 127.0.0.1:`port`: the status line, the headers and the body.
fn get(port: u16, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (head.to_string(), body.to_string())
}

/// Ends the server when the test ends, however it ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_builds_serves_on_a_free_port_and_rebuilds_on_change() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &repo().join("manuscripts/chile-1973"),
        &dir.path().join("manuscripts/chile-1973"),
    );
    // A port no one listens on now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_roneo"))
        .args(["serve", ".", "--port", &port.to_string()])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let wait = std::time::Duration::from_secs(120);
    let serving = loop {
        let line = rx.recv_timeout(wait).expect("roneo serve said nothing");
        if line.starts_with("serving ") {
            break line;
        }
    };
    assert!(
        serving.contains(&format!("http://127.0.0.1:{port}/")),
        "{serving}"
    );
    let (head, page) = get(port, "/chile-1973/");
    assert!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
        "{head}"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/html"),
        "{head}"
    );
    assert!(
        page.contains("<title>What Happened to the Chilean Revolution?</title>"),
        "{page}"
    );
    // The reload is the only script, and only the server adds it.
    assert!(page.contains("/.roneo-serve/version"), "{page}");
    let on_disk = std::fs::read_to_string(dir.path().join("dist/chile-1973/index.html")).unwrap();
    assert!(!on_disk.contains("<script>"));
    let (head, _) = get(port, "/chile-1973/style.css");
    assert!(
        head.to_ascii_lowercase().contains("content-type: text/css"),
        "{head}"
    );
    assert!(
        get(port, "/chile-1973").0.contains(" 301 "),
        "a folder without its slash"
    );
    assert!(get(port, "/../Cargo.toml").0.contains(" 404 "));
    assert!(get(port, "/.roneo-cache.json").0.contains(" 404 "));

    // An edit is rebuilt, and the build's number that pages ask for changes.
    let before = get(port, "/.roneo-serve/version").1;
    let md = dir.path().join("manuscripts/chile-1973/index.md");
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, text.replace("In September 1970", "In SEPTEMBER 1970")).unwrap();
    let start = std::time::Instant::now();
    while get(port, "/.roneo-serve/version").1 == before {
        assert!(start.elapsed() < wait, "no rebuild after the edit");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(get(port, "/chile-1973/").1.contains("In SEPTEMBER 1970"));
}

#[test]
fn a_note_reference_opens_its_note_as_a_pop_over() {
    let out = shipped_sites();
    let Some(axe) = browser() else { return };
    let shots = repo().join("target/web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let result = run_browser(
        &axe,
        &[
            "notes",
            out.path().to_str().unwrap(),
            "imprenta-cooperativa/ch01.html",
            shots.to_str().unwrap(),
        ],
    );
    let notes = result["notes"].as_array().unwrap();
    assert!(!notes.is_empty(), "{result:#}");
    for note in notes {
        assert_eq!(note["open"], true, "a click did not open it: {note}");
        assert_eq!(note["closed"], true, "Escape did not close it: {note}");
    }
}

#[test]
fn a_wide_photograph_has_a_narrower_copy_for_phones() {
    let mut pixels = image::RgbImage::new(1600, 900);
    for (x, y, p) in pixels.enumerate_pixels_mut() {
        *p = image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8]);
    }
    let mut wide = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(
            &mut std::io::Cursor::new(&mut wide),
            image::ImageFormat::Png,
        )
        .unwrap();
    let dir = project(&[
        (
            "manuscripts/photo.md",
            b"---\ntitle: Photo\nlang: en\n---\n\n![A wide photograph.](wide.png)\n\n![A small one.](small.png)\n",
        ),
        ("manuscripts/wide.png", &wide),
        ("manuscripts/small.png", &png()),
    ]);
    let o = roneo(dir.path(), &["build", "--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let site = dir.path().join("dist/photo");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let html = Html::parse_document(&index);
    let imgs: Vec<_> = html
        .select(&Selector::parse("figure img").unwrap())
        .collect();
    assert_eq!(imgs.len(), 2, "{index}");
    let wide = imgs[0].value();
    assert_eq!(
        wide.attr("srcset"),
        Some("images/wide.800w.png 800w, images/wide.png 1600w"),
        "{index}"
    );
    assert!(wide.attr("sizes").is_some() && wide.attr("loading").is_none());
    let small = image::open(site.join("images/wide.800w.png")).unwrap();
    assert_eq!((small.width(), small.height()), (800, 450));
    // The small one has one size, loads lazily (below the first), and keeps its own size.
    assert_eq!(imgs[1].value().attr("srcset"), None);
    assert_eq!(imgs[1].value().attr("loading"), Some("lazy"));
    assert!(imgs[1].value().attr("width").is_some() && imgs[1].value().attr("height").is_some());
}

#[test]
fn a_manuscript_gone_takes_its_site_and_a_catalogue_of_one_goes() {
    let dir = project(&[
        (
            "manuscripts/one.md",
            b"---\ntitle: One\nlang: en\ndate: 2024\n---\n\nText.\n",
        ),
        (
            "manuscripts/two.md",
            b"---\ntitle: Two\nlang: en\ndate: 2025\n---\n\nText.\n",
        ),
    ]);
    let o = roneo(dir.path(), &["build", "--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dist = dir.path().join("dist");
    assert!(dist.join("index.html").is_file() && dist.join("feed.xml").is_file());
    std::fs::remove_file(dir.path().join("manuscripts/two.md")).unwrap();
    let o = roneo(dir.path(), &["build", "--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !dist.join("two").exists(),
        "the site of a manuscript gone stays"
    );
    assert!(dist.join("one/index.html").is_file());
    assert!(
        !dist.join("index.html").exists() && !dist.join("feed.xml").exists(),
        "a catalogue of one site, listing a site gone"
    );
    // A file of the publisher's own there is never touched.
    std::fs::write(dist.join("index.html"), "<p>ours</p>").unwrap();
    let o = roneo(dir.path(), &["build", "--format", "html", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dist.join("index.html")).unwrap(),
        "<p>ours</p>"
    );
    // Nor with two sites again: the catalogue is refused, at that file, with what to do.
    std::fs::write(
        dir.path().join("manuscripts/two.md"),
        "---\ntitle: Two\nlang: en\n---\n\nText.\n",
    )
    .unwrap();
    let o = roneo(dir.path(), &["build", "--format", "html"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("index.html: error[write-failed]"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("help: move that file away"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(dist.join("index.html")).unwrap(),
        "<p>ours</p>"
    );
    assert!(dist.join("two/index.html").is_file());
}
