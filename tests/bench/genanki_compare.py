#!/usr/bin/env python3
"""Compare `qbank build --format anki` with genanki on a synthetic bank.

Not run in CI. Needs genanki and markdown-it-py (PyPI) and release binaries:

    cargo build --release
    python3 -m venv /tmp/gvenv && /tmp/gvenv/bin/pip install genanki markdown-it-py
    /tmp/gvenv/bin/python tests/bench/genanki_compare.py --n 10000

The bank comes from `qbank-gen`. Two genanki pipelines build the same notes
(stem with options on the front; key, rationales and explanation on the back):

- "markdown": from the question files, as a Python script would without qbank:
  front matter with PyYAML's C loader (PyYAML is genanki's own dependency), the body split into
  stem, options, rationales and explanation, each rendered with markdown-it-py
  (CommonMark). Same input as qbank: this is the like-for-like comparison.
- "json": from qbank's own JSON export (written once, not timed), so genanki
  gets the HTML already rendered and only builds and writes the deck.

Every run is a separate process, interleaved; medians are reported. The
genanki times include Python start-up; the qbank time includes parsing and
linting the bank as well as rendering and writing the deck. `qbank check` is
timed too, so the export phase alone can be estimated as build minus check.
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


def parse_markdown(bank):
    """Questions from the Markdown files: PyYAML front matter, CommonMark bodies."""
    import yaml
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    # libyaml's C loader when PyYAML has it: the fastest way Python reads YAML.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out = []
    for dirpath, dirs, files in os.walk(os.path.join(bank, "questions")):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".md"):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                text = f.read()
            _, front, body = text.split("---\n", 2)
            meta = yaml.load(front, Loader=loader)
            body, _, expl = body.partition("\n## Explanation\n")
            stem, options = [], []
            for line in body.strip("\n").split("\n"):
                m = re.match(r"^- \[([ x])\] (.*)$", line)
                if m:
                    options.append({"is_key": m.group(1) == "x", "text": m.group(2), "why": []})
                elif options and line.startswith("  > "):
                    options[-1]["why"].append(line[4:])
                elif not options:
                    stem.append(line)
            out.append({
                "id": str(meta["id"]),
                "stem": md.render("\n".join(stem)),
                "options": [{"html": md.renderInline(o["text"]), "is_key": o["is_key"],
                             "rationale": md.render("\n".join(o["why"]))} for o in options],
                "explanation": md.render(expl),
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

    questions = from_json(source) if kind == "json" else parse_markdown(source)
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
        if r.returncode != 0:
            sys.exit(f"qbank JSON export failed: {r.stderr.strip()}")
        sources = {"markdown": bank, "json": os.path.join(jdir, "bank.json")}
        times = {"qbank": [], "check": [], "markdown": [], "json": []}
        out = os.path.join(tmp, "anki")
        for rep in range(a.reps):
            shutil.rmtree(out, ignore_errors=True)
            t, r = timed([a.qbank, "build", bank, "--out", out, "--format", "anki"])
            if r.returncode != 0:
                sys.exit(f"qbank build failed: {r.stderr.strip()}")
            times["qbank"].append(t)
            t, r = timed([a.qbank, "check", bank])
            times["check"].append(t)
            for kind, source in sources.items():
                apkg = os.path.join(tmp, f"genanki-{kind}.apkg")
                t, r = timed([sys.executable, os.path.abspath(__file__), "--worker", source, kind, apkg])
                if r.returncode != 0:
                    sys.exit(f"genanki worker failed: {r.stderr}")
                times[kind].append(t)
            print(f"rep {rep}: " + "  ".join(f"{k} {v[-1]:.3f}s" for k, v in times.items()),
                  file=sys.stderr)
        med = {k: statistics.median(v) for k, v in times.items()}
        size = lambda p: os.path.getsize(p) / 1e6  # noqa: E731
        qb_apkg = [os.path.join(out, f) for f in os.listdir(out) if f.endswith(".apkg")][0]
        print(f"N = {a.n}, {a.reps} interleaved repetitions, medians")
        print(f"qbank build --format anki (parse, lint, render, write): {med['qbank']:.3f} s, "
              f"{size(qb_apkg):.1f} MB")
        export = med["qbank"] - med["check"]
        print(f"qbank export phase alone (build minus check, derived): {export:.3f} s")
        for kind, label in (("markdown", "from the Markdown files (PyYAML + markdown-it-py)"),
                            ("json", "from qbank's JSON export (HTML already rendered)")):
            print(f"genanki {label}: {med[kind]:.3f} s, "
                  f"{size(os.path.join(tmp, f'genanki-{kind}.apkg')):.1f} MB, "
                  f"qbank build is {med[kind] / med['qbank']:.2f}x faster")
        print(f"genanki from the JSON export against qbank's export phase alone: "
              f"{med['json'] / export:.2f}x")
    finally:
        if a.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
