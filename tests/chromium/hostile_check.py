#!/usr/bin/env python3
"""Prove that hostile content in questions cannot run in the HTML and Anki exports.

Usage: hostile_check.py [--bank DIR] [--chromium BINARY] [--keep DIR]

Python 3 standard library only. Needs the qbank binary ($QBANK_BIN, default
target/debug/qbank) and a Chromium (`chromium`, `chromium-browser`,
`google-chrome`; or --chromium / $CHROMIUM). Run from the repository root.

The fixture bank tests/fixtures/hostile-bank has questions whose stems,
options, rationales and explanations (and the blueprint's exam, domain and
topic names) carry payloads that, if any of them ran, would set a
`data-pwned` attribute on <html>: <script>, <img onerror>, <svg onload>,
<iframe srcdoc>, <body onload>, <details ontoggle>, `javascript:` links in
HTML and Markdown, <object>/<embed>, <style>, <meta http-equiv=refresh>,
<base>, unclosed and split tags, mutation-XSS style nesting, and so on.

What it checks (exit status 1 and a message on the first failure):

1. `qbank build BANK --format html,anki` succeeds (the bank has lint
   warnings, QB406, but no errors).
2. booklet.html loaded in headless Chromium (--dump-dom after a 3 s virtual
   time budget): the opening <html> tag has no data-pwned attribute, and no
   element of the DOM is a <script>, <iframe>, <frame>, <object>, <embed>,
   <base> or <meta http-equiv=refresh>, has an on* attribute, or has a
   `javascript:` URL in any attribute (whitespace and control characters
   ignored, any case). The hostile <style> is gone too. Every question is
   still in the page, so the check is not vacuous.
3. Positive control: a copy of the booklet with one real
   `<script>document.documentElement.setAttribute('data-pwned','control')</script>`
   before </body>, loaded the same way, DOES get data-pwned="control", and
   the DOM checker DOES flag it. So the check can fail.
4. The .apkg (zip + SQLite): every note's fields (`flds`, split on \\x1f)
   and the note type's card templates (`qfmt`, `afmt` in col.models) contain
   no `<script`, no `<iframe`, no `javascript:` (anywhere, any case) and no
   tag with an on* attribute (tags parsed with html.parser, so escaped text
   such as `&lt;img onerror=...` is correctly not an attribute). The checker
   is first run on a known-bad field to show it detects each case.
5. Every Anki card (front and back: the templates with the note's fields
   substituted) is rendered into one page and loaded in Chromium like the
   booklet: no data-pwned.
"""

from __future__ import annotations

import argparse
import html.parser
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chromium as shared  # noqa: E402  (helpers beside this script)
from chromium import HEADLESS_FLAGS  # noqa: E402

CHROMIUM_FLAGS = HEADLESS_FLAGS

CONTROL = "<script>document.documentElement.setAttribute('data-pwned','control')</script>"
HTML_TAG = re.compile(r"<html\b[^>]*>", re.I)
PWNED = re.compile(r"\bdata-pwned\b", re.I)
# Tags whose mere presence lets content run or navigate.
FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "base", "applet"}


class Fail(Exception):
    pass


def find_chromium(explicit: str | None) -> str:
    found = shared.find_chromium(explicit)
    if not found:
        raise Fail("no Chromium found (set --chromium or $CHROMIUM)")
    return found


def dump_dom(chromium: str, page: Path, work: Path) -> str:
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=work))
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
           "--virtual-time-budget=3000", "--dump-dom", page.resolve().as_uri()]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise Fail(f"Chromium timed out on {page}")
    if r.returncode != 0 or "<html" not in r.stdout.lower():
        raise Fail(f"Chromium --dump-dom failed on {page} (exit {r.returncode}):\n{r.stderr[-2000:]}")
    return r.stdout


def html_pwned(dom: str) -> str | None:
    """The data-pwned value on the opening <html> tag, or None."""
    m = HTML_TAG.search(dom)
    if not m:
        raise Fail("no <html> tag in the dumped DOM")
    tag = m.group(0)
    if not PWNED.search(tag):
        return None
    v = re.search(r"data-pwned\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", tag, re.I)
    return v.group(1).strip("\"'") if v else ""


def is_js_url(value: str) -> bool:
    squeezed = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    return "javascript:" in squeezed or "vbscript:" in squeezed


class Scan(html.parser.HTMLParser):
    """Collect dangerous tags and attributes, as a browser would tokenise them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)

    def _check(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and any(k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs):
            self.problems.append("<meta http-equiv=refresh>")
        for k, v in attrs:
            if k.startswith("on"):
                self.problems.append(f"<{tag} {k}=...> event-handler attribute")
            if v and is_js_url(v):
                self.problems.append(f"<{tag} {k}={v[:60]!r}> javascript: URL")


def scan(markup: str) -> Scan:
    s = Scan()
    s.feed(markup)
    s.close()
    return s


def check_dom(dom: str) -> list[str]:
    s = scan(dom)
    problems = list(s.problems)
    if any("hostile-style-marker" in css for css in s.styles):
        problems.append("the hostile <style> element survived")
    pwned = html_pwned(dom)
    if pwned is not None:
        problems.append(f"<html data-pwned={pwned!r}>")
    return problems


def check_anki_text(text: str) -> list[str]:
    problems = []
    low = text.lower()
    for needle in ("<script", "<iframe", "javascript:"):
        if needle in low:
            problems.append(f"contains {needle!r}")
    s = scan(text)
    problems += [p for p in s.problems if "event-handler" in p or "javascript" in p or "<script" in p or "<iframe" in p]
    return problems


def render_card(template: str, fields: dict[str, str]) -> str:
    """Enough of Anki's template language for qbank's note type:
    {{#F}}...{{/F}}, {{^F}}...{{/F}} and {{F}}."""
    def section(m):
        neg, name, body = m.group(1) == "^", m.group(2).strip(), m.group(3)
        present = bool(fields.get(name, "").strip())
        return body if present != neg else ""
    out = template
    while True:
        new = re.sub(r"\{\{([#^])([^}]+)\}\}(.*?)\{\{/\2\}\}", section, out, flags=re.S)
        if new == out:
            break
        out = new
    return re.sub(r"\{\{([^}#^/]+)\}\}", lambda m: fields.get(m.group(1).strip(), ""), out)


def read_apkg(apkg: Path, work: Path):
    with zipfile.ZipFile(apkg) as z:
        names = z.namelist()
        coll = next((n for n in ("collection.anki21", "collection.anki2") if n in names), None)
        if coll is None:
            raise Fail(f"{apkg.name}: no collection.anki2(1) in {names}")
        z.extract(coll, work)
    db = sqlite3.connect(work / coll)
    try:
        models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
        notes = db.execute("SELECT id, mid, flds FROM notes ORDER BY id").fetchall()
    finally:
        db.close()
    return models, notes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bank", default="tests/fixtures/hostile-bank")
    ap.add_argument("--chromium")
    ap.add_argument("--keep", help="keep the build and the rendered pages in this directory")
    args = ap.parse_args()

    qbank = os.environ.get("QBANK_BIN", "target/debug/qbank")
    bank = Path(args.bank)
    chromium = find_chromium(args.chromium)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="qbank-hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        # 1. Build.
        out = work / "dist"
        if out.exists():
            shutil.rmtree(out)
        r = subprocess.run([qbank, "build", str(bank), "--out", str(out), "--format", "html,anki",
                            "--color", "never"], capture_output=True, text=True)
        if r.returncode != 0:
            raise Fail(f"qbank build failed (exit {r.returncode}):\n{r.stderr[-3000:]}{r.stdout[-3000:]}")
        booklet = out / "booklet.html"
        apkgs = sorted(out.glob("*.apkg"))
        if not booklet.is_file() or len(apkgs) != 1:
            raise Fail(f"expected booklet.html and one .apkg in {out}, got {sorted(p.name for p in out.iterdir())}")
        ids = sorted(p.stem for p in (bank / "questions").glob("*.md"))

        # 2. The booklet in Chromium.
        dom = dump_dom(chromium, booklet, work)
        problems = check_dom(dom)
        if problems:
            raise Fail("booklet.html: hostile content survived:\n  " + "\n  ".join(problems))
        missing = [i for i in ids if f'id="q-{i}"' not in dom]
        if missing:
            raise Fail(f"booklet.html: questions missing from the DOM: {missing}")

        # 3. Positive control: a real script does run and is detected.
        src = booklet.read_text(encoding="utf-8")
        if "</body>" not in src:
            raise Fail("booklet.html has no </body> to inject the control before")
        control = work / "control.html"
        i = src.rindex("</body>")
        control.write_text(src[:i] + CONTROL + "\n" + src[i:], encoding="utf-8")
        cdom = dump_dom(chromium, control, work)
        if html_pwned(cdom) != "control":
            raise Fail("positive control: an injected <script> did not set data-pwned; the check cannot fail")
        cproblems = check_dom(cdom)
        if not any("<script>" in p for p in cproblems) or not any("data-pwned" in p for p in cproblems):
            raise Fail(f"positive control: the DOM checker missed the injected script: {cproblems}")

        # 4. The Anki package, statically.
        bad = ('<script>x</script><iframe src=x></iframe><a href="JaVa\tScRiPt:x">a</a>'
               '<img src=x onerror=y>')
        found = check_anki_text(bad)
        for want in ("<script", "<iframe", "javascript:", "onerror"):
            if not any(want in p for p in found):
                raise Fail(f"Anki checker self-test: {want} not detected in {bad!r}: {found}")
        if check_anki_text('<p>&lt;img src=x onerror=alert(1)&gt; <img src="x" alt="&quot; onerror=&quot;y"></p>'):
            raise Fail("Anki checker self-test: escaped text was flagged as markup")
        models, notes = read_apkg(apkgs[0], work)
        if len(notes) != len(ids):
            raise Fail(f"{apkgs[0].name}: {len(notes)} notes, expected {len(ids)}")
        n_templates = 0
        for mid, m in models.items():
            for t in m.get("tmpls", []):
                for side in ("qfmt", "afmt"):
                    n_templates += 1
                    p = check_anki_text(t.get(side, ""))
                    if p:
                        raise Fail(f"note type {m.get('name')!r} template {side}: {p}")
        n_fields = 0
        cards = []
        for nid, mid, flds in notes:
            values = flds.split("\x1f")
            for k, v in enumerate(values):
                n_fields += 1
                p = check_anki_text(v)
                if p:
                    raise Fail(f"note {nid} field {k} ({values[0]!r}): {p}")
            m = models[str(mid)]
            named = {f["name"]: values[f["ord"]] if f["ord"] < len(values) else "" for f in m["flds"]}
            for t in m.get("tmpls", []):
                cards.append(render_card(t["qfmt"], named))
                cards.append(render_card(t["afmt"], named))

        # 5. The Anki cards, rendered, in Chromium.
        page = work / "anki-cards.html"
        css = next(iter(models.values())).get("css", "")
        page.write_text("<!doctype html><html><head><meta charset=utf-8><style>" + css + "</style></head><body>\n"
                        + "\n".join(f'<div class="card">{c}</div><hr>' for c in cards)
                        + "\n</body></html>\n", encoding="utf-8")
        adom = dump_dom(chromium, page, work)
        problems = check_dom(adom)
        if problems:
            raise Fail("rendered Anki cards: hostile content survived:\n  " + "\n  ".join(problems))

        print(f"hostile check passed: {len(ids)} hostile questions; booklet DOM clean (no data-pwned, "
              f"no script/iframe/on*/javascript:), control script ran (data-pwned=control); "
              f"{apkgs[0].name}: {len(notes)} notes, {n_fields} fields, {n_templates} templates clean, "
              f"{len(cards)} rendered cards clean")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    except Fail as e:
        print(f"hostile check FAILED: {e}", file=sys.stderr)
        if not args.keep:
            print(f"(work files kept in {work})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    try:
        rc = main()
    except Fail as e:  # raised before the work dir exists (e.g. no Chromium)
        print(f"hostile check FAILED: {e}", file=sys.stderr)
        rc = 1
    sys.exit(rc)
