#!/usr/bin/env python3
"""Compare `qbank build --format anki` with genanki on a synthetic bank.

Not run in CI. Needs genanki (PyPI) and release binaries:

    cargo build --release
    python3 -m venv /tmp/gvenv && /tmp/gvenv/bin/pip install genanki
    /tmp/gvenv/bin/python tests/bench/genanki_compare.py --n 10000

The bank comes from `qbank-gen`. The genanki side builds the same notes
(stem with options on the front; key, rationales and explanation on the back)
from the bank's JSON export (`qbank build --format json`, written once, not
timed), or, if that export fails, from a simple parse of the Markdown files.
Both sides run as separate processes, interleaved; medians are reported.
The genanki time includes Python start-up, loading the notes and writing the
.apkg; the qbank time includes parsing and linting the bank.
"""

import argparse
import html
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def simple_parse(bank):
    """Questions of a bank from the Markdown files (no Markdown rendering)."""
    out = []
    for dirpath, _, files in os.walk(os.path.join(bank, "questions")):
        for name in sorted(files):
            if not name.endswith(".md"):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                text = f.read()
            _, front, body = text.split("---\n", 2)
            qid = re.search(r"^id: (.+)$", front, re.M).group(1).strip()
            body, _, expl = body.partition("\n## Explanation\n")
            lines = body.strip("\n").split("\n")
            stem, options = [], []
            for line in lines:
                m = re.match(r"^- \[([ x])\] (.*)$", line)
                if m:
                    options.append({"is_key": m.group(1) == "x", "text": m.group(2), "why": []})
                elif options and line.startswith("  > "):
                    options[-1]["why"].append(line[4:])
                elif not options:
                    stem.append(line)
            out.append({
                "id": qid,
                "stem": "<pre>" + html.escape("\n".join(stem).strip()) + "</pre>",
                "options": [{"html": html.escape(o["text"]), "is_key": o["is_key"],
                             "rationale": html.escape(" ".join(o["why"]))} for o in options],
                "explanation": "<p>" + html.escape(expl.strip()) + "</p>",
            })
    return out


def from_json(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    out = []
    for q in doc["questions"]:
        out.append({
            "id": q["id"],
            "stem": q["stem"]["html"],
            "options": [{"html": o["html"], "is_key": o["is_key"],
                         "rationale": (o.get("rationale") or {}).get("html", "")}
                        for o in q["options"]],
            "explanation": (q.get("explanation") or {}).get("html", ""),
        })
    return out


def genanki_worker(source, kind, out_file):
    """Build and write the deck (runs in its own process, timed by the parent)."""
    import genanki

    questions = from_json(source) if kind == "json" else simple_parse(source)
    model = genanki.Model(
        1607392319,
        "qbank question",
        fields=[{"name": "Id"}, {"name": "Front"}, {"name": "Back"}],
        templates=[{
            "name": "Card 1",
            "qfmt": "{{Front}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Back}}",
        }],
    )
    deck = genanki.Deck(2059400110, "qbank synthetic")
    letters = "ABCDEFGH"
    for q in questions:
        opts = "".join(f"<li>{letters[i]}. {o['html']}</li>" for i, o in enumerate(q["options"]))
        front = f"{q['stem']}<ol class=options>{opts}</ol>"
        keys = ", ".join(letters[i] for i, o in enumerate(q["options"]) if o["is_key"])
        why = "".join(f"<li>{letters[i]}: {o['rationale']}</li>" for i, o in enumerate(q["options"]))
        back = f"<p>Answer: {keys}</p><ul>{why}</ul>{q['explanation']}"
        deck.add_note(genanki.Note(model=model, fields=[q["id"], front, back],
                                   guid=genanki.guid_for(q["id"])))
    genanki.Package(deck).write_to_file(out_file)


def timed(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t, r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--qbank", default=os.path.join(ROOT, "target/release/qbank"))
    ap.add_argument("--qbank-gen", default=os.path.join(ROOT, "target/release/qbank-gen"))
    ap.add_argument("--blueprint", default=os.path.join(ROOT, "content/blueprint.yaml"))
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--worker", nargs=3, metavar=("SOURCE", "KIND", "OUT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        genanki_worker(*a.worker)
        return 0

    try:
        import genanki  # noqa: F401
    except ImportError:
        sys.exit("genanki is not installed for this Python; see the docstring")

    tmp = tempfile.mkdtemp(prefix="qbank-genanki-")
    try:
        bank = os.path.join(tmp, "bank")
        subprocess.run([a.qbank_gen, "--n", str(a.n), "--seed", str(a.seed), "--out", bank,
                        "--blueprint", a.blueprint], check=True)
        jdir = os.path.join(tmp, "json")
        _, r = timed([a.qbank, "build", bank, "--out", jdir, "--format", "json"])
        if r.returncode == 0:
            source, kind = os.path.join(jdir, "bank.json"), "json"
        else:
            print(f"qbank JSON export failed ({r.stderr.strip().splitlines()[-1:]}); "
                  "genanki reads the Markdown directly", file=sys.stderr)
            source, kind = bank, "markdown"
        qb_t, ga_t, qb_failed = [], [], None
        for rep in range(a.reps):
            out = os.path.join(tmp, "anki")
            shutil.rmtree(out, ignore_errors=True)
            if qb_failed is None:
                t, r = timed([a.qbank, "build", bank, "--out", out, "--format", "anki"])
                if r.returncode == 0:
                    qb_t.append(t)
                else:
                    qb_failed = (r.stderr.strip().splitlines() or ["?"])[-1]
            apkg = os.path.join(tmp, "genanki.apkg")
            t, r = timed([sys.executable, os.path.abspath(__file__), "--worker", source, kind, apkg])
            if r.returncode != 0:
                sys.exit(f"genanki worker failed: {r.stderr}")
            ga_t.append(t)
            qb_s = f"{qb_t[-1]:.3f}s" if len(qb_t) == rep + 1 else "failed"
            print(f"rep {rep}: qbank {qb_s}  genanki {t:.3f}s", file=sys.stderr)
        ga = statistics.median(ga_t)
        print(f"N = {a.n}, {a.reps} interleaved repetitions, medians")
        print(f"genanki (notes from {kind}, incl. Python start-up): {ga:.3f} s, "
              f"{os.path.getsize(os.path.join(tmp, 'genanki.apkg')) / 1e6:.1f} MB")
        if qb_failed is not None:
            print(f"qbank build --format anki: failed ({qb_failed})")
        else:
            qb = statistics.median(qb_t)
            apkgs = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(tmp, "anki"))
                     for f in fs if f.endswith(".apkg")]
            size = sum(os.path.getsize(f) for f in apkgs) / 1e6
            print(f"qbank build --format anki (parse + lint + export): {qb:.3f} s, {size:.1f} MB")
            print(f"ratio qbank / genanki: {qb / ga:.2f}")
    finally:
        if a.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
