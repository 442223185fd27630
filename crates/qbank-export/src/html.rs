//! Printable HTML booklet (minijinja templates under `templates/`).

use std::path::{Path, PathBuf};

use crate::{ExportError, Exporter, FormatId, Input};

pub struct HtmlExporter;

impl Exporter for HtmlExporter {
    fn id(&self) -> FormatId {
        FormatId::Html
    }

    fn export(&self, _input: &Input<'_>, _dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
        Err(ExportError::Format(
            FormatId::Html,
            "the HTML exporter is not built yet".into(),
        ))
    }
}
