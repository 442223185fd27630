"""Real-Anki import test for the qbank Anki exporter.

Uses the official Anki backend (PyPI package `anki`) as the oracle: the
exported `.apkg` is imported into a fresh collection and checked the way a
user would see it.

Setup (once, from the repository root):

    python3 -m venv .venv && .venv/bin/pip install anki pytest
    cargo build -p qbank

Run:

    .venv/bin/pytest tests/anki

The qbank binary is `target/debug/qbank`, or the path in `QBANK_BIN`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("anki.collection")
from anki.collection import (  # noqa: E402
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "anki-bank"
EXAM_NAME = "Anki Fixture Exam"
APKG_NAME = "anki-fixture.apkg"
FIELD_NAMES = ["Id", "Question", "Answer", "Domain", "Topics", "References"]
# Bank order (path order of the question files).
BANK_ORDER = [
    "nested-runs-parent",
    "spark-udf-batch-scoring",
    "uc-registration-needs-signature",
]
DOMAINS = {
    "nested-runs-parent": "model-development",
    "spark-udf-batch-scoring": "model-deployment",
    "uc-registration-needs-signature": "model-development",
}
DOMAIN_NAMES = {
    "model-development": "Model Development",
    "model-deployment": "Model Deployment",
}


def qbank_bin() -> Path:
    p = Path(os.environ.get("QBANK_BIN", REPO / "target" / "debug" / "qbank"))
    if not p.is_file():
        pytest.fail(f"qbank binary not found at {p}; run `cargo build -p qbank` or set QBANK_BIN")
    return p


def run_env() -> dict[str, str]:
    env = dict(os.environ)
    # Note `mod` must follow the files' mtimes here, not a release epoch.
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def build(bank: Path, out: Path) -> Path:
    r = subprocess.run(
        [str(qbank_bin()), "build", str(bank), "--out", str(out), "--format", "anki"],
        capture_output=True,
        text=True,
        env=run_env(),
    )
    assert r.returncode == 0, f"qbank build failed:\n{r.stdout}\n{r.stderr}"
    apkg = out / APKG_NAME
    assert apkg.is_file(), f"{apkg} not written; output: {list(out.iterdir())}"
    return apkg


def import_apkg(col: Collection, apkg: Path):
    req = ImportAnkiPackageRequest(
        package_path=str(apkg),
        options=ImportAnkiPackageOptions(
            merge_notetypes=False,
            with_scheduling=False,
            with_deck_configs=False,
        ),
    )
    log = col.import_anki_package(req).log
    col.models._clear_cache()
    return log


def note_by_id(col: Collection, qid: str):
    nids = col.find_notes(f'"Id:{qid}"')
    assert len(nids) == 1, f"expected one note for {qid}, got {nids}"
    return col.get_note(nids[0])


@pytest.fixture()
def bank(tmp_path: Path) -> Path:
    """A temporary copy of the fixture bank (outside git), with every file's
    mtime set two hours in the past, so note `mod` values are known."""
    dst = tmp_path / "bank"
    shutil.copytree(FIXTURE, dst)
    past = int(time.time()) - 7200
    for p in dst.rglob("*"):
        os.utime(p, (past, past))
    return dst


@pytest.fixture()
def col(tmp_path: Path):
    (tmp_path / "collection").mkdir()
    c = Collection(str(tmp_path / "collection" / "collection.anki2"))
    try:
        yield c
    finally:
        c.close()


def test_fixture_bank_passes_check():
    r = subprocess.run(
        [str(qbank_bin()), "check", str(FIXTURE)], capture_output=True, text=True, env=run_env()
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert " 0 errors" in r.stdout + r.stderr


def test_package_layout_and_determinism(bank: Path, tmp_path: Path):
    a = build(bank, tmp_path / "out-a")
    b = build(bank, tmp_path / "out-b")
    assert a.read_bytes() == b.read_bytes(), "two exports of the same bank differ"
    with zipfile.ZipFile(a) as z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        assert names[0] == "collection.anki2"
        assert names[-1] == "media"
        assert "collection.anki21b" not in names
        for i in infos:
            assert i.compress_type == zipfile.ZIP_DEFLATED, i.filename
            assert i.date_time == (1980, 1, 1, 0, 0, 0), i.filename
        db = tmp_path / "exported.anki2"
        db.write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(db)
    try:
        assert con.execute("select ver from col").fetchone()[0] == 11
        dues = [r[0] for r in con.execute("select due from cards order by nid")]
        assert dues == [1, 2, 3]
    finally:
        con.close()


def test_import_into_fresh_collection(bank: Path, tmp_path: Path, col: Collection):
    apkg = build(bank, tmp_path / "out")
    log = import_apkg(col, apkg)
    assert len(log.new) == 3
    assert len(log.updated) == 0 and len(log.duplicate) == 0 and len(log.conflicting) == 0
    assert len(log.missing_notetype) == 0 and len(log.missing_deck) == 0
    assert col.note_count() == 3
    assert col.card_count() == 3

    # Note type.
    models = col.models.all()
    assert len(models) >= 1
    nt = col.models.by_name("qbank multiple choice")
    assert nt is not None
    assert [f["name"] for f in nt["flds"]] == FIELD_NAMES
    assert len(nt["tmpls"]) == 1
    assert "pre" in nt["css"]

    # Decks.
    deck_names = {d.name for d in col.decks.all_names_and_ids()}
    assert f"{EXAM_NAME}::Model Development" in deck_names
    assert f"{EXAM_NAME}::Model Deployment" in deck_names
    assert EXAM_NAME in deck_names

    # Notes: fields, tags, deck, order, rendering.
    dues = {}
    for qid in BANK_ORDER:
        note = note_by_id(col, qid)
        assert note.note_type()["name"] == "qbank multiple choice"
        assert list(note.keys()) == FIELD_NAMES
        assert note["Id"] == qid
        domain = DOMAINS[qid]
        assert note["Domain"] == DOMAIN_NAMES[domain]
        assert f"domain::{domain}" in note.tags
        assert any(t.startswith("topic::") for t in note.tags)
        assert any(t.startswith("difficulty::") for t in note.tags)
        assert 'class="qb-stem"' in note["Question"]
        for letter in "ABCD":
            assert f'<span class="qb-letter">{letter}.</span>' in note["Question"]
        assert "qb-correct" in note["Answer"]
        assert "qb-rationale" in note["Answer"]
        assert "Explanation" in note["Answer"]
        assert note["References"].startswith("<ul><li><a href=")

        cards = note.cards()
        assert len(cards) == 1
        card = cards[0]
        assert col.decks.name(card.did) == f"{EXAM_NAME}::{DOMAIN_NAMES[domain]}"
        dues[qid] = card.due
        q_html = card.question()
        a_html = card.answer()
        for html in (q_html, a_html):
            # Anki renders template problems into the card instead of raising.
            assert "{{" not in html
            assert "has a problem" not in html
            assert "templates/errors" not in html
            assert "no field called" not in html
            assert "is blank" not in html
        assert "qb-stem" in q_html
        # (The rendered HTML starts with the note type's CSS; look for the markup.)
        assert 'class="qb-option qb-correct"' not in q_html, "the key must not show on the front"
        assert 'class="qb-option qb-correct"' in a_html
        assert 'class="qb-explanation"' in a_html
        assert qid in a_html

    assert [dues[q] for q in BANK_ORDER] == [1, 2, 3]

    # Specific content.
    tags = note_by_id(col, "spark-udf-batch-scoring").tags
    assert sorted(tags) == sorted(
        ["domain::model-deployment", "topic::batch-streaming-inference", "difficulty::hard"]
    )
    uc = note_by_id(col, "uc-registration-needs-signature")
    assert '<p class="qb-key">Answer: <strong>B</strong></p>' in uc["Answer"]
    # Code is escaped, not interpreted.
    spark = note_by_id(col, "spark-udf-batch-scoring")
    assert "a &lt; b &amp;&amp; c &gt; d" in spark["Answer"]
    assert "<pre><code" in spark["Question"]

    # Media: packaged under a safe flat name and referenced by that name.
    media_dir = Path(col.media.dir())
    files = [p.name for p in media_dir.iterdir() if p.is_file()]
    pngs = [f for f in files if f.endswith("-scoring-pipeline.png")]
    assert len(pngs) == 1, files
    assert f'src="{pngs[0]}"' in spark["Question"]
    assert (media_dir / pngs[0]).read_bytes() == (
        bank / "questions" / "img" / "scoring-pipeline.png"
    ).read_bytes()

    # csum and sfld as we wrote them equal what Anki computed.
    with zipfile.ZipFile(apkg) as z:
        db = tmp_path / "exported.anki2"
        db.write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(db)
    try:
        ours = {g: (c, s) for g, c, s in con.execute("select guid, csum, sfld from notes")}
    finally:
        con.close()
    theirs = {g: (c, s) for g, c, s in col.db.all("select guid, csum, sfld from notes")}
    assert ours == theirs


def test_reimport_same_file_adds_nothing(bank: Path, tmp_path: Path, col: Collection):
    apkg = build(bank, tmp_path / "out")
    import_apkg(col, apkg)
    mods = dict(col.db.all("select guid, mod from notes"))
    log = import_apkg(col, apkg)
    assert len(log.new) == 0
    assert len(log.updated) == 0
    assert len(log.conflicting) == 0
    assert len(log.duplicate) == 3
    assert col.note_count() == 3 and col.card_count() == 3
    assert sum(1 for m in col.models.all() if m["name"].startswith("qbank")) == 1
    assert dict(col.db.all("select guid, mod from notes")) == mods


def test_edit_one_question_updates_exactly_that_note(
    bank: Path, tmp_path: Path, col: Collection
):
    v1 = build(bank, tmp_path / "out-v1")
    import_apkg(col, v1)
    before = {qid: dict(note_by_id(col, qid).items()) for qid in BANK_ORDER}
    guids_before = dict(col.db.all("select sfld, guid from notes"))

    # Edit one question's explanation; its mtime becomes newer (and not in the future).
    q = bank / "questions" / "nested-runs-parent.md"
    text = q.read_text(encoding="utf-8")
    edited = text.replace(
        "the trial runs then carry the parent's id.",
        "the trial runs then carry the parent's id and show up as children in the UI.",
    )
    assert edited != text
    q.write_text(edited, encoding="utf-8")
    t = int(time.time()) - 60
    os.utime(q, (t, t))

    v2 = build(bank, tmp_path / "out-v2")
    log = import_apkg(col, v2)
    assert len(log.new) == 0
    assert len(log.updated) == 1
    assert len(log.duplicate) == 2
    assert len(log.conflicting) == 0
    assert col.note_count() == 3 and col.card_count() == 3
    assert dict(col.db.all("select sfld, guid from notes")) == guids_before

    after = {qid: dict(note_by_id(col, qid).items()) for qid in BANK_ORDER}
    assert "show up as children in the UI" in after["nested-runs-parent"]["Answer"]
    for qid in BANK_ORDER:
        if qid != "nested-runs-parent":
            assert after[qid] == before[qid]
        else:
            assert after[qid] != before[qid]
    updated_ids = [n.id.nid for n in log.updated]
    assert updated_ids == [note_by_id(col, "nested-runs-parent").id]
