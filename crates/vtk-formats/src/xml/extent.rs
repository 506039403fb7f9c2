//! Extents of image data: `[x0, x1, y0, y1, z0, z1]`, inclusive point indices.

/// Points and cells of an extent, `None` when it is invalid or overflows.
pub(crate) fn extent_counts(e: [i64; 6]) -> Option<(u64, u64)> {
    let mut dims = [0u64; 3];
    for a in 0..3 {
        dims[a] = u64::try_from(e[2 * a + 1].checked_sub(e[2 * a])?.checked_add(1)?).ok()?;
    }
    let points = dims.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d))?;
    let cells = if points == 0 {
        0
    } else {
        dims.iter()
            .map(|&d| d.saturating_sub(1).max(1))
            .try_fold(1u64, u64::checked_mul)?
    };
    Some((points, cells))
}
