//! Anki package (.apkg).

use std::path::{Path, PathBuf};

use crate::{ExportError, Exporter, FormatId, Input};

pub struct AnkiExporter;

impl Exporter for AnkiExporter {
    fn id(&self) -> FormatId {
        FormatId::Anki
    }

    fn export(&self, _input: &Input<'_>, _dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
        Err(ExportError::Format(
            FormatId::Anki,
            "the Anki exporter is not built yet".into(),
        ))
    }
}
