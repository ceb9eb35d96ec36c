//! The generated novel the PDF benchmark times and the spreads test measures: one generator,
//! shared by `benches/pdf.rs` and `tests/spreads.rs`.

use std::path::{Path, PathBuf};

/// Writes a novel of about `words` words: the long fixture's paragraphs, over and over, in
/// chapters of forty paragraphs, so it has the word lengths and punctuation of real prose.
pub fn novel(dir: &Path, words: usize) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/long/index.md");
    let text = std::fs::read_to_string(fixture).expect("the long fixture is readable");
    let body = text
        .splitn(3, "---")
        .nth(2)
        .expect("the fixture has front matter");
    let paragraphs: Vec<&str> = body
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty() && !p.starts_with('#'))
        .collect();
    let mut out = String::from("---\ntitle: A Novel\nlang: en\ndate: 2024-01-01\n---\n\n");
    let mut count = 0;
    for (n, paragraph) in paragraphs.iter().cycle().enumerate() {
        if count >= words {
            break;
        }
        if n % 40 == 0 {
            out.push_str(&format!("## Chapter {}\n\n", n / 40 + 1));
        }
        out.push_str(paragraph);
        out.push_str("\n\n");
        count += paragraph.split_whitespace().count();
    }
    let path = dir.join(format!("novel-{words}.md"));
    std::fs::write(&path, out).expect("the novel is written");
    path
}
