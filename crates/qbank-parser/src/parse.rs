//! The question parser: one Markdown file in, a [`Question`] and its
//! diagnostics out. It never panics and reports every problem it finds.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::diagnostic::{Diagnostic, FileId};
use crate::question::*;
use crate::schema;
use crate::source::lf;
use crate::span::Span;
use crate::yaml::{self, SpanMap};

/// Markdown extensions qbank enables (GitHub-flavoured task lists, tables, strikethrough).
pub fn markdown_options() -> Options {
    Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

enum Split {
    Missing,
    Unclosed {
        open: Span,
    },
    Found {
        open: Span,
        yaml: Range<usize>,
        close: Span,
        body: usize,
    },
}

/// Find the front matter: a first line `---`, YAML, and a closing `---` (or `...`) line.
fn split_front_matter(text: &str) -> Split {
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let first = text[..first_end].trim_end();
    if first != "---" {
        return Split::Missing;
    }
    let open = Span::new(0, 3);
    let mut pos = first_end;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            return Split::Found {
                open,
                yaml: first_end..pos,
                close: Span::new(pos, pos + 3),
                body: end,
            };
        }
        pos = end;
    }
    Split::Unclosed { open }
}

/// Parse one question file's decoded text.
///
/// `path` locates images relative to the file; nothing else is read from disk.
pub fn parse_question(file: FileId, path: &Path, text: &str) -> (Question, Vec<Diagnostic>) {
    parse_shared(file, path, &Arc::from(text))
}

/// [`parse_question`] of a file's shared text: the stem and explanation
/// refer to `source` instead of copying it.
pub fn parse_shared(file: FileId, path: &Path, source: &Arc<str>) -> (Question, Vec<Diagnostic>) {
    parse_shared_with(file, path, source, false)
}

/// [`parse_shared`], and with `html` the HTML of the question's parts
/// ([`Question::rendered`]), from the same reading of the Markdown.
pub fn parse_shared_with(
    file: FileId,
    path: &Path,
    source: &Arc<str>,
    html: bool,
) -> (Question, Vec<Diagnostic>) {
    let text: &str = source;
    let mut diags = Vec::new();
    let mut front = FrontMatter::default();
    let body_start = match split_front_matter(text) {
        Split::Missing => {
            let first_end = text
                .find(['\r', '\n'])
                .unwrap_or(text.len())
                .max(1)
                .min(text.len());
            diags.push(
                Diagnostic::error("QB002", "the file has no front matter")
                    .at(file, Span::new(0, first_end), "expected `---` on the first line")
                    .with_help(
                        "start the file with a `---` line, the keys `id`, `domain`, `topics`, `difficulty` and `status`, and a closing `---` line",
                    ),
            );
            0
        }
        Split::Unclosed { open } => {
            diags.push(
                Diagnostic::error("QB003", "the front matter is never closed")
                    .at(file, open, "front matter opened here")
                    .with_help("add a line with `---` after the last front matter key"),
            );
            let q = empty_question(file, front, text.len());
            return (q, diags);
        }
        Split::Found {
            open,
            yaml: y,
            close,
            body,
        } => {
            front.span = open.cover(close);
            if let Some(doc) = yaml::parse(&text[y.clone()], y.start, file, &mut diags) {
                if doc.value.is_null() {
                    diags.push(
                        Diagnostic::error("QB005", "the front matter is empty")
                            .at(file, front.span, "no keys here")
                            .with_help(
                                "add the keys `id`, `domain`, `topics`, `difficulty` and `status`",
                            ),
                    );
                } else {
                    schema::validate(
                        &schema::QUESTION,
                        &doc,
                        file,
                        open,
                        "front matter",
                        &mut diags,
                    );
                    extract_front(&doc.value, &doc.spans, &mut front);
                }
            }
            body
        }
    };

    let mut q = empty_question(file, front, body_start);
    parse_body(&mut q, path, source, body_start, html, &mut diags);
    (q, diags)
}

fn empty_question(file: FileId, front: FrontMatter, body_start: usize) -> Question {
    Question {
        file,
        front,
        stem: None,
        options: Vec::new(),
        options_span: None,
        explanation: None,
        code_blocks: Vec::new(),
        images: Vec::new(),
        html: Vec::new(),
        inline_allows: Vec::new(),
        body_start,
        rendered: None,
    }
}

fn spanned_str(v: &Value, spans: &SpanMap, pointer: &str) -> Option<Spanned<String>> {
    let s = v.as_str()?;
    let span = spans.get(pointer)?.value;
    Some(Spanned {
        value: s.to_string(),
        span,
    })
}

fn extract_front(v: &Value, spans: &SpanMap, front: &mut FrontMatter) {
    front.id = spanned_str(&v["id"], spans, "/id");
    front.domain = spanned_str(&v["domain"], spans, "/domain");
    // Lists are collected, then sized to what they hold: a bank keeps every
    // question's front matter for the whole run.
    if let Some(a) = v["topics"].as_array() {
        front.topics = a
            .iter()
            .enumerate()
            .filter_map(|(i, t)| spanned_str(t, spans, &format!("/topics/{i}")))
            .collect();
        front.topics.shrink_to_fit();
    }
    front.difficulty = match v["difficulty"].as_str() {
        Some("easy") => Some(Difficulty::Easy),
        Some("medium") => Some(Difficulty::Medium),
        Some("hard") => Some(Difficulty::Hard),
        _ => None,
    };
    front.status = match v["status"].as_str() {
        Some("draft") => Some(Status::Draft),
        Some("review") => Some(Status::Review),
        Some("published") => Some(Status::Published),
        _ => None,
    };
    if let Some(a) = v["references"].as_array() {
        front.references = a
            .iter()
            .enumerate()
            .filter_map(|(i, t)| spanned_str(t, spans, &format!("/references/{i}")))
            .collect();
        front.references.shrink_to_fit();
    }
    if let Some(a) = v["allow"].as_array() {
        front.allow = a
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let rule = spanned_str(&e["rule"], spans, &format!("/allow/{i}/rule"))?;
                let reason = e["reason"].as_str().unwrap_or_default().to_string();
                Some(Allow { rule, reason })
            })
            .collect();
        front.allow.shrink_to_fit();
    }
}

pub(crate) type Ev<'a> = (Event<'a>, Range<usize>);

/// A top-level block: a range of indices into the event list.
pub(crate) struct Block {
    pub(crate) events: Range<usize>,
    pub(crate) span: Span,
}

pub(crate) fn top_level_blocks(events: &[Ev<'_>]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    for (i, (ev, _)) in events.iter().enumerate() {
        match ev {
            Event::Start(_) => {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let span = Span::from(events[start].1.clone());
                    blocks.push(Block {
                        events: start..i + 1,
                        span,
                    });
                }
            }
            _ => {
                if depth == 0 {
                    blocks.push(Block {
                        events: i..i + 1,
                        span: Span::from(events[i].1.clone()),
                    });
                }
            }
        }
    }
    blocks
}

/// Indices of the items (`Start(Item)` .. `End(Item)`) directly inside a list block.
pub(crate) fn list_items(events: &[Ev<'_>], block: &Block) -> Vec<Range<usize>> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    for i in block.events.start + 1..block.events.end.saturating_sub(1) {
        match &events[i].0 {
            Event::Start(t) => {
                if depth == 0 && matches!(t, Tag::Item) {
                    start = i;
                }
                depth += 1;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    items.push(start..i + 1);
                }
            }
            _ => {}
        }
    }
    items
}

/// The task marker of an item, if it is a task item.
fn task_marker(events: &[Ev<'_>], item: &Range<usize>) -> Option<(bool, Span)> {
    let i = task_marker_at(events, item)?;
    match &events[i].0 {
        Event::TaskListMarker(checked) => Some((*checked, Span::from(events[i].1.clone()))),
        _ => None,
    }
}

/// Where the task marker of an item is among the events: first in the item,
/// or first in its first paragraph.
pub(crate) fn task_marker_at(events: &[Ev<'_>], item: &Range<usize>) -> Option<usize> {
    for i in item.start + 1..(item.start + 3).min(item.end) {
        match &events[i].0 {
            Event::TaskListMarker(_) => return Some(i),
            Event::Start(Tag::Paragraph) => continue,
            _ => return None,
        }
    }
    None
}

/// The blockquotes directly inside a list item (its rationale), as ranges
/// of event indices.
pub(crate) fn item_quotes(events: &[Ev<'_>], item: &Range<usize>) -> Vec<Range<usize>> {
    let inner = item.start + 1..item.end.saturating_sub(1).max(item.start + 1);
    top_level_blocks(events.get(inner.clone()).unwrap_or_default())
        .into_iter()
        .map(|b| b.events.start + inner.start..b.events.end + inner.start)
        .filter(|r| matches!(events[r.start].0, Event::Start(Tag::BlockQuote(_))))
        .collect()
}

fn heading_text(events: &[Ev<'_>], block: &Block) -> Option<(HeadingLevel, String)> {
    let Event::Start(Tag::Heading { level, .. }) = &events[block.events.start].0 else {
        return None;
    };
    let mut s = String::new();
    for (ev, _) in &events[block.events.clone()] {
        if let Event::Text(t) | Event::Code(t) = ev {
            s.push_str(t);
        }
    }
    Some((*level, s.trim().to_string()))
}

fn trim_span(text: &str, span: Span) -> Span {
    let s = &text[span.start..span.end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return Span::empty(span.start);
    }
    Span::new(span.start + lead, span.end - trail)
}

/// Markdown of a region, with `\n` line endings and continuation lines de-indented.
fn dedent(src: &str) -> String {
    if !src.contains('\n') {
        return src.trim().to_string();
    }
    let src = lf(src);
    let mut lines = src.lines();
    let first = lines.next().unwrap_or_default().to_string();
    let rest: Vec<&str> = lines.collect();
    let indent = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut out = first;
    for l in rest {
        out.push('\n');
        out.push_str(l.get(indent..).unwrap_or_else(|| l.trim_start()));
    }
    out.trim().to_string()
}

/// [`dedent`] of a region of the file: one line is only trimmed, so it is
/// shared with the file's text rather than copied.
fn dedented(source: &Arc<str>, span: Span) -> Text {
    let s = &source[span.start..span.end];
    if s.contains('\n') {
        return dedent(s).into();
    }
    let t = trim_span(source, span);
    Text::shared(source, t.start..t.end)
}

/// Markdown inside a blockquote: strip one level of `>` from every line.
fn unquote(src: &str) -> String {
    let src = lf(src);
    let mut out = String::with_capacity(src.len());
    for (i, l) in src.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let t = l.trim_start();
        let t = t
            .strip_prefix('>')
            .map_or(t, |r| r.strip_prefix(' ').unwrap_or(r));
        out.push_str(t);
    }
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_string()
    }
}

/// A region of the file, verbatim.
fn section(source: &Arc<str>, span: Span) -> Section {
    Section {
        span,
        markdown: Text::shared(source, span.start..span.end),
    }
}

#[derive(PartialEq)]
enum Phase {
    Stem,
    AfterOptions,
    Explanation,
    Trailing,
}

/// The events of a question's body, with offsets in its file (`start` is
/// where the body starts).
pub(crate) fn body_events(body: &str, start: usize) -> Vec<Ev<'_>> {
    // About one event per 16 bytes of a typical question: sized once.
    let mut events: Vec<Ev<'_>> = Vec::with_capacity(body.len() / 16 + 16);
    events.extend(
        Parser::new_ext(body, markdown_options())
            .into_offset_iter()
            .map(|(e, r)| (e, r.start + start..r.end + start)),
    );
    events
}

fn parse_body(
    q: &mut Question,
    path: &Path,
    source: &Arc<str>,
    body_start: usize,
    html: bool,
    diags: &mut Vec<Diagnostic>,
) {
    let text: &str = source;
    let file = q.file;
    let events = body_events(&text[body_start..], body_start);
    let blocks = top_level_blocks(&events);

    let mut phase = Phase::Stem;
    let mut stem_span: Option<Span> = None;
    let mut expl_heading: Option<Span> = None;
    let mut expl_span: Option<Span> = None;

    for block in &blocks {
        let first = &events[block.events.start].0;
        let is_comment = matches!(first, Event::Start(Tag::HtmlBlock))
            && text[block.span.start..block.span.end]
                .trim_start()
                .starts_with("<!--");
        let heading = heading_text(&events, block);
        match phase {
            Phase::Stem => {
                if let Event::Start(Tag::List(_)) = first {
                    let items = list_items(&events, block);
                    let markers: Vec<_> = items.iter().map(|it| task_marker(&events, it)).collect();
                    let tasks = markers.iter().filter(|m| m.is_some()).count();
                    if tasks > 0 {
                        if tasks < items.len() {
                            for (it, m) in items.iter().zip(&markers) {
                                if m.is_none() {
                                    let span =
                                        trim_span(text, Span::from(events[it.start].1.clone()));
                                    diags.push(
                                        Diagnostic::error("QB012", "an option is missing its `[ ]` or `[x]` box")
                                            .at(file, Span::new(span.start, line_end(text, span.start)), "not a task item")
                                            .with_help("write every option as `- [ ] text`, and `- [x] text` for a key"),
                                    );
                                }
                            }
                        }
                        parse_options(q, source, &events, &items, &markers);
                        q.options_span = Some(trim_span(text, block.span));
                        phase = Phase::AfterOptions;
                        continue;
                    }
                }
                if let Some((HeadingLevel::H2, t)) = &heading {
                    if t.eq_ignore_ascii_case("explanation") {
                        expl_heading = Some(trim_span(text, block.span));
                        phase = Phase::Explanation;
                        continue;
                    }
                }
                stem_span = Some(stem_span.map_or(block.span, |s| s.cover(block.span)));
            }
            Phase::AfterOptions => {
                if let Some((HeadingLevel::H2, t)) = &heading {
                    if t.eq_ignore_ascii_case("explanation") {
                        expl_heading = Some(trim_span(text, block.span));
                        phase = Phase::Explanation;
                        continue;
                    }
                }
                if is_comment {
                    continue;
                }
                let span = trim_span(text, block.span);
                let what = if matches!(first, Event::Start(Tag::List(_))) {
                    "a second list after the options"
                } else {
                    "content between the options and `## Explanation`"
                };
                diags.push(
                    Diagnostic::error("QB013", format!("{what} is not part of the question"))
                        .at(file, Span::new(span.start, line_end(text, span.start)), "misplaced")
                        .with_help(
                            "indent a continuation of the last option by two spaces, or move this text into the stem or under `## Explanation`",
                        ),
                );
            }
            Phase::Explanation => {
                if let Some((level, t)) = &heading {
                    if *level <= HeadingLevel::H2 {
                        let span = trim_span(text, block.span);
                        diags.push(
                            Diagnostic::error("QB013", format!("unknown section `{t}` after the explanation"))
                                .at(file, span, "not part of the question")
                                .with_help("a question ends with its `## Explanation` section; use `###` for subheadings inside it"),
                        );
                        phase = Phase::Trailing;
                        continue;
                    }
                }
                expl_span = Some(expl_span.map_or(block.span, |s| s.cover(block.span)));
            }
            Phase::Trailing => {}
        }
    }

    q.stem = stem_span.map(|s| section(source, trim_span(text, s)));
    if q.stem.as_ref().is_none_or(|s| s.markdown.is_empty()) {
        q.stem = None;
        let at = q.options_span.map_or(body_start, |s| s.start);
        let at = if at >= text.len() {
            text.len().saturating_sub(1)
        } else {
            at
        };
        diags.push(
            Diagnostic::error("QB008", "the question has no stem")
                .at(file, Span::new(at, line_end(text, at).max(at)), "the stem should come before this")
                .with_help("write the question (a scenario and a question sentence) between the front matter and the options"),
        );
    }
    q.explanation = expl_heading.map(|heading| Explanation {
        heading,
        body: expl_span
            .map(|s| section(source, trim_span(text, s)))
            .filter(|s| !s.markdown.is_empty()),
    });

    collect_inline(q, path, source, &events, diags);
    // Sized to what they hold (vectors grow to room for four), as above.
    q.options.shrink_to_fit();
    q.code_blocks.shrink_to_fit();
    q.images.shrink_to_fit();
    q.html.shrink_to_fit();
    q.inline_allows.shrink_to_fit();
    // Questions with images are rendered by each export, with its own image URLs.
    if html && q.images.is_empty() {
        let parsed = Some((&events[..], &blocks[..]));
        q.rendered = Some(Arc::new(crate::html::render_text(q, text, None, parsed)));
    }
}

fn parse_options(
    q: &mut Question,
    source: &Arc<str>,
    events: &[Ev<'_>],
    items: &[Range<usize>],
    markers: &[Option<(bool, Span)>],
) {
    let text: &str = source;
    for (item, marker) in items.iter().zip(markers) {
        let item_span = trim_span(text, Span::from(events[item.start].1.clone()));
        let (is_key, marker_span) = marker.unwrap_or((false, Span::empty(item_span.start)));
        // Rationale: blockquotes directly inside the item.
        let rationale = item_quotes(events, item)
            .iter()
            .map(|r| Span::from(events[r.start].1.clone()))
            .reduce(|a, b| a.cover(b));
        let text_start = if marker.is_some() {
            marker_span.end
        } else {
            item_span.start + 1
        };
        let text_end = rationale.map_or(item_span.end, |r| r.start).max(text_start);
        let text_span = trim_span(text, Span::new(text_start.min(text_end), text_end));
        let rationale = rationale.map(|r| {
            let r = trim_span(text, r);
            Section {
                span: r,
                markdown: unquote(&text[r.start..r.end]).into(),
            }
        });
        q.options.push(AnswerOption {
            span: item_span,
            marker: marker_span,
            is_key,
            text: dedented(source, text_span),
            text_span,
            rationale,
        });
    }
}

fn line_end(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text[at..].find(['\r', '\n']).map_or(text.len(), |i| at + i)
}

fn collect_inline(
    q: &mut Question,
    path: &Path,
    source: &Arc<str>,
    events: &[Ev<'_>],
    diags: &mut Vec<Diagnostic>,
) {
    let text: &str = source;
    let file = q.file;
    let base = path.parent().unwrap_or_else(|| Path::new(""));
    // The parts are fixed by now; compute them once for every element below.
    let parts = q.parts();
    // The open code block, if any.
    struct Open {
        lang: Option<String>,
        span: Span,
        code: String,
        /// The source range the code is verbatim (one run of text, no CR),
        /// until shown otherwise.
        verbatim: Option<Range<usize>>,
    }
    let mut code: Option<Open> = None;
    for (ev, range) in events {
        let span = Span::from(range.clone());
        match ev {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().map(str::to_string)
                    }
                    CodeBlockKind::Indented => None,
                };
                code = Some(Open {
                    lang,
                    span,
                    code: String::new(),
                    verbatim: None,
                });
            }
            Event::Text(t) => {
                if let Some(Open {
                    code: s, verbatim, ..
                }) = code.as_mut()
                {
                    // Each piece is compared once: verbatim pieces that follow
                    // one another make a verbatim whole.
                    let own = text.get(range.clone()) == Some(&**t) && !t.contains('\r');
                    *verbatim = match verbatim.take() {
                        None if s.is_empty() => own.then(|| range.clone()),
                        Some(r) if own && r.end == range.start => Some(r.start..range.end),
                        _ => None,
                    };
                    s.push_str(t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(Open {
                    lang,
                    span,
                    code: code_text,
                    verbatim,
                }) = code.take()
                {
                    let part = part_in(&parts, span.start);
                    let code = match verbatim {
                        Some(r) => Text::shared(source, r),
                        None => match lf(&code_text) {
                            std::borrow::Cow::Owned(fixed) => fixed.into(),
                            std::borrow::Cow::Borrowed(_) => code_text.into(),
                        },
                    };
                    q.code_blocks.push(CodeBlock {
                        lang,
                        code,
                        span,
                        part,
                    });
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let url = dest_url.to_string();
                let part = part_in(&parts, span.start);
                let local =
                    !(url.contains("://") || url.starts_with("data:") || url.starts_with("//"));
                let mut resolved = None;
                if local {
                    let clean = url.split(['#', '?']).next().unwrap_or_default();
                    let p = base.join(clean);
                    if !clean.is_empty() && p.is_file() {
                        resolved = Some(p);
                    } else {
                        diags.push(
                            Diagnostic::error("QB009", format!("image `{url}` not found"))
                                .at(file, span, "no such file next to this question")
                                .with_help("image paths are relative to the question file; check the name and that the file is committed"),
                        );
                    }
                }
                q.images.push(Image {
                    url,
                    span,
                    part,
                    resolved,
                });
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                let part = part_in(&parts, span.start);
                if let Some(a) = parse_allow_comment(h, span, text) {
                    q.inline_allows.push(a);
                }
                q.html.push(RawHtml {
                    html: h.to_string(),
                    span,
                    part,
                });
            }
            _ => {}
        }
    }
}

/// `<!-- qbank-allow QB403: reason -->` → an inline exception for the next non-blank line.
fn parse_allow_comment(html: &str, span: Span, text: &str) -> Option<InlineAllow> {
    let inner = html
        .trim()
        .strip_prefix("<!--")?
        .trim_end()
        .strip_suffix("-->")?
        .trim();
    let rest = inner.strip_prefix("qbank-allow")?.trim_start();
    let code_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let rule = rest[..code_len].to_string();
    let reason = rest[code_len..].trim_start_matches(':').trim().to_string();
    // Target: the first non-blank line after the comment ends.
    let comment_end = text[span.start..]
        .find("-->")
        .map_or(span.end, |i| span.start + i + 3);
    let mut line = text[..comment_end].matches('\n').count() + 1;
    for l in text[comment_end..].split('\n').skip(1) {
        line += 1;
        if !l.trim().is_empty() {
            break;
        }
    }
    Some(InlineAllow {
        rule,
        reason,
        span,
        target_line: line,
    })
}

#[cfg(test)]
mod tests {
    use super::{dedent, parse_question, unquote};
    use crate::FileId;
    use std::path::Path;

    const FRONT: &str =
        "---\nid: q\ndomain: d\ntopics: [t]\ndifficulty: easy\nstatus: draft\n---\n\n";

    #[test]
    fn code_blocks_and_sections_read_the_same_held_either_way() {
        let body =
            "Which line loads the model?\n\n```python\nm = load(\"a\")\nm.predict(x)\n```\n\n\
                    - [x] This one:\n\n  ```python\n  m = load(\"b\")\n    indented\n  ```\n\
                    - [ ] Not this.\n\n## Explanation\n\nBecause.\n\n```sql\nSELECT 1\n```\n";
        let lf = format!("{FRONT}{body}");
        let crlf = lf.replace('\n', "\r\n");
        for text in [&lf, &crlf] {
            let (q, _) = parse_question(FileId(0), Path::new("q.md"), text);
            let code: Vec<&str> = q.code_blocks.iter().map(|c| c.code.as_str()).collect();
            assert_eq!(
                code,
                [
                    "m = load(\"a\")\nm.predict(x)\n",
                    "m = load(\"b\")\n  indented\n",
                    "SELECT 1\n"
                ],
                "{text:?}"
            );
            let stem = q.stem.as_ref().expect("stem");
            assert_eq!(stem.markdown, &text[stem.span.start..stem.span.end]);
            assert!(stem.markdown.starts_with("Which line"));
            let expl = q.explanation.as_ref().and_then(|e| e.body.as_ref());
            assert!(expl.expect("explanation").markdown.starts_with("Because."));
        }
    }

    #[test]
    fn unquote_and_dedent_normalise_line_endings() {
        assert_eq!(unquote("> a\r\n> b"), "a\nb");
        // A stray `\r` before `\r\n` goes too, as it did before the fast path.
        assert_eq!(unquote("> a\r\r\n> b"), "a\nb");
        assert_eq!(dedent("one line  "), "one line");
        assert_eq!(
            dedent("first\r\n  second\r\n  third"),
            "first\nsecond\nthird"
        );
    }
}
