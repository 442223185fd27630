//! Codes the parser and loader emit (QB0xx), with their documentation.
//! Lint rules (QB1xx and up) are documented in the lint crate the same way.

use crate::diagnostic::Severity;

/// Documentation of one diagnostic code.
#[derive(Debug, Clone, Copy)]
pub struct CodeDoc {
    pub code: &'static str,
    /// Kebab-case name, usable wherever a code is.
    pub name: &'static str,
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// What it checks and why it matters.
    pub why: &'static str,
    /// A file (or fragment) that triggers it.
    pub example: &'static str,
    /// The same input, fixed.
    pub fix: &'static str,
}

pub const PARSE_CODES: &[CodeDoc] = &[
    CodeDoc {
        code: "QB001",
        name: "invalid-utf8",
        severity: Severity::Error,
        summary: "The file is not valid UTF-8",
        why: "Questions are text shared across editors, review tools and exports; another encoding shows as garbage in all of them. The diagnostic points at the first invalid byte.",
        example: "A file saved as Latin-1 containing the byte 0xE9 for `é`.",
        fix: "Re-save the file as UTF-8.",
    },
    CodeDoc {
        code: "QB002",
        name: "missing-front-matter",
        severity: Severity::Error,
        summary: "The file does not start with a `---` front matter block",
        why: "The front matter carries the question's identity and tags; without it the question cannot be placed in the blueprint or exported.",
        example: "Which URI loads the champion model?\n\n- [x] `models:/ml.churn.model@champion`\n",
        fix: "---\nid: load-champion-uri\ndomain: model-deployment\ntopics: [batch-streaming-inference]\ndifficulty: easy\nstatus: draft\n---\n\nWhich URI loads the champion model?\n",
    },
    CodeDoc {
        code: "QB003",
        name: "unclosed-front-matter",
        severity: Severity::Error,
        summary: "The front matter is opened with `---` but never closed",
        why: "Markdown renderers silently turn an unclosed block into a horizontal rule and a paragraph, so the mistake is easy to miss in review.",
        example: "---\nid: my-question\ndomain: mlops\n\nWhich job trigger ...?\n",
        fix: "---\nid: my-question\ndomain: mlops\n---\n\nWhich job trigger ...?\n",
    },
    CodeDoc {
        code: "QB004",
        name: "yaml-syntax",
        severity: Severity::Error,
        summary: "The front matter (or blueprint) is not valid YAML",
        why: "Nothing in the block can be read until the syntax is fixed. Anchors and aliases are rejected too: they make files hard to review.",
        example: "---\nid: my-question\ntopics: [drift-detection\n---",
        fix: "---\nid: my-question\ntopics: [drift-detection]\n---",
    },
    CodeDoc {
        code: "QB005",
        name: "front-matter-schema",
        severity: Severity::Error,
        summary: "A front matter value has the wrong type or value, or a required key is missing",
        why: "The front matter is validated against schema/question.schema.json so that every tool reading the bank can trust it.",
        example: "---\nid: my-question\ndomain: mlops\ntopics: drift-detection\ndifficulty: tricky\nstatus: published\n---",
        fix: "---\nid: my-question\ndomain: mlops\ntopics: [drift-detection]\ndifficulty: hard\nstatus: published\n---",
    },
    CodeDoc {
        code: "QB006",
        name: "unknown-key",
        severity: Severity::Error,
        summary: "The front matter has a key the schema does not know",
        why: "A misspelt key (`topic:` for `topics:`) would otherwise be ignored silently. The help suggests the nearest known key.",
        example: "---\nid: my-question\ntopic: [drift-detection]\n---",
        fix: "---\nid: my-question\ntopics: [drift-detection]\n---",
    },
    CodeDoc {
        code: "QB007",
        name: "duplicate-key",
        severity: Severity::Error,
        summary: "A key appears twice in the same YAML mapping",
        why: "YAML parsers disagree on which value wins; qbank refuses to guess.",
        example: "---\nid: first\nid: second\n---",
        fix: "---\nid: second\n---",
    },
    CodeDoc {
        code: "QB008",
        name: "empty-stem",
        severity: Severity::Error,
        summary: "There is no stem between the front matter and the options",
        why: "Without a stem there is no question to answer.",
        example: "---\n...\n---\n\n- [x] `@champion`\n",
        fix: "---\n...\n---\n\nWhich alias do batch jobs load?\n\n- [x] `@champion`\n",
    },
    CodeDoc {
        code: "QB009",
        name: "missing-image",
        severity: Severity::Error,
        summary: "A local image does not exist",
        why: "Exports embed or copy images; a missing file would give a broken picture in every export.",
        example: "![Drift chart](img/drift.png)   (no file img/drift.png next to the question)",
        fix: "Add the file, or correct the path; paths are relative to the question file.",
    },
    CodeDoc {
        code: "QB010",
        name: "file-too-large",
        severity: Severity::Error,
        summary: "A question file is larger than `max_file_size` (1 MiB by default)",
        why: "A question is a few kilobytes. A huge file is almost always a mistake (a pasted log, a binary) and would slow down every check.",
        example: "A 5 MB file in the content folder.",
        fix: "Shorten or remove the file, or raise `max_file_size` in qbank.toml.",
    },
    CodeDoc {
        code: "QB011",
        name: "unreadable-file",
        severity: Severity::Error,
        summary: "A file or folder in the bank cannot be read (permissions, symbolic-link loop)",
        why: "A question that cannot be read is silently missing from the exam; qbank exits with status 2.",
        example: "A question file with mode 000, or a link `loop -> .`.",
        fix: "Fix the permissions or remove the link.",
    },
    CodeDoc {
        code: "QB012",
        name: "mixed-option-list",
        severity: Severity::Error,
        summary: "An item in the option list has no `[ ]` or `[x]` box",
        why: "Options are task-list items so that reviewers see the key as a ticked box. A plain item is ambiguous.",
        example: "- [ ] `@challenger`\n- `@champion`\n",
        fix: "- [ ] `@challenger`\n- [x] `@champion`\n",
    },
    CodeDoc {
        code: "QB013",
        name: "misplaced-content",
        severity: Severity::Error,
        summary: "Content between the options and `## Explanation`, or a section after the explanation",
        why: "Such text belongs to no part of the question, so exports would drop it. It is usually an option's continuation that lost its indentation.",
        example: "- [x] Use an alias.\n> Aliases replace stages.\n\n## Explanation\n",
        fix: "- [x] Use an alias.\n  > Aliases replace stages.\n\n## Explanation\n",
    },
    CodeDoc {
        code: "QB014",
        name: "blueprint-inconsistent",
        severity: Severity::Error,
        summary: "The blueprint defines an id twice, weights that do not sum to 100, or a retired topic with an unknown successor",
        why: "Coverage and tag checks are only as good as the blueprint they read.",
        example: "domains:\n  - id: mlops\n    weight: 44\n  - id: model-development\n    weight: 44\n",
        fix: "Add the missing domain (weights sum to 100) and give every id once.",
    },
    CodeDoc {
        code: "QB015",
        name: "invalid-config",
        severity: Severity::Error,
        summary: "qbank.toml cannot be read: bad TOML, an unknown key or a wrong value",
        why: "A misspelt setting would otherwise be ignored. qbank exits with status 2.",
        example: "content-dir = \"questions\"",
        fix: "content_dir = \"questions\"",
    },
    CodeDoc {
        code: "QB016",
        name: "bank-not-found",
        severity: Severity::Error,
        summary: "The bank path, its content folder or its blueprint does not exist or is not a folder",
        why: "Nothing can be checked. qbank exits with status 2.",
        example: "qbank check contnet",
        fix: "qbank check content",
    },
];
