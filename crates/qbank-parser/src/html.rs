//! The HTML of a question's parts, as CommonMark renders them.
//!
//! The parts are taken from the body's Markdown events, read once for the
//! whole body: [`load_with`](crate::load_with) renders while it parses when
//! [`LoadOptions::html`](crate::LoadOptions::html) asks for it, so a build
//! does not parse every question a second time. [`render`] does the same for
//! one question, with image URLs of the caller's choice.
//!
//! The HTML is not sanitised: raw HTML in the Markdown passes through. Each
//! part that holds raw HTML, a link or an image is listed in
//! [`QuestionHtml::raw`], for the caller to clean.

use pulldown_cmark::{html, Event, Tag, TagEnd};
use std::ops::Range;

use crate::parse::{
    body_events, item_quotes, list_items, task_marker_at, top_level_blocks, Block, Ev,
};
use crate::question::{Part, Question};
use crate::span::Span;

/// The HTML of one question's parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionHtml {
    pub stem: String,
    pub options: Vec<String>,
    pub rationales: Vec<Option<String>>,
    pub explanation: Option<String>,
    /// Parts whose Markdown holds raw HTML, a link or an image: their HTML
    /// carries markup and URLs from the author, not only text.
    pub raw: Vec<Part>,
}

impl QuestionHtml {
    /// The HTML of one part of the question; `None` for a part it does not
    /// have (and for [`Part::Other`], which is never rendered on its own).
    pub fn part(&self, part: Part) -> Option<&str> {
        match part {
            Part::Stem => Some(&self.stem),
            Part::Option(i) => self.options.get(i).map(String::as_str),
            Part::Rationale(i) => self.rationales.get(i)?.as_deref(),
            Part::Explanation => self.explanation.as_deref(),
            Part::Other => None,
        }
    }

    /// The HTML of one part, to change it; `None` as for [`part`](Self::part).
    fn part_mut(&mut self, part: Part) -> Option<&mut String> {
        match part {
            Part::Stem => Some(&mut self.stem),
            Part::Option(i) => self.options.get_mut(i),
            Part::Rationale(i) => self.rationales.get_mut(i)?.as_mut(),
            Part::Explanation => self.explanation.as_mut(),
            Part::Other => None,
        }
    }

    /// Pass each part in [`raw`](Self::raw) through `clean`; none is raw after.
    pub fn clean(&mut self, clean: impl Fn(&str) -> String) {
        for part in std::mem::take(&mut self.raw) {
            if let Some(s) = self.part_mut(part) {
                *s = clean(s);
            }
        }
    }
}

/// Render `q`'s parts from its file's text, with each image URL replaced by
/// `image(url)` (for example an embedded data URL or a media file name).
pub fn render(q: &Question, text: &str, image: &dyn Fn(&str) -> String) -> QuestionHtml {
    render_text(q, text, Some(image), None)
}

/// [`render`], image URLs as written when `image` is `None`; `parsed` are the
/// body's events and top-level blocks when the caller has them.
///
/// A body with `\r\n` line endings is read with `\n` ones, as the model's
/// Markdown is (pulldown-cmark turns each byte of a `\r\n` inside a code span
/// into a space), and the parts' spans are moved to match: its events are
/// read again.
pub(crate) fn render_text(
    q: &Question,
    text: &str,
    image: Option<&dyn Fn(&str) -> String>,
    parsed: Option<(&[Ev<'_>], &[Block])>,
) -> QuestionHtml {
    let start = q.body_start.min(text.len());
    let body = text.get(start..).unwrap_or_default();
    if !body.contains("\r\n") {
        if let Some((events, blocks)) = parsed {
            return render_events(q, events, blocks, image, &|s| s);
        }
        let events = body_events(body, start);
        return render_events(q, &events, &top_level_blocks(&events), image, &|s| s);
    }
    // File offsets of the `\r`s that go, and where an offset moves to.
    let gone: Vec<usize> = body.match_indices("\r\n").map(|(i, _)| start + i).collect();
    let moved = |at: usize| at - gone.partition_point(|&r| r < at);
    let at = |s: Span| Span::new(moved(s.start), moved(s.end));
    let lf = body.replace("\r\n", "\n");
    let events = body_events(&lf, start);
    render_events(q, &events, &top_level_blocks(&events), image, &at)
}

/// Render `q`'s parts from the events of its whole body (offsets in the
/// file). The parts are found by the spans the parser gave them, moved by
/// `at` to the events' offsets: the stem and explanation are whole top-level
/// blocks; options are the items of the options list, each split at its
/// first blockquote (the rationale).
pub(crate) fn render_events(
    q: &Question,
    events: &[Ev<'_>],
    blocks: &[Block],
    image: Option<&dyn Fn(&str) -> String>,
    at: &dyn Fn(Span) -> Span,
) -> QuestionHtml {
    let overlaps = |s: Span, b: Span| b.start < s.end && s.start < b.end;
    let stem_span = q.stem.as_ref().map(|s| at(s.span));
    let expl_span = q
        .explanation
        .as_ref()
        .and_then(|e| e.body.as_ref())
        .map(|b| at(b.span));
    let options_span = q.options_span.map(at);
    let mut stem: Option<Range<usize>> = None;
    let mut explanation: Option<Range<usize>> = None;
    let mut list = None;
    for b in blocks {
        let cover =
            |r: Option<Range<usize>>| Some(r.map_or(b.events.clone(), |r| r.start..b.events.end));
        if stem_span.is_some_and(|s| overlaps(s, b.span)) {
            stem = cover(stem);
        } else if expl_span.is_some_and(|s| overlaps(s, b.span)) {
            explanation = cover(explanation);
        } else if list.is_none() && options_span.is_some_and(|s| b.span.contains(s.start)) {
            list = Some(b);
        }
    }
    let mut out = QuestionHtml::default();
    let mut raw = Vec::new();
    if let (Some(r), Some(s)) = (stem, stem_span) {
        out.stem = render_part(Part::Stem, &events[r], s, image, &mut raw);
    }
    let items = list.map_or_else(Vec::new, |b| list_items(events, b));
    for (i, o) in q.options.iter().enumerate() {
        let item = items.get(i).cloned().unwrap_or_default();
        let quotes = item_quotes(events, &item);
        let text = with_paragraphs(option_text(events, &item, &quotes));
        let html = render_part(Part::Option(i), text, o.text_span, image, &mut raw);
        out.options.push(html);
        out.rationales.push(o.rationale.as_ref().map(|r| {
            let rationale = with_paragraphs(rationale(events, &quotes));
            render_part(Part::Rationale(i), rationale, r.span, image, &mut raw)
        }));
    }
    if let (Some(r), Some(s)) = (explanation, expl_span) {
        let html = render_part(Part::Explanation, &events[r], s, image, &mut raw);
        out.explanation = Some(html);
    }
    raw.sort();
    out.raw = raw;
    out
}

/// The HTML of one part's events (from `span` of the text); a part holding
/// raw HTML, a link or an image is added to `raw`.
fn render_part<'e, 'a: 'e>(
    part: Part,
    events: impl IntoIterator<Item = &'e Ev<'a>>,
    span: Span,
    image: Option<&dyn Fn(&str) -> String>,
    raw: &mut Vec<Part>,
) -> String {
    // Markup and escapes make HTML about a fifth longer than its Markdown.
    let mut s = String::with_capacity(span.len() + span.len() / 4 + 16);
    let mut markup = false;
    html::push_html(
        &mut s,
        events.into_iter().map(|(ev, _)| {
            markup |= matches!(
                ev,
                Event::Html(_)
                    | Event::InlineHtml(_)
                    | Event::Start(Tag::Link { .. })
                    | Event::Start(Tag::Image { .. })
            );
            map_image(ev, image)
        }),
    );
    if markup {
        raw.push(part);
    }
    s
}

fn map_image<'a>(ev: &Event<'a>, image: Option<&dyn Fn(&str) -> String>) -> Event<'a> {
    match (ev, image) {
        (
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }),
            Some(image),
        ) => Event::Start(Tag::Image {
            link_type: *link_type,
            dest_url: image(dest_url).into(),
            title: title.clone(),
            id: id.clone(),
        }),
        (ev, _) => ev.clone(),
    }
}

/// The events of an item's option text: what comes before the item's first
/// blockquote (`quotes`, its rationale), without the item's own task box
/// (boxes of a list inside the option stay).
fn option_text<'e, 'a>(
    events: &'e [Ev<'a>],
    item: &Range<usize>,
    quotes: &[Range<usize>],
) -> impl Iterator<Item = &'e Ev<'a>> {
    let start = (item.start + 1).min(item.end);
    let end = quotes
        .first()
        .map_or(item.end.saturating_sub(1), |q| q.start)
        .max(start);
    let own_box = task_marker_at(events, item);
    (start..end)
        .filter(move |&i| Some(i) != own_box)
        .map(|i| &events[i])
}

/// The events of an item's rationale: from its first blockquote to the end
/// of its last, without the quotes' own start and end.
fn rationale<'e, 'a>(
    events: &'e [Ev<'a>],
    quotes: &'e [Range<usize>],
) -> impl Iterator<Item = &'e Ev<'a>> {
    let all = quotes.first().map_or(0..0, |first| {
        first.start..quotes.last().map_or(first.end, |last| last.end)
    });
    all.filter(|&i| !quotes.iter().any(|q| i == q.start || i + 1 == q.end))
        .map(|i| &events[i])
}

static START_P: Ev<'static> = (Event::Start(Tag::Paragraph), 0..0);
static END_P: Ev<'static> = (Event::End(TagEnd::Paragraph), 0..0);

/// Item content with the paragraphs of a tight list made explicit: a run of
/// inline events directly in the item is wrapped in a paragraph, as it is
/// when the same Markdown stands on its own.
fn with_paragraphs<'e, 'a>(events: impl Iterator<Item = &'e Ev<'a>>) -> Vec<&'e Ev<'a>> {
    let mut out = Vec::with_capacity(events.size_hint().0 + 2);
    let mut depth = 0usize;
    let mut open = false;
    for ev in events {
        if depth == 0 {
            let inline = is_inline(&ev.0);
            if inline && !open {
                out.push(&START_P);
            } else if !inline && open {
                out.push(&END_P);
            }
            open = inline;
        }
        match &ev.0 {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push(ev);
    }
    if open {
        out.push(&END_P);
    }
    out
}

/// Inline content: what a paragraph holds.
fn is_inline(ev: &Event<'_>) -> bool {
    match ev {
        Event::Start(t) => matches!(
            t,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineMath(_)
        | Event::DisplayMath(_)
        | Event::InlineHtml(_)
        | Event::FootnoteReference(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::TaskListMarker(_) => true,
        Event::End(_) | Event::Html(_) | Event::Rule => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{markdown_options, parse_shared_with};
    use crate::FileId;
    use proptest::prelude::*;
    use pulldown_cmark::Parser;
    use std::path::Path;
    use std::sync::Arc;

    const FRONT: &str =
        "---\nid: q\ndomain: d\ntopics: [t]\ndifficulty: easy\nstatus: draft\n---\n\n";

    fn question(body: &str) -> (Question, QuestionHtml) {
        let text: Arc<str> = Arc::from(format!("{FRONT}{body}"));
        let (q, _) = parse_shared_with(FileId(0), Path::new("q.md"), &text, true);
        let html = render(&q, &text, &|u: &str| u.to_string());
        // The loader writes the same HTML, except for questions with images,
        // which each export renders with its own image URLs.
        match q.rendered.as_deref() {
            Some(loaded) => assert_eq!(loaded, &html),
            None => assert!(
                !q.images.is_empty(),
                "no HTML for a question without images"
            ),
        }
        (q, html)
    }

    /// CommonMark's HTML of `md` on its own.
    fn alone(md: &str) -> String {
        let mut s = String::new();
        html::push_html(&mut s, Parser::new_ext(md, markdown_options()));
        s
    }

    /// Each part reads as its Markdown in the model does on its own.
    fn assert_parts_read_alone(q: &Question, h: &QuestionHtml) {
        let stem = q.stem.as_ref().map_or("", |s| &s.markdown);
        assert_eq!(h.stem, alone(&stem.replace("\r\n", "\n")));
        assert_eq!(h.options.len(), q.options.len());
        for (i, o) in q.options.iter().enumerate() {
            assert_eq!(h.options[i], alone(&o.text), "option {i}");
            let r = o.rationale.as_ref().map(|r| alone(&r.markdown));
            assert_eq!(h.rationales[i], r, "rationale {i}");
        }
        let expl = q.explanation.as_ref().and_then(|e| e.body.as_ref());
        let expl = expl.map(|b| alone(&b.markdown.replace("\r\n", "\n")));
        assert_eq!(h.explanation, expl);
    }

    #[test]
    fn tight_and_loose_options_read_as_their_markdown_alone() {
        let tight = "Which *call* loads `m`?\n\n```python\nm = load()\n```\n\n\
                     - [x] `load(\"a\")`, then\n  predict.\n  > Loads **a**.\n  > Then scores.\n\
                     - [ ] Nothing.\n\
                     - [ ] A fenced block:\n  ```sql\n  SELECT 1\n  ```\n  > Not a load.\n\n\
                     ## Explanation\n\nBecause.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
        let loose = "Pick one.\n\n- [x] First.\n\n  > Right.\n  >\n  > Two paragraphs.\n\n\
                     - [ ] Second, in two\n\n  paragraphs.\n\n  > Wrong.\n\n## Explanation\n\nDone.\n";
        for body in [tight, loose] {
            for text in [body.to_string(), body.replace('\n', "\r\n")] {
                let (q, h) = question(&text);
                assert_eq!(q.options.len(), if body == tight { 3 } else { 2 });
                assert_parts_read_alone(&q, &h);
                assert!(h.raw.is_empty(), "{:?}", h.raw);
            }
        }
        let (_, h) = question(tight);
        assert_eq!(
            h.options[0],
            "<p><code>load(\"a\")</code>, then\npredict.</p>\n"
        );
        assert_eq!(
            h.options[2],
            "<p>A fenced block:</p>\n<pre><code class=\"language-sql\">SELECT 1\n</code></pre>\n"
        );
        assert_eq!(h.rationales[1], None);
    }

    #[test]
    fn a_list_inside_an_option_keeps_its_boxes() {
        let (q, h) = question("Which?\n\n- [x] Steps:\n  - [ ] one\n  - [x] two\n- [ ] No.\n");
        assert_parts_read_alone(&q, &h);
        assert!(h.options[0].contains("checked"), "{}", h.options[0]);
        assert_eq!(h.options[0].matches("type=\"checkbox\"").count(), 2);
    }

    #[test]
    fn crlf_reads_as_lf_even_inside_code_spans() {
        let body = "Run `pip\ninstall x` first.\n\n- [x] A `b\nc`.\n  > Because `d\ne`.\n- [ ] No.\n\n## Explanation\n\n```sh\nls\n```\n";
        let (_, lf) = question(body);
        let (q, crlf) = question(&body.replace('\n', "\r\n"));
        assert_eq!(crlf, lf);
        assert_eq!(crlf.stem, "<p>Run <code>pip install x</code> first.</p>\n");
        assert_parts_read_alone(&q, &crlf);
    }

    #[test]
    fn parts_with_links_images_or_raw_html_are_listed() {
        let (_, h) = question(
            "See <b>this</b>.\n\n- [x] [Docs](https://example.com).\n- [ ] Plain.\n  > ![i](a.png)\n\n\
             ## Explanation\n\n<div>raw</div>\n",
        );
        assert_eq!(
            h.raw,
            [
                Part::Stem,
                Part::Option(0),
                Part::Rationale(1),
                Part::Explanation
            ]
        );
        let mut cleaned = h.clone();
        cleaned.clean(|s| format!("[{s}]"));
        assert!(cleaned.raw.is_empty());
        assert_eq!(cleaned.stem, format!("[{}]", h.stem));
        assert_eq!(cleaned.options[1], h.options[1]);
        assert_eq!(
            cleaned.rationales[1],
            Some(format!(
                "[{}]",
                h.rationales[1].as_deref().unwrap_or_default()
            ))
        );
    }

    #[test]
    fn images_take_the_callers_urls() {
        let text = format!("{FRONT}Look: ![chart](img/a.png \"A\").\n\n- [x] Yes.\n- [ ] No.\n");
        let (q, _) = crate::parse_question(FileId(0), Path::new("q.md"), &text);
        let h = render(&q, &text, &|u: &str| {
            format!("media/{}", u.replace('/', "-"))
        });
        assert_eq!(
            h.stem,
            "<p>Look: <img src=\"media/img-a.png\" alt=\"chart\" title=\"A\" />.</p>\n"
        );
    }

    #[test]
    fn references_resolve_across_the_whole_body() {
        // A link reference defined in the explanation serves the stem too.
        let (_, h) = question(
            "Read [the guide][g].\n\n- [x] Yes.\n- [ ] No.\n\n## Explanation\n\nSee [the guide][g].\n\n[g]: https://example.com/guide\n",
        );
        assert_eq!(
            h.stem,
            "<p>Read <a href=\"https://example.com/guide\">the guide</a>.</p>\n"
        );
    }

    proptest! {
        /// Any question built from lines of text and inline markup renders
        /// each part as its Markdown alone, tight or loose, LF or CRLF. (Text
        /// that would start a block on its own, such as an option that is only
        /// `*`, reads as the author wrote it in the list, which is not what it
        /// reads alone: the lines here start with a letter.)
        #[test]
        fn generated_parts_read_alone(
            stem in "[a-z][a-z`*_ ]{0,29}(\n[a-z][a-z ]{0,19}){0,2}",
            options in prop::collection::vec(
                ("[a-z][a-z`* ]{0,19}", prop::option::of("[a-z][a-z_` ]{0,19}")),
                1..5,
            ),
            loose in any::<bool>(),
            crlf in any::<bool>(),
        ) {
            let gap = if loose { "\n" } else { "" };
            let mut body = format!("{stem}\n\n");
            for (i, (text, rationale)) in options.iter().enumerate() {
                body.push_str(&format!("- [{}] {text}\n", if i == 0 { 'x' } else { ' ' }));
                if let Some(r) = rationale {
                    body.push_str(&format!("{gap}  > {r}\n"));
                }
                body.push_str(gap);
            }
            body.push_str("\n## Explanation\n\nDone.\n");
            if crlf {
                body = body.replace('\n', "\r\n");
            }
            let text: Arc<str> = Arc::from(format!("{FRONT}{body}"));
            let (q, _) = parse_shared_with(FileId(0), Path::new("q.md"), &text, true);
            let h = q.rendered.as_deref().cloned().expect("rendered");
            assert_parts_read_alone(&q, &h);
        }
    }
}
