//! The export input: every question's HTML rendered once for all formats.

use std::path::Path;

use qbank_export::{BuildOptions, FormatId};

#[test]
fn questions_with_images_are_rendered_by_each_format() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/anki-bank");
    let bank = qbank_parser::load(&root).unwrap_or_else(|f| panic!("{:?}", f.diagnostic));
    let opts = BuildOptions::new("unused", vec![FormatId::Json]);
    let input = qbank_export::input(&bank, &opts).expect("input");
    let (mut with_images, mut without) = (0, 0);
    for q in &input.questions {
        let shared = input
            .rendered
            .get(q.file.0 as usize)
            .and_then(Option::as_ref);
        if q.images.is_empty() {
            without += 1;
            assert!(shared.is_some(), "{:?} has no shared HTML", q.id());
        } else {
            with_images += 1;
            assert!(
                shared.is_none(),
                "{:?} was rendered without its format's URLs",
                q.id()
            );
            // Rendered when a format asks, with that format's image URLs.
            let r = input.html(q, &|u: &str| format!("media-{}", u.len()));
            let all = [r.stem.as_str()]
                .into_iter()
                .chain(r.options.iter().map(String::as_str))
                .chain(r.rationales.iter().flatten().map(String::as_str))
                .chain(r.explanation.as_deref())
                .collect::<String>();
            assert!(all.contains("src=\"media-"), "{all}");
        }
    }
    assert!(
        with_images > 0 && without > 0,
        "the fixture needs both kinds"
    );
}
