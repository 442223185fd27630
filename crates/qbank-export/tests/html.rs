//! Tests of the printable HTML booklet.

use std::path::{Path, PathBuf};

use qbank_export::{html, Answers, BuildOptions, ExportError, Exporter, FormatId};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture() -> PathBuf {
    repo().join("tests/fixtures/export-bank")
}

fn opts(answers: Answers, templates: Option<PathBuf>) -> BuildOptions {
    BuildOptions {
        answers,
        templates,
        ..BuildOptions::new("unused", vec![FormatId::Html])
    }
}

fn load(root: &Path) -> qbank_parser::Bank {
    match qbank_parser::load(root) {
        Ok(b) => b,
        Err(f) => panic!("cannot load {}: {:?}", root.display(), f.diagnostic),
    }
}

fn render(
    root: &Path,
    answers: Answers,
    templates: Option<PathBuf>,
) -> Result<String, ExportError> {
    let bank = load(root);
    let o = opts(answers, templates);
    let input = qbank_export::input(&bank, &o)?;
    html::render(&input)
}

/// The fixture booklet rendered with `source` as its template.
fn render_with_template(source: &str) -> Result<String, ExportError> {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("booklet.html.jinja"), source).expect("write");
    render(&fixture(), Answers::End, Some(tmp.path().to_path_buf()))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// The fixture bank renders to `tests/golden/booklet.html` byte for byte.
/// Regenerate with `UPDATE_GOLDEN=1 cargo test -p qbank-export --test html`.
#[test]
fn booklet_matches_golden_file() {
    let out = render(&fixture(), Answers::End, None).expect("render");
    let golden = repo().join("tests/golden/booklet.html");
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(golden.parent().expect("parent")).expect("mkdir");
        std::fs::write(&golden, &out).expect("write golden");
    }
    let want = std::fs::read_to_string(&golden)
        .expect("golden file missing; run with UPDATE_GOLDEN=1 to create it");
    assert!(
        out == want,
        "booklet.html differs from {}; if the change is intended, rerun with UPDATE_GOLDEN=1",
        golden.display()
    );
}

#[test]
fn booklet_is_deterministic_and_written_by_exporter() {
    let bank = load(&fixture());
    let o = opts(Answers::End, None);
    let input = qbank_export::input(&bank, &o).expect("input");
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let fa = html::HtmlExporter.export(&input, a.path()).expect("export");
    let fb = html::HtmlExporter.export(&input, b.path()).expect("export");
    assert_eq!(fa, vec![a.path().join("booklet.html")]);
    let ta = std::fs::read(&fa[0]).expect("read");
    let tb = std::fs::read(&fb[0]).expect("read");
    assert_eq!(ta, tb);
}

#[test]
fn booklet_structure_end_answers() {
    let out = render(&fixture(), Answers::End, None).expect("render");
    // Cover.
    assert!(
        out.contains("<h1>Fixture Certified Associate</h1>"),
        "{out}"
    );
    assert!(out.contains("2026-01"));
    assert!(out.contains("<dd>30 minutes</dd>"));
    assert!(
        out.contains("<dd>70%</dd>"),
        "integral scores print without decimals"
    );
    assert!(out.contains("<dd>4</dd>"));
    // Blueprint order: basics before ops; answer key after all questions.
    let basics = out.find("id=\"domain-basics\"").expect("basics");
    let ops = out.find("id=\"domain-ops\"").expect("ops");
    let key = out.find("id=\"answer-key\"").expect("answer key");
    assert!(basics < ops && ops < key);
    assert_eq!(out.matches("<article class=\"question\"").count(), 4);
    // No answers before the key.
    assert!(!out[..key].contains("class=\"answer\""));
    assert!(!out[..key].contains("Answer: "));
    assert!(out[key..].contains("Answer: A, C"), "multiple-response key");
    assert!(out[key..].contains("Rolling back and failing over"));
    // Lettered options, code block, embedded image.
    assert!(out.contains("<span class=\"letter\">D.</span>"));
    assert!(out.contains("language-python"));
    assert!(out.contains("src=\"data:image/png;base64,"));
    // Print CSS.
    assert!(out.contains("break-before: page"));
    assert!(out.contains("break-inside: avoid"));
    assert!(out.contains("size: A4"));
    assert!(out.contains("white-space: pre-wrap"));
    assert_self_contained(&out);
}

#[test]
fn inline_answers_follow_each_question_without_key() {
    let out = render(&fixture(), Answers::Inline, None).expect("render");
    assert!(!out.contains("id=\"answer-key\""));
    assert!(out.contains("study edition"));
    assert_eq!(out.matches("<div class=\"answer\">").count(), 4);
    // Each answer sits inside its question's article.
    for art in out.split("<article class=\"question\"").skip(1) {
        let body = &art[..art.find("</article>").expect("closed")];
        assert!(body.contains("<div class=\"answer\">"), "{body}");
        assert!(body.contains("<h4>Explanation</h4>"), "{body}");
    }
    assert_self_contained(&out);
}

/// The contents of every tag (`<...>`), lowercased, without the `<`.
fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or_default())
        .collect()
}

fn assert_self_contained(out: &str) {
    let lower = out.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "no scripts");
    assert!(!lower.contains("<link"), "no external stylesheets");
    assert!(!lower.contains("src=\"http"), "no remote resources");
    assert!(!lower.contains("src=\"//"), "no remote resources");
    assert!(!lower.contains("url(http"), "no remote CSS resources");
    assert!(!lower.contains("@import"), "no CSS imports");
}

#[test]
fn hostile_content_never_reaches_output() {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture(), tmp.path());
    let hostile = r#"---
id: hostile-question
domain: ops
topics: [deploy]
difficulty: easy
status: published
---

Stem <script>alert('stem')</script> <img src=x onerror="alert(1)">
<iframe src="https://evil.example/"></iframe>
<svg onload="alert(2)"><circle r="1"/></svg>
[click](javascript:alert(3)) <a href="JaVaScRiPt:alert(4)">x</a>
<object data="evil.swf"></object><embed src="evil.swf"><style>body{display:none}</style>
<form action="https://evil.example/"><input type="text" onfocus="alert(5)"></form>
![remote](https://evil.example/track.png)

- [x] Option <script>alert(6)</script>
  > Rationale <img src=y onerror=alert(7)> <iframe srcdoc="<script>alert(8)</script>"></iframe>
- [ ] Option <a href="javascript:alert(9)" onclick="alert(10)">two</a>
  > Rationale <svg><script>alert(11)</script></svg>
- [ ] Option <body onload=alert(12)>three
  > Rationale <meta http-equiv="refresh" content="0;url=https://evil.example/">
- [ ] Option four <details open ontoggle=alert(13)>
  > Rationale <math><mi xlink:href="javascript:alert(14)">x</mi></math>

## Explanation

Explanation <script>alert(15)</script> <img src="x" onerror=alert(16)>
<iframe src="javascript:alert(17)"></iframe> <svg/onload=alert(18)>
"#;
    std::fs::write(tmp.path().join("questions/ops/hostile.md"), hostile).expect("write");
    for answers in [Answers::End, Answers::Inline] {
        let out = render(tmp.path(), answers, None).expect("render");
        assert!(
            out.contains("id=\"q-hostile-question\""),
            "question rendered"
        );
        // Escaped text such as `&lt;script&gt;` is harmless; what matters is
        // that no real tag or attribute carries active content.
        let lower = out.to_ascii_lowercase();
        let body = &lower[lower.find("<body>").expect("body")..];
        let tags = tags(body);
        for bad in [
            "script", "iframe", "svg", "object", "embed", "form", "meta", "math", "body ",
        ] {
            assert!(
                !tags.iter().any(|t| t.starts_with(bad)),
                "<{bad}> tag reached the booklet"
            );
        }
        for t in &tags {
            for bad in [
                "onerror",
                "onload",
                "onclick",
                "onfocus",
                "ontoggle",
                "javascript:",
                "alert(",
                "evil.example",
                "srcdoc",
                "xlink",
            ] {
                assert!(!t.contains(bad), "`{bad}` reached the booklet in <{t}>");
            }
        }
        // Only qbank's own stylesheet.
        assert_eq!(lower.matches("<style").count(), 1);
        assert_self_contained(&out);
    }
}

#[test]
fn templates_can_be_overridden_by_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("style.css"), "/* custom style */\n").expect("write");
    let out = render(&fixture(), Answers::End, Some(tmp.path().to_path_buf())).expect("render");
    assert!(out.contains("/* custom style */"));
    assert!(!out.contains("size: A4"));
    assert!(
        out.contains("<article class=\"question\""),
        "built-in booklet kept"
    );

    std::fs::write(
        tmp.path().join("booklet.html.jinja"),
        "{{ exam.name }}|{{ questions_count }}|{{ domains[0].questions[0].stem_html|safe }}",
    )
    .expect("write");
    let out = render(&fixture(), Answers::End, Some(tmp.path().to_path_buf())).expect("render");
    assert!(
        out.starts_with("Fixture Certified Associate|4|<p>"),
        "{out}"
    );
}

/// What a template sees of an option and a topic: their keys, in order,
/// their values, and an error for a field they do not have.
#[test]
fn options_and_topics_list_their_fields() {
    let out = render_with_template(
        "{% set q = domains[0].questions[0] %}{% set o = q.options[0] %}\
         {% for k in o %}{{ k }},{% endfor %}|{{ o.letter }}|{{ o.is_key }}|{{ o.html|safe }}|\
         {{ q.options[1].letter }}|{% for k in q.topics[0] %}{{ k }},{% endfor %}|{{ q.topics[0].name }}",
    )
    .expect("render");
    let fields: Vec<&str> = out.split('|').collect();
    assert_eq!(fields[0], "letter,html,is_key,rationale_html,", "{out}");
    assert_eq!(fields[1], "A", "{out}");
    assert!(fields[2] == "True" || fields[2] == "False", "{out}");
    assert!(fields[3].starts_with("<p>"), "{out}");
    assert_eq!(fields[4], "B", "{out}");
    assert_eq!(fields[5], "id,name,", "{out}");
    assert!(
        !fields[6].is_empty(),
        "a blueprint topic has its name: {out}"
    );
}

#[test]
fn undefined_template_variables_are_errors() {
    for source in [
        "{{ exam.no_such_field }}",
        "{{ domains[0].questions[0].options[0].no_such_field }}",
    ] {
        let e = render_with_template(source).expect_err("strict undefined");
        assert!(matches!(e, ExportError::Format(FormatId::Html, _)), "{e}");
        assert!(e.to_string().contains("undefined"), "{source}: {e}");
    }
}

#[test]
fn builtin_templates_are_embedded() {
    let names: Vec<&str> = html::BUILTIN_TEMPLATES.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["booklet.html.jinja", "style.css"]);
}

/// Prints both editions of the fixture booklet with headless Chromium through
/// `tests/chromium/print_check.py`. Needs python3 and Chromium:
/// `cargo test -p qbank-export --test html -- --ignored`.
#[test]
#[ignore = "needs python3 and Chromium"]
fn chromium_prints_fixture_booklet() {
    let script = repo().join("tests/chromium/print_check.py");
    for answers in [Answers::End, Answers::Inline] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("booklet.html");
        let out = render(&fixture(), answers, None).expect("render");
        std::fs::write(&path, out).expect("write");
        let run = std::process::Command::new("python3")
            .arg(&script)
            .arg(&path)
            .output()
            .expect("run python3");
        let text = String::from_utf8_lossy(&run.stdout).into_owned()
            + &String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{answers:?}: {text}");
        println!("{answers:?}: {text}");
    }
}

/// A write that fails while the booklet streams out (here: a full device) is
/// reported as an I/O error on the booklet's path, not as a template error.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_an_io_error_on_the_booklet() {
    let bank = load(&fixture());
    let o = opts(Answers::End, None);
    let input = qbank_export::input(&bank, &o).expect("input");
    let dir = tempfile::tempdir().expect("tmp");
    std::os::unix::fs::symlink("/dev/full", dir.path().join(html::BOOKLET)).expect("symlink");
    match html::HtmlExporter.export(&input, dir.path()) {
        Err(ExportError::Io(p, e)) => {
            assert!(p.ends_with(html::BOOKLET), "{}", p.display());
            assert_eq!(e.kind(), std::io::ErrorKind::StorageFull, "{e}");
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
}
