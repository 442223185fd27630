//! `qbank build`: refuses bad banks and bad output folders, is atomic and reproducible.

mod common;

use common::{copy_dir, root};
use std::path::Path;
use std::process::Command;

fn qbank(args: &[&str], envs: &[(&str, &str)]) -> (i32, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_qbank"));
    c.args(args)
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", "1767225600");
    for (k, v) in envs {
        c.env(k, v);
    }
    let out = c.output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .expect("p")
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    v.sort();
    v
}

const BANK: &str = "tests/fixtures/anki-bank";

#[test]
fn two_builds_are_byte_identical_including_the_apkg() {
    let t = tempfile::tempdir().expect("tmp");
    let a = t.path().join("a");
    let b = t.path().join("b");
    let (code, err) = qbank(&["build", BANK, "--out", a.to_str().expect("p")], &[]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = qbank(&["build", BANK, "--out", b.to_str().expect("p")], &[]);
    assert_eq!(code, 0, "{err}");
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    let names: Vec<&str> = sa.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"bank.json") && names.contains(&"booklet.html"),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.ends_with(".apkg")), "{names:?}");
    assert!(sa == sb, "two builds differ");
}

#[test]
fn files_are_reported_json_html_anki_though_the_deck_is_written_first() {
    // The deck starts first (it takes longest); the report still lists the
    // formats in their fixed order.
    let t = tempfile::tempdir().expect("tmp");
    let out = t.path().join("out");
    let (code, err) = qbank(&["build", BANK, "--out", out.to_str().expect("p")], &[]);
    assert_eq!(code, 0, "{err}");
    let wrote: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("wrote "))
        .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p))
        .collect();
    assert_eq!(wrote.len(), 3, "{err}");
    assert_eq!(&wrote[..2], ["bank.json", "booklet.html"], "{err}");
    assert!(wrote[2].ends_with(".apkg"), "{err}");
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let t = tempfile::tempdir().expect("tmp");
    let out = t.path().join("dist");
    let (code, err) = qbank(
        &[
            "build",
            BANK,
            "--out",
            out.to_str().expect("p"),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let before = snapshot(&out);
    for stage in ["json", "html", "anki"] {
        let (code, err) = qbank(
            &["build", BANK, "--out", out.to_str().expect("p")],
            &[("QBANK_TEST_FAIL_AFTER", stage)],
        );
        assert_eq!(code, 2, "{stage}: {err}");
        assert!(err.contains("simulated failure"), "{err}");
        assert!(
            snapshot(&out) == before,
            "output changed after a failure in {stage}"
        );
    }
    // No temporary folders are left beside the output.
    let leftovers: Vec<_> = std::fs::read_dir(t.path())
        .expect("dir")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn a_rebuild_replaces_the_previous_output_and_leaves_nothing_beside_it() {
    let t = tempfile::tempdir().expect("tmp");
    let out = t.path().join("dist");
    let build = || qbank(&["build", BANK, "--out", out.to_str().expect("p")], &[]);
    let (code, err) = build();
    assert_eq!(code, 0, "{err}");
    let fresh = snapshot(&out);
    // Things a previous build did not write, files and folders: all go.
    std::fs::write(out.join("stale.txt"), "old").expect("write");
    std::fs::create_dir_all(out.join("media/deep")).expect("mkdir");
    std::fs::write(out.join("media/deep/a.png"), "png").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(out.join("media"), out.join("link")).expect("symlink");
    let (code, err) = build();
    assert_eq!(code, 0, "{err}");
    assert!(
        snapshot(&out) == fresh,
        "the output is not exactly the new build"
    );
    assert!(!out.join("link").exists() && !out.join("media").exists());
    let beside: Vec<_> = std::fs::read_dir(t.path())
        .expect("dir")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(beside, ["dist"], "{beside:?}");
}

/// `--out` naming a link to a folder: the build replaces the link with its
/// output folder and leaves the linked folder and its files alone.
#[cfg(unix)]
#[test]
fn an_output_link_is_replaced_and_what_it_points_to_is_kept() {
    let t = tempfile::tempdir().expect("tmp");
    let keep = t.path().join("keep");
    std::fs::create_dir_all(keep.join("sub")).expect("mkdir");
    std::fs::write(keep.join("notes.txt"), "mine").expect("write");
    std::fs::write(keep.join("sub/more.txt"), "mine too").expect("write");
    let out = t.path().join("dist");
    std::os::unix::fs::symlink(&keep, &out).expect("symlink");
    let (code, err) = qbank(&["build", BANK, "--out", out.to_str().expect("p")], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!std::fs::symlink_metadata(&out)
        .expect("out")
        .file_type()
        .is_symlink());
    assert!(out.join("bank.json").is_file());
    assert_eq!(
        std::fs::read_to_string(keep.join("notes.txt")).expect("kept"),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(keep.join("sub/more.txt")).expect("kept"),
        "mine too"
    );
}

#[test]
fn a_bank_with_errors_is_not_exported() {
    let t = tempfile::tempdir().expect("tmp");
    let out = t.path().join("dist");
    let (code, err) = qbank(
        &[
            "build",
            "tests/fixtures/cli-bank",
            "--out",
            out.to_str().expect("p"),
        ],
        &[],
    );
    assert_eq!(code, 1);
    assert!(err.contains("build refused"), "{err}");
    assert!(!out.exists());
}

#[test]
fn a_refused_build_shows_every_finding_as_check_does() {
    // Build looks for errors without the rules that cannot report one; when
    // it refuses, it shows the full findings, warnings included.
    let t = tempfile::tempdir().expect("tmp");
    let bank = t.path().join("bank");
    copy_dir(&root().join("tests/fixtures/cli-bank"), &bank);
    std::fs::copy(
        root().join("tests/fixtures/lint/QB403/fail-always-in-distractor.md"),
        bank.join("questions/absolute.md"),
    )
    .expect("copy");
    let stdout = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_qbank"))
            .args(args)
            .current_dir(root())
            .output()
            .expect("run");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let b = bank.to_str().expect("p");
    let out = t.path().join("dist");
    let (code, built) = stdout(&["build", b, "--out", out.to_str().expect("p")]);
    assert_eq!(code, Some(1));
    let (_, checked) = stdout(&["check", b]);
    assert!(built.contains("QB403"), "{built}");
    assert_eq!(built, checked);
    assert!(!out.exists());
}

#[test]
fn out_that_is_a_file_or_inside_the_content_is_refused() {
    let t = tempfile::tempdir().expect("tmp");
    let file = t.path().join("file");
    std::fs::write(&file, "x").expect("write");
    let (code, err) = qbank(&["build", BANK, "--out", file.to_str().expect("p")], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("is a file"), "{err}");
    let (code, err) = qbank(
        &["build", BANK, "--out", &format!("{BANK}/questions/out")],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("overlaps"), "{err}");
    assert!(!root().join(BANK).join("questions/out").exists());
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let t = tempfile::tempdir().expect("tmp");
    let bank = t.path().join("bank");
    copy_dir(&root().join("tests/fixtures/clean-bank"), &bank);
    let draft = std::fs::read_to_string(bank.join("questions/promote-with-alias.md"))
        .expect("read")
        .replace("id: promote-with-alias", "id: draft-question")
        .replace("status: published", "status: draft")
        .replace("A batch job loads", "A nightly retraining job loads");
    std::fs::write(bank.join("questions/draft-question.md"), draft).expect("write");
    let b = bank.to_str().expect("p");
    // Build JSON into a fresh folder and count the exported questions.
    let exported = |name: &str, extra: &[&str]| -> usize {
        let out = t.path().join(name);
        let mut args = vec![
            "build",
            b,
            "--out",
            out.to_str().expect("p"),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let (code, err) = qbank(&args, &[]);
        assert_eq!(code, 0, "{err}");
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("bank.json")).expect("json"))
                .expect("parse");
        doc["questions"].as_array().expect("questions").len()
    };
    assert_eq!(exported("o1", &[]), 2);
    assert_eq!(exported("o2", &["--include-drafts"]), 3);
}

/// A bank of more than one Anki chunk (2,048 notes) builds on a one-thread
/// pool: the next chunk is prepared while this one is inserted, and that must
/// not wait on a worker that is itself waiting. (With all three formats the
/// Anki export runs on the pool's only worker.)
#[test]
fn a_large_bank_builds_on_one_thread() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bank = tmp.path().join("bank");
    qbank_bench::generate(2100, 7, &bank, &root().join("content/blueprint.yaml")).expect("gen");
    let out = tmp.path().join("out");
    // A deadlock fails the test instead of hanging the run.
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_qbank"))
        .args(["build", "--format", "json,html,anki", "--out"])
        .arg(&out)
        .arg(&bank)
        .env("RAYON_NUM_THREADS", "1")
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .success();
    // Every note made it across the chunk boundary, in order, once.
    let apkg = std::fs::read(out.join("databricks-ml-professional.apkg")).expect("apkg");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(apkg)).expect("zip");
    let mut db = Vec::new();
    std::io::Read::read_to_end(
        &mut zip.by_name("collection.anki2").expect("entry"),
        &mut db,
    )
    .expect("read");
    let path = tmp.path().join("collection.anki2");
    std::fs::write(&path, db).expect("write");
    let conn = rusqlite::Connection::open(&path).expect("open");
    let (notes, distinct, first, last): (i64, i64, i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), COUNT(DISTINCT n.guid), MIN(c.due), MAX(c.due) \
             FROM notes n JOIN cards c ON c.nid = n.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("query");
    assert_eq!((notes, distinct, first, last), (2100, 2100, 1, 2100));
}
