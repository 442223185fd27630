//! Markdown to safe HTML, shared by every exporter.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{html, Event, Parser, Tag};
use qbank_parser::source::lf;
use qbank_parser::Part;

/// Sanitiser: Markdown output tags only; no scripts, event handlers, styles,
/// iframes, or `javascript:` URLs. Code-block language classes are kept.
static CLEAN: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tag_attributes("code", &["class"]);
    b.add_tag_attributes("input", &["type", "checked", "disabled"]);
    b.add_tags(&["input"]);
    b.url_schemes(HashSet::from(["http", "https", "mailto", "data"]));
    b.link_rel(Some("noopener noreferrer"));
    // `data:` is for embedded images only, never for links or frames.
    b.attribute_filter(|_element, attribute, value| {
        if attribute != "src"
            && value
                .trim_start()
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case("data:"))
        {
            None
        } else {
            Some(value.into())
        }
    });
    b
});

/// Render Markdown to sanitised HTML. `image` maps each image URL to the URL
/// the export should use (for example an embedded data URL or a media name).
///
/// pulldown-cmark escapes all text and attribute values itself, so Markdown
/// without raw HTML, links or images cannot carry markup: that common case
/// skips the sanitiser. Anything else goes through ammonia.
pub fn to_html(md: &str, image: &dyn Fn(&str) -> String) -> String {
    let md = lf(md);
    let needs_cleaning = std::cell::Cell::new(false);
    let events = Parser::new_ext(&md, qbank_parser::parse::markdown_options()).map(|ev| {
        if matches!(
            ev,
            Event::Html(_)
                | Event::InlineHtml(_)
                | Event::Start(Tag::Link { .. })
                | Event::Start(Tag::Image { .. })
        ) {
            needs_cleaning.set(true);
        }
        match ev {
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let mapped = image(&dest_url);
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: mapped.into(),
                    title,
                    id,
                })
            }
            other => other,
        }
    });
    let mut raw = String::with_capacity(md.len() + md.len() / 2);
    html::push_html(&mut raw, events);
    if needs_cleaning.get() {
        sanitize(&raw)
    } else {
        raw
    }
}

/// The HTML of one question's parts.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub stem: String,
    pub options: Vec<String>,
    pub rationales: Vec<Option<String>>,
    pub explanation: Option<String>,
}

impl Rendered {
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

    pub fn new(q: &qbank_parser::Question, image: &dyn Fn(&str) -> String) -> Rendered {
        Rendered {
            stem: to_html(q.stem.as_ref().map_or("", |s| s.markdown.as_str()), image),
            options: q.options.iter().map(|o| to_html(&o.text, image)).collect(),
            rationales: q
                .options
                .iter()
                .map(|o| o.rationale.as_ref().map(|r| to_html(&r.markdown, image)))
                .collect(),
            explanation: q
                .explanation
                .as_ref()
                .and_then(|e| e.body.as_ref())
                .map(|b| to_html(&b.markdown, image)),
        }
    }
}

pub fn sanitize(html: &str) -> String {
    CLEAN.clean(html).to_string()
}

/// Text without markup, for sort fields and titles.
pub fn to_text(md: &str) -> String {
    let md = lf(md);
    let mut out = String::new();
    for ev in Parser::new_ext(&md, qbank_parser::parse::markdown_options()) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) if !out.ends_with(' ') => {
                out.push(' ')
            }
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_html_is_removed() {
        let id = |u: &str| u.to_string();
        let h = to_html("Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) <iframe src=//e></iframe>", &id);
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("onerror"), "{h}");
        assert!(!h.contains("javascript:"), "{h}");
        assert!(!h.contains("<iframe"), "{h}");
        let h = to_html("<a href=\"data:text/html,<script>alert(1)</script>\">x</a> ![i](data:image/png;base64,AAAA)", &id);
        assert!(!h.contains("href=\"data:"), "{h}");
        assert!(h.contains("src=\"data:image/png"), "{h}");
        let h = to_html("```python\nx = 1 < 2\n```", &id);
        assert!(h.contains("language-python"), "{h}");
        assert!(h.contains("x = 1 &lt; 2"), "{h}");
        // The fast path (no raw HTML, links or images) escapes text too.
        let h = to_html("Use `<script>` and a < b & c", &id);
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
    }
}
