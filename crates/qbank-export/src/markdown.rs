//! Markdown to safe HTML, shared by every exporter.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use pulldown_cmark::{Event, Parser};
use qbank_parser::html::QuestionHtml;
use qbank_parser::source::lf;
use qbank_parser::Question;

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

/// A question's HTML, sanitised: the parts that hold raw HTML, links or
/// images go through ammonia. pulldown-cmark escapes all text and attribute
/// values itself, so the other parts cannot carry markup and are kept as they
/// are (shared, not copied).
pub fn clean(html: &Arc<QuestionHtml>) -> Arc<QuestionHtml> {
    if html.raw.is_empty() {
        Arc::clone(html)
    } else {
        let mut own = QuestionHtml::clone(html);
        own.clean(sanitize);
        Arc::new(own)
    }
}

/// Render a question's parts from its file's text, with image URLs mapped by
/// `image` (for example to an embedded data URL or a media name), sanitised.
pub fn render(q: &Question, text: &str, image: &dyn Fn(&str) -> String) -> Arc<QuestionHtml> {
    let mut html = qbank_parser::html::render(q, text, image);
    html.clean(sanitize);
    Arc::new(html)
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

    /// The sanitised HTML of a question whose stem is `md`.
    fn stem_html(md: &str) -> String {
        let text = format!(
            "---\nid: q\ndomain: d\ntopics: [t]\ndifficulty: easy\nstatus: draft\n---\n\n{md}\n\n- [x] Yes.\n- [ ] No.\n"
        );
        let (q, _) = qbank_parser::parse_question(
            qbank_parser::FileId(0),
            std::path::Path::new("q.md"),
            &text,
        );
        render(&q, &text, &|u: &str| u.to_string()).stem.clone()
    }

    #[test]
    fn hostile_html_is_removed() {
        let h = stem_html("Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) <iframe src=//e></iframe>");
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("onerror"), "{h}");
        assert!(!h.contains("javascript:"), "{h}");
        assert!(!h.contains("<iframe"), "{h}");
        let h = stem_html("<a href=\"data:text/html,<script>alert(1)</script>\">x</a> ![i](data:image/png;base64,AAAA)");
        assert!(!h.contains("href=\"data:"), "{h}");
        assert!(h.contains("src=\"data:image/png"), "{h}");
        let h = stem_html("```python\nx = 1 < 2\n```");
        assert!(h.contains("language-python"), "{h}");
        assert!(h.contains("x = 1 &lt; 2"), "{h}");
        // The fast path (no raw HTML, links or images) escapes text too.
        let h = stem_html("Use `<script>` and a < b & c");
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
    }
}
