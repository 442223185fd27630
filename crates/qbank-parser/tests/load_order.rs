//! The loader walks the content folder unsorted and sorts the paths itself;
//! files must still come in the order of a walk sorted by name, and README.md
//! (excluded by default) must stay out.

use std::path::Path;

#[test]
fn files_come_in_sorted_walk_order() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    std::fs::write(
        root.join("blueprint.yaml"),
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content/blueprint.yaml"))
            .expect("blueprint"),
    )
    .expect("write");
    std::fs::write(root.join("qbank.toml"), "content_dir = \"q\"\n").expect("write");
    // Names whose byte order and component order differ ('-' < '.' < '/').
    let names = [
        "a/z.md",
        "a-b/y.md",
        "a.b/x.md",
        "a.md",
        "b.md",
        "B.md",
        "a/b/c.md",
        "a/README.md",
        "a0.md",
        "ä.md",
    ];
    for n in names {
        let p = root.join("q").join(n);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, "---\nid: x\n---\n").expect("write");
    }
    let bank = qbank_parser::load(root).unwrap_or_else(|f| panic!("{:?}", f.diagnostic));
    let loaded: Vec<String> = bank.files[bank.files.len() - bank.question_files..]
        .iter()
        .map(|f| f.name.clone())
        .collect();
    let expected: Vec<String> = walkdir::WalkDir::new(root.join("q"))
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file() && e.file_name() != "README.md")
        .map(|e| qbank_parser::source::display_name(root, e.path()))
        .collect();
    assert_eq!(loaded, expected);
    assert_eq!(loaded.len(), names.len() - 1);
}

#[test]
fn modified_times_and_html_are_read_only_when_asked_for() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content/blueprint.yaml"),
        root.join("blueprint.yaml"),
    )
    .expect("blueprint");
    let q = root.join("questions/a.md");
    std::fs::create_dir_all(q.parent().expect("parent")).expect("mkdir");
    let md = "---\nid: a\n---\n\nWhich *one*?\n\n- [x] Yes.\n  > Because.\n- [ ] No.\n\n## Explanation\n\nSee.\n";
    std::fs::write(&q, md).expect("write");
    // A time the test sets, so it cannot pass by accident.
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_234_567_890);
    std::fs::File::options()
        .write(true)
        .open(&q)
        .and_then(|f| f.set_modified(when))
        .expect("set mtime");

    let question = |bank: &qbank_parser::Bank| {
        bank.files
            .iter()
            .find(|f| f.path == q)
            .map(|f| f.modified)
            .expect("question file")
    };
    let plain = qbank_parser::load(root).unwrap_or_else(|f| panic!("{:?}", f.diagnostic));
    assert_eq!(question(&plain), None);
    assert!(plain.questions.iter().all(|q| q.rendered.is_none()));
    let opts = qbank_parser::LoadOptions {
        modified_times: true,
        html: true,
    };
    let dated =
        qbank_parser::load_with(root, opts).unwrap_or_else(|f| panic!("{:?}", f.diagnostic));
    assert_eq!(question(&dated), Some(1_234_567_890));
    // The loader writes each question's HTML when asked: the same as
    // rendering the loaded question afterwards.
    for q in &dated.questions {
        let text = &dated.file(q.file).text;
        let own = qbank_parser::html::render(q, text, &|u: &str| u.to_string());
        assert_eq!(q.rendered.as_deref(), Some(&own));
        assert_eq!(own.stem, "<p>Which <em>one</em>?</p>\n");
        assert_eq!(own.rationales[0].as_deref(), Some("<p>Because.</p>\n"));
    }
}
