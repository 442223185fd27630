#!/usr/bin/env python3
"""Print a qbank booklet with headless Chromium and check the result.

Usage: print_check.py path/to/booklet.html [--chromium BINARY] [--keep DIR]

Python 3 standard library only. Needs a Chromium (`chromium`,
`chromium-browser`, `google-chrome`; or --chromium / $CHROMIUM).

What it checks (exit status 1 and a message on the first failure):

1. Static, on the HTML file: no <script> element, no inline event-handler
   attribute (on...=), no `javascript:` URL, and no resource the page would
   load from the network (src/href of img, link, script, iframe, object,
   embed, source, video, audio, input; `url(` or `@import` in CSS pointing at
   http(s) or protocol-relative URLs). Ordinary <a href="https://..."> links
   are allowed: printing does not follow them. Local files count too: every
   loaded resource must be a `data:` URL, so the file can be mailed alone.
2. `--dump-dom`: the DOM Chromium builds from the file also has no <script>
   and still holds every question.
3. `--print-to-pdf`: the PDF exists, starts with %PDF and has pages. The page
   count is the number of `/Type /Page` objects (not `/Pages`), cross-checked
   against the page tree's /Count, and printed.
4. No console errors: both Chromium runs use `--enable-logging=stderr --v=0`;
   any console message (`CONSOLE` log lines, "Uncaught", "Failed to load
   resource") fails the check. Chromium's own noise (dbus and the like) is
   ignored.
5. No question is split across pages. The script prints a *copy* of the
   booklet in which, inside every `<article class="question" id="q-ID">` and
   every `<div class="key-entry" id="key-ID">`, a zero-height end marker is
   added as the last child, plus a hidden list of links to every start and end
   marker. Chromium writes a PDF named destination (/Dests: name -> [page /XYZ
   x y]) for every element that an in-page link targets, so the script maps
   each start and end marker to a page (via the /Pages tree's order) and
   asserts both are on the same page. The published booklet itself is not
   changed. (Questions longer than a page would necessarily fail this check.)

Page numbers: the booklet's CSS has an @page @bottom-center margin box
("page / pages") that Chromium 131+ prints. This script prints with Chromium's
defaults (it does not pass --no-pdf-header-footer), so Chromium's own
header/footer (title, date, URL, page numbers) is drawn too, as for a user
printing from the browser with default settings. The checks do not depend on
either.
"""

from __future__ import annotations

import argparse
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chromium as shared  # noqa: E402  (helpers beside this script)
from chromium import HEADLESS_FLAGS  # noqa: E402

CHROMIUM_FLAGS = [*HEADLESS_FLAGS,
    "--enable-logging=stderr",
    "--v=0",
]

LOADING_ATTRS = {
    "img": ("src", "srcset"),
    "script": ("src",),
    "link": ("href",),
    "iframe": ("src",),
    "frame": ("src",),
    "object": ("data",),
    "embed": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
}
REMOTE = re.compile(r"^\s*(https?:|ftp:|//)", re.I)


class Fail(Exception):
    pass


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise Fail(msg)


class StaticScan(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_style = False
        self.question_ids: list[str] = []
        self.key_ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.problems.append("<script> element")
        if tag == "style":
            self.in_style = True
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if re.match(r"^\s*javascript:", value, re.I):
                self.problems.append(f"javascript: URL in <{tag} {name}>")
            if name == "style" and re.search(r"url\(\s*['\"]?\s*(https?:|//)", value, re.I):
                self.problems.append(f"remote url() in style attribute of <{tag}>")
        for name in LOADING_ATTRS.get(tag, ()):
            v = a.get(name) or ""
            if any(REMOTE.match(part) for part in v.split(",")):
                self.problems.append(f"remote resource <{tag} {name}={v!r}>")
            elif v.strip() and not v.strip().lower().startswith("data:"):
                self.problems.append(f"not self-contained: <{tag} {name}={v!r}>")
        classes = (a.get("class") or "").split()
        if tag == "article" and "question" in classes and a.get("id"):
            self.question_ids.append(a["id"])
        if tag == "div" and "key-entry" in classes and a.get("id"):
            self.key_ids.append(a["id"])

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style and re.search(
            r"(url\(\s*['\"]?\s*(https?:|//))|@import", data, re.I
        ):
            self.problems.append("remote url() or @import in <style>")


def find_chromium(explicit: str | None) -> str:
    found = shared.find_chromium(explicit)
    if not found:
        raise Fail("no Chromium found; install it (apt-get install chromium) or pass --chromium")
    return found


NOISE = re.compile(r"dbus|Fontconfig|gles|viz|gpu|sandbox|crashpad|SharedImage|VAAPI|libva", re.I)


def console_errors(stderr: str) -> list[str]:
    bad = []
    for line in stderr.splitlines():
        if "CONSOLE" in line or "Uncaught" in line or "Failed to load resource" in line:
            bad.append(line)
        elif ":ERROR:" in line and ("file://" in line or "net::" in line) and not NOISE.search(line):
            bad.append(line)
    return bad


def run_chromium(chromium: str, profile: Path, extra: list[str], url: str, timeout: int = 120):
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="replace")
    errs = console_errors(p.stderr)
    check(not errs, "console errors:\n" + "\n".join(errs))
    return p


# --- minimal PDF reading (Chromium/Skia writes plain objects, no object streams) ---


def pdf_obj(pdf: bytes, num: int) -> bytes:
    m = re.search(rb"(?:^|[\r\n])%d 0 obj\b" % num, pdf)
    check(m is not None, f"PDF object {num} not found")
    end = pdf.find(b"endobj", m.end())
    return pdf[m.end() : end]


def page_order(pdf: bytes) -> list[int]:
    """Object numbers of the pages, in document order (walks /Pages)."""
    root = re.search(rb"/Root\s+(\d+)\s+0\s+R", pdf)
    check(root is not None, "PDF has no /Root")
    cat = pdf_obj(pdf, int(root.group(1)))
    pages = re.search(rb"/Pages\s+(\d+)\s+0\s+R", cat)
    check(pages is not None, "PDF catalog has no /Pages")
    order: list[int] = []

    def walk(n: int, depth: int = 0) -> None:
        check(depth < 64, "PDF page tree too deep")
        o = pdf_obj(pdf, n)
        if re.search(rb"/Type\s*/Pages\b", o):
            kids = re.search(rb"/Kids\s*\[([^\]]*)\]", o)
            check(kids is not None, f"/Pages object {n} without /Kids")
            for k in re.findall(rb"(\d+)\s+0\s+R", kids.group(1)):
                walk(int(k), depth + 1)
        else:
            order.append(n)

    walk(int(pages.group(1)))
    return order


def named_destinations(pdf: bytes) -> dict[str, int]:
    """Destination name -> page object number."""
    cat_ref = re.search(rb"/Dests\s+(\d+)\s+0\s+R", pdf)
    check(cat_ref is not None, "PDF has no named destinations (/Dests)")
    body = pdf_obj(pdf, int(cat_ref.group(1)))
    dests = {}
    for name, page in re.findall(rb"/([^\s/\[<>()]+)\s*\[\s*(\d+)\s+0\s+R\s*/XYZ", body):
        # PDF names escape bytes as #xx.
        n = re.sub(rb"#([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), name)
        dests[n.decode("utf-8", "replace")] = int(page)
    return dests


def instrument(src: str, ids: list[str]) -> str:
    """Copy of the booklet with an end marker in every question and key entry,
    and hidden in-page links to every start and end marker."""

    def add_end(m: re.Match) -> str:
        return m.group(1) + f'<div id="{m.group(2)}--end" style="height:0;margin:0;padding:0"></div>' + m.group(3)

    out = re.sub(
        r'(<article class="question" id="([^"]+)">.*?)(</article>)', add_end, src, flags=re.S
    )
    # Key entries contain nested divs; insert the marker just before the
    # closing tag that precedes the next entry or the end of the section.
    out = re.sub(
        r'(<div class="key-entry" id="([^"]+)">.*?)(</div>\s*(?=<div class="key-entry"|</section>))',
        add_end,
        out,
        flags=re.S,
    )
    links = "".join(f'<a href="#{i}">s</a><a href="#{i}--end">e</a>' for i in ids)
    return out.replace("</body>", f'<nav style="display:none">{links}</nav>\n</body>', 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("booklet", type=Path)
    ap.add_argument("--chromium")
    ap.add_argument("--keep", type=Path, help="copy the PDFs here")
    args = ap.parse_args()
    booklet: Path = args.booklet.resolve()
    try:
        check(booklet.is_file(), f"{booklet}: no such file")
        src = booklet.read_text(encoding="utf-8")
        scan = StaticScan()
        scan.feed(src)
        scan.close()
        check(not scan.problems, "static check: " + "; ".join(scan.problems))
        ids = scan.question_ids + scan.key_ids
        check(scan.question_ids, "no <article class=\"question\"> in the booklet")
        chromium = find_chromium(args.chromium)

        with tempfile.TemporaryDirectory(prefix="qbank-print-") as tmp:
            t = Path(tmp)
            # 2. DOM as Chromium sees it.
            p = run_chromium(chromium, t / "profile-dom", ["--dump-dom"], booklet.as_uri())
            dom = p.stdout
            check("<article" in dom, "--dump-dom returned no booklet:\n" + p.stderr[-2000:])
            check("<script" not in dom.lower(), "the DOM has a <script> element")
            for qid in scan.question_ids:
                check(f'id="{qid}"' in dom, f"question {qid} missing from the DOM")

            # 3. Print the booklet itself.
            pdf_path = t / "out.pdf"
            p = run_chromium(
                chromium, t / "profile-pdf", [f"--print-to-pdf={pdf_path}"], booklet.as_uri()
            )
            check(pdf_path.is_file(), "Chromium wrote no PDF:\n" + p.stderr[-2000:])
            pdf = pdf_path.read_bytes()
            check(pdf.startswith(b"%PDF"), "output is not a PDF")
            pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
            check(pages > 0, "the PDF has no pages")
            # The root of the page tree has the largest /Count (intermediate
            # /Pages nodes count only their own subtree).
            counts = [int(c) for c in re.findall(rb"/Count\s+(\d+)", pdf)]
            if counts:
                check(max(counts) == pages, f"page tree /Count {max(counts)} != {pages} page objects")

            # 5. Print an instrumented copy and locate every start and end marker.
            probe = t / "probe.html"
            probe.write_text(instrument(src, ids), encoding="utf-8")
            probe_pdf = t / "probe.pdf"
            p = run_chromium(
                chromium, t / "profile-probe", [f"--print-to-pdf={probe_pdf}"], probe.as_uri()
            )
            check(probe_pdf.is_file(), "Chromium wrote no PDF for the probe:\n" + p.stderr[-2000:])
            ppdf = probe_pdf.read_bytes()
            order = {n: i + 1 for i, n in enumerate(page_order(ppdf))}
            probe_pages = len(order)
            check(probe_pages == pages, f"probe printed {probe_pages} pages, booklet {pages}")
            dests = named_destinations(ppdf)
            split = []
            for i in ids:
                check(i in dests and f"{i}--end" in dests, f"no PDF destination for {i}")
                a, b = order[dests[i]], order[dests[f"{i}--end"]]
                if a != b:
                    split.append(f"{i} (pages {a}-{b})")
            check(not split, "split across pages: " + ", ".join(split))
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(pdf_path, args.keep / "booklet.pdf")
                shutil.copy(probe_pdf, args.keep / "probe.pdf")
    except Fail as e:
        print(f"print_check: FAIL: {e}", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired:
        print("print_check: FAIL: Chromium timed out", file=sys.stderr)
        return 1
    print(
        f"print_check: OK: {pages} pages; {len(scan.question_ids)} questions and "
        f"{len(scan.key_ids)} answer-key entries each on one page; no console errors"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
