//! `roneo serve`: builds the web edition, serves the output folder on 127.0.0.1, rebuilds on
//! change as `watch` does, and reloads the pages open in a browser. The reload is the only
//! script, and only the server adds it: the files on disk have none.

use super::{Console, EXIT_USAGE};
use crate::build::{BuildOptions, Format};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Where a served page asks whether the site was rebuilt: a number that grows with each build.
const VERSION_PATH: &str = "/.roneo-serve/version";

/// Added before `</body>` of each page served: asks every second for the build's number and
/// reloads the page when it changed (a server gone quiet is left alone).
const RELOAD: &str = "<script>/* roneo serve: reload when the site is rebuilt */(()=>{let seen;setInterval(async()=>{try{const n=await (await fetch(\"/.roneo-serve/version\",{cache:\"no-store\"})).text();if(seen===undefined)seen=n;else if(n!==seen)location.reload();}catch(e){}},1000);})();</script>\n";

pub fn run(options: &BuildOptions, console: &Console, port: u16) -> u8 {
    let mut options = options.clone();
    if !options.formats.contains(&Format::Html) {
        options.formats.push(Format::Html);
    }
    let out_dir = out_dir(&options);
    let server = match tiny_http::Server::http(("127.0.0.1", port)) {
        Ok(server) => server,
        Err(e) => {
            eprintln!(
                "error: cannot serve on 127.0.0.1:{port}: {e}\n  = help: another program may use that port; choose another with `--port N` (0: any free port)"
            );
            return EXIT_USAGE;
        }
    };
    let port = server
        .server_addr()
        .to_ip()
        .map_or(port, |address| address.port());
    let version = Arc::new(AtomicU64::new(0));
    {
        let version = Arc::clone(&version);
        let root = out_dir.clone();
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let response = respond(&root, request.url(), version.load(Ordering::SeqCst));
                let _ = request.respond(response);
            }
        });
    }
    let announced = std::sync::Once::new();
    super::watch::run_with(&options, console, &out_dir, &|| {
        version.fetch_add(1, Ordering::SeqCst);
        announced.call_once(|| {
            println!(
                "serving {} at http://127.0.0.1:{port}/ (Ctrl-C to stop)",
                out_dir.display()
            );
        });
    })
}

/// The output folder: `--out`, else the project's `out`, else `dist`.
fn out_dir(options: &BuildOptions) -> PathBuf {
    if let Some(out) = &options.out_dir {
        return out.clone();
    }
    let mut diagnostics = crate::diagnostic::Diagnostics::default();
    crate::build::manuscripts(&options.paths, &mut diagnostics)
        .ok()
        .and_then(|found| found.first().and_then(|(_, project)| project.out_dir()))
        .unwrap_or_else(|| PathBuf::from("dist"))
}

type Response = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

/// The answer to a GET of `url` from the folder `root`: a file (a folder's `index.html`, a
/// page with the reload script), the build's number, or 404.
fn respond(root: &Path, url: &str, version: u64) -> Response {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    if path == VERSION_PATH {
        return answer(
            version.to_string().into_bytes(),
            "text/plain; charset=utf-8",
            200,
        );
    }
    let Some(file) = resolve(root, path) else {
        return answer(b"not found\n".to_vec(), "text/plain; charset=utf-8", 404);
    };
    // A folder named without its slash: its pages' relative links need the slash.
    if file.is_dir() {
        if !path.ends_with('/') {
            let mut redirect = answer(Vec::new(), "text/plain; charset=utf-8", 301);
            if let Ok(h) = tiny_http::Header::from_bytes(&b"Location"[..], format!("{path}/")) {
                redirect.add_header(h);
            }
            return redirect;
        }
        return match std::fs::read(file.join("index.html")) {
            Ok(data) => answer(with_reload(data), "text/html; charset=utf-8", 200),
            Err(_) => sites(root),
        };
    }
    match std::fs::read(&file) {
        Ok(data) => {
            let kind = media_type(&file);
            let data = if kind.starts_with("text/html") {
                with_reload(data)
            } else {
                data
            };
            answer(data, kind, 200)
        }
        Err(_) => answer(b"not found\n".to_vec(), "text/plain; charset=utf-8", 404),
    }
}

/// The file `path` names under `root`, never outside it (no `..`, no hidden files).
fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let mut file = root.to_path_buf();
    for part in decoded.split('/').filter(|p| !p.is_empty()) {
        if part.starts_with('.') || part.contains('\\') {
            return None;
        }
        file.push(part);
    }
    Some(file)
}

/// The output folder's own page when it has no catalogue (one site): a link to each site.
fn sites(root: &Path) -> Response {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("index.html").is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let links: String = names
        .iter()
        .map(|n| {
            let n = crate::text::esc(n);
            format!("<li><a href=\"{n}/\">{n}</a></li>\n")
        })
        .collect();
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>roneo serve</title>\n</head>\n<body>\n<main>\n<h1>Sites</h1>\n<ul>\n{links}</ul>\n</main>\n</body>\n</html>\n"
    );
    answer(
        with_reload(page.into_bytes()),
        "text/html; charset=utf-8",
        200,
    )
}

/// A page with the reload script before its `</body>`.
fn with_reload(page: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&page);
    match text.rfind("</body>") {
        Some(at) => format!("{}{RELOAD}{}", &text[..at], &text[at..]).into_bytes(),
        None => page,
    }
}

fn answer(data: Vec<u8>, media_type: &str, status: u16) -> Response {
    let mut response = tiny_http::Response::from_data(data).with_status_code(status);
    for (name, value) in [("Content-Type", media_type), ("Cache-Control", "no-store")] {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    response
}

fn media_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "xml" => "application/atom+xml",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "otf" => "font/otf",
        "ttf" => "font/ttf",
        "woff2" => "font/woff2",
        "epub" => "application/epub+zip",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_folder() {
        let root = Path::new("/srv/site");
        assert_eq!(resolve(root, "/a/b.html"), Some(root.join("a/b.html")));
        assert_eq!(resolve(root, "/a%20b/"), Some(root.join("a b")));
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/a/%2e%2e/%2e%2e/x"), None);
        assert_eq!(resolve(root, "/.roneo-cache.json"), None);
    }

    #[test]
    fn the_reload_goes_before_the_end_of_the_body() {
        let page = with_reload(b"<html><body><p>x</p></body></html>".to_vec());
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("<p>x</p><script>") && page.ends_with("</script>\n</body></html>"));
    }
}
