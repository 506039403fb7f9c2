//! File-format detection by extension, then by content.

use std::io::Read;
use std::path::Path;

use crate::FormatError;

/// The file formats this crate reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// VTK XML `PolyData` (`.vtp`).
    Vtp,
    /// VTK XML `UnstructuredGrid` (`.vtu`).
    Vtu,
    /// VTK XML `ImageData` (`.vti`).
    Vti,
    /// Legacy VTK (`.vtk`).
    LegacyVtk,
    /// `MetaImage` (`.mha`, or `.mhd` with a separate data file).
    MetaImage,
    /// STL, ascii or binary (`.stl`).
    Stl,
}

impl Format {
    /// The format a file extension names (case-insensitive, without the dot).
    pub fn from_extension(ext: &str) -> Option<Format> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "vtp" => Format::Vtp,
            "vtu" => Format::Vtu,
            "vti" => Format::Vti,
            "vtk" => Format::LegacyVtk,
            "mha" | "mhd" => Format::MetaImage,
            "stl" => Format::Stl,
            _ => return None,
        })
    }

    /// The format `path`'s extension names, as [`Format::from_extension`].
    pub fn from_path(path: &Path) -> Option<Format> {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
    }
}

/// Reads a whole file, naming it in the error.
pub(crate) fn read_all(path: &Path) -> Result<Vec<u8>, FormatError> {
    std::fs::read(path).map_err(|source| FormatError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Detects a file's format from its extension, or from its first bytes when the extension is
/// unknown or absent: legacy header `# vtk DataFile`, an XML `<VTKFile type="...">` root, a `MetaImage`
/// header key (`ObjectType =`, `NDims =`, ...), an ascii STL `solid` line or a binary STL whose size is
/// `84 + 50 * triangles`.
pub fn detect(path: &Path) -> Result<Format, FormatError> {
    if let Some(f) = Format::from_path(path) {
        return Ok(f);
    }
    let io = |source: std::io::Error| FormatError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let mut head = Vec::with_capacity(4096);
    file.by_ref()
        .take(4096)
        .read_to_end(&mut head)
        .map_err(io)?;
    detect_content(&head, size).ok_or_else(|| FormatError::UnknownFormat {
        path: path.to_path_buf(),
        detail: format!(
            "unrecognised extension and content (first bytes {:?})",
            preview(&head)
        ),
    })
}

/// Detects the format from the first bytes of a file and its total size.
pub fn detect_content(head: &[u8], size: u64) -> Option<Format> {
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.len() >= 14 && trimmed.as_bytes()[..14].eq_ignore_ascii_case(b"# vtk DataFile") {
        return Some(Format::LegacyVtk);
    }
    if let Some(i) = trimmed.find("<VTKFile") {
        let rest = &trimmed[i..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        let ty = tag
            .split("type=")
            .nth(1)
            .map(|s| s.trim_start_matches(['"', '\'']));
        return match ty {
            Some(t) if t.starts_with("PolyData") => Some(Format::Vtp),
            Some(t) if t.starts_with("UnstructuredGrid") => Some(Format::Vtu),
            Some(t) if t.starts_with("ImageData") => Some(Format::Vti),
            _ => None,
        };
    }
    if head.len() >= 84 {
        let n = u32::from_le_bytes([head[80], head[81], head[82], head[83]]);
        if 84 + 50 * u64::from(n) == size {
            return Some(Format::Stl);
        }
    }
    let first_line = trimmed.lines().next().unwrap_or("");
    if let Some((key, _)) = first_line.split_once('=') {
        const META_KEYS: [&str; 7] = [
            "ObjectType",
            "NDims",
            "Comment",
            "ObjectSubType",
            "TransformType",
            "DimSize",
            "ElementType",
        ];
        if META_KEYS.contains(&key.trim()) {
            return Some(Format::MetaImage);
        }
    }
    let word = first_line.split_whitespace().next().unwrap_or("");
    if word.eq_ignore_ascii_case("solid") {
        return Some(Format::Stl);
    }
    None
}

fn preview(head: &[u8]) -> String {
    head.iter()
        .take(16)
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect()
}
