use crate::DType;

/// Why a model could not be built: an invariant of the VTK data model does not hold.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum ModelError {
    /// A data array's element count is not a multiple of its component count (or the count is 0).
    #[error("array '{name}': {len} values do not form tuples of {components} components")]
    BadComponents {
        /// Array name.
        name: String,
        /// Number of values.
        len: usize,
        /// Declared component count.
        components: usize,
    },
    /// An attribute array does not have one tuple per point (or per cell).
    #[error("{association} array '{name}' has {tuples} tuples, but the dataset has {expected} {association}s")]
    TupleCount {
        /// `"point"` or `"cell"`.
        association: &'static str,
        /// Array name.
        name: String,
        /// Tuples in the array.
        tuples: usize,
        /// Points or cells of the dataset.
        expected: usize,
    },
    /// Points are not 3-component.
    #[error("points must have 3 components, found {0}")]
    PointComponents(usize),
    /// Cell offsets are not a valid prefix-sum layout.
    #[error("{what}: {detail}")]
    BadOffsets {
        /// Which cell array (`"polys"`, `"cells"`, ...).
        what: String,
        /// What is wrong.
        detail: String,
    },
    /// A cell refers to a point that does not exist.
    #[error("{what}: cell {cell} refers to point {id}, but there are {n_points} points")]
    PointIdOutOfRange {
        /// Which cell array.
        what: String,
        /// Cell index.
        cell: usize,
        /// The offending id.
        id: i64,
        /// Number of points.
        n_points: usize,
    },
    /// A legacy `[n, ids...]` cell stream is truncated or has a negative count.
    #[error("{what}: legacy cell stream is malformed at position {position}: {detail}")]
    BadLegacyCells {
        /// Which cell array.
        what: String,
        /// Index into the stream.
        position: usize,
        /// What is wrong.
        detail: String,
    },
    /// The number of cell types differs from the number of cells.
    #[error("{types} cell types for {cells} cells")]
    CellTypeCount {
        /// Cell types given.
        types: usize,
        /// Cells given.
        cells: usize,
    },
    /// A cell type id that `vtkCellType.h` does not define.
    #[error("cell {cell} has type {id}, which is not a VTK cell type (see vtkCellType.h)")]
    UnknownCellType {
        /// Cell index.
        cell: usize,
        /// The type id.
        id: u8,
    },
    /// Image extent has `min > max + 1` on some axis, or a dimension overflows.
    #[error("bad image extent {0:?}")]
    BadExtent([i64; 6]),
    /// Image spacing, origin or direction is not finite, or the direction is singular.
    #[error("bad image geometry: {0}")]
    BadGeometry(String),
    /// Polyhedron face information is inconsistent with the cells.
    #[error("polyhedron faces: {0}")]
    BadFaces(String),
    /// An operation needs a different dtype.
    #[error("expected dtype {expected}, found {found}")]
    DType {
        /// Expected dtype.
        expected: DType,
        /// Found dtype.
        found: DType,
    },
}

/// Where in an input file a problem was found, as the readers' error messages print it before
/// the problem itself: `"at byte 12, Points: "`, `"at byte 12: "`, `"Points: "` or nothing.
///
/// `within` names the element, header key, section or key path. It lives here, in the lowest crate
/// that both the format readers (`vtk-formats`) and the stores (`arraydict-store`) depend on, so the
/// two error types say "where" in the same words.
pub fn location(offset: Option<u64>, within: Option<&str>) -> String {
    match (offset, within) {
        (Some(o), Some(w)) => format!("at byte {o}, {w}: "),
        (Some(o), None) => format!("at byte {o}: "),
        (None, Some(w)) => format!("{w}: "),
        (None, None) => String::new(),
    }
}

/// A size as people read it: `812 bytes`, `1.5 KiB`, `64 GiB` (binary units, one decimal when
/// it is not whole), for the errors of the readers and the stores alike.
pub fn byte_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} byte{}", if bytes == 1 { "" } else { "s" });
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {}", UNITS[unit])
}

/// A size as [`byte_size`] says it, with the exact count after it when the units round it
/// (`24.9 KiB (25470 bytes)`): a file one byte short must not read as a file of the right size.
pub fn byte_size_exact(bytes: u64) -> String {
    if bytes < 1024 {
        byte_size(bytes)
    } else {
        format!("{} ({bytes} bytes)", byte_size(bytes))
    }
}

/// What a refused declared size says about the readers' allocation limit: nothing when the size
/// is within it, `", more than the readers' limit of 64 GiB"` when not.
pub fn over_limit(declared: u64, limit: u64) -> String {
    if declared > limit {
        format!(", more than the readers' limit of {}", byte_size(limit))
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::{byte_size, byte_size_exact, location, over_limit};

    #[test]
    fn exact_sizes_keep_the_count_the_units_round() {
        assert_eq!(byte_size_exact(812), "812 bytes");
        assert_eq!(byte_size_exact(25_470), "24.9 KiB (25470 bytes)");
        assert_ne!(byte_size_exact(25_469), byte_size_exact(25_470));
        assert_eq!(over_limit(10, 64 << 30), "");
        assert_eq!(
            over_limit(65 << 30, 64 << 30),
            ", more than the readers' limit of 64 GiB"
        );
    }

    #[test]
    fn byte_sizes_are_in_binary_units() {
        assert_eq!(byte_size(0), "0 bytes");
        assert_eq!(byte_size(1), "1 byte");
        assert_eq!(byte_size(1023), "1023 bytes");
        assert_eq!(byte_size(1024), "1 KiB");
        assert_eq!(byte_size(1536), "1.5 KiB");
        assert_eq!(byte_size(64 << 30), "64 GiB");
        assert_eq!(byte_size(68_719_476_736 + (100 << 20)), "64.1 GiB");
        assert_eq!(byte_size(u64::MAX), "16 EiB");
    }

    #[test]
    fn location_says_what_is_known() {
        assert_eq!(location(Some(12), Some("Points")), "at byte 12, Points: ");
        assert_eq!(location(Some(12), None), "at byte 12: ");
        assert_eq!(location(None, Some("/a/b")), "/a/b: ");
        assert_eq!(location(None, None), "");
    }
}
