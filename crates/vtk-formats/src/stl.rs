//! STL surfaces: ascii and binary reader and writer.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Write;
use std::path::Path;

use vtk_model::{ArrayData, Attributes, CellArray, DataArray, PolyCells, PolyData};

use crate::legacy::cursor::{shorten, Cursor};
use crate::{Commit, FormatError, ReadOptions};

/// Reads an STL file (ascii or binary) into a triangle surface.
///
/// Points are merged the way `vtkSTLReader` merges them (its default `vtkMergePoints` locator):
/// vertices with identical `f32` coordinates become one point (`-0.0` equals `0.0`), and points are
/// numbered in order of first occurrence. Triangles whose merged corners are not three distinct
/// points are dropped, as VTK drops them. The result has `f32` points, polygons only and no arrays
/// (the facet normals are not kept, VTK does not keep them either).
///
/// A file is binary when its size is exactly `84 + 50 * n` with `n` the triangle count at byte 80,
/// otherwise ascii when it starts with `solid`, otherwise binary (and then malformed if the file is
/// shorter than its count declares; a smaller count is read past, as VTK does).
pub fn read(path: &Path, opts: &ReadOptions) -> Result<PolyData, FormatError> {
    let buf = crate::detect::read_all(path)?;
    read_bytes(&buf, path, opts)
}

/// Reads an STL file held in memory; `path` is used only in error messages.
pub fn read_bytes(buf: &[u8], path: &Path, opts: &ReadOptions) -> Result<PolyData, FormatError> {
    if is_binary(buf) {
        parse_binary(path, buf, opts)
    } else {
        parse_ascii(path, buf, opts)
    }
}

fn is_binary(buf: &[u8]) -> bool {
    if buf.len() >= 84 {
        let n = u32::from_le_bytes([buf[80], buf[81], buf[82], buf[83]]);
        if 84 + 50 * u64::from(n) == buf.len() as u64 {
            return true;
        }
    }
    let start = buf
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(buf.len());
    let word = &buf[start..buf.len().min(start + 5)];
    !word.eq_ignore_ascii_case(b"solid")
}

/// `FxHash`-style hasher: the keys are already well-mixed float bits, `SipHash` would dominate the time.
#[derive(Default)]
struct FxHasher(u64);
impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Coordinate bits; hashed as two words instead of a length-prefixed byte slice.
#[derive(PartialEq, Eq)]
struct Key([u32; 3]);
impl std::hash::Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(u64::from(self.0[0]) | (u64::from(self.0[1]) << 32));
        state.write_u64(u64::from(self.0[2]));
    }
}

/// Exact-coordinate point merging in first-occurrence order.
struct Merger {
    map: HashMap<Key, i64, BuildHasherDefault<FxHasher>>,
    points: Vec<f32>,
    conn: Vec<i64>,
}

impl Merger {
    fn new(triangles: usize) -> Self {
        // Closed triangle meshes have about half as many points as triangles.
        let cap = triangles / 2 + 16;
        Self {
            map: HashMap::with_capacity_and_hasher(cap, BuildHasherDefault::default()),
            points: Vec::with_capacity(cap * 3),
            conn: Vec::with_capacity(triangles * 3),
        }
    }

    fn id(&mut self, p: [f32; 3]) -> i64 {
        // `+ 0.0` turns -0.0 into 0.0, since the locator compares values, not bits.
        let key = Key([
            (p[0] + 0.0).to_bits(),
            (p[1] + 0.0).to_bits(),
            (p[2] + 0.0).to_bits(),
        ]);
        let next = (self.points.len() / 3) as i64;
        *self.map.entry(key).or_insert_with(|| {
            self.points.extend_from_slice(&p);
            next
        })
    }

    fn triangle(&mut self, v: [[f32; 3]; 3]) {
        let ids = [self.id(v[0]), self.id(v[1]), self.id(v[2])];
        if ids[0] != ids[1] && ids[0] != ids[2] && ids[1] != ids[2] {
            self.conn.extend_from_slice(&ids);
        }
    }

    fn finish(self, path: &Path) -> Result<PolyData, FormatError> {
        let model = |source| FormatError::Model {
            path: path.to_path_buf(),
            source,
        };
        let n = self.conn.len() / 3;
        let offsets: Vec<i64> = (0..=n as i64).map(|i| 3 * i).collect();
        let polys = CellArray::new(offsets, self.conn).map_err(model)?;
        let points = DataArray::new("Points", 3, ArrayData::F32(self.points)).map_err(model)?;
        PolyData::try_new(
            points,
            PolyCells::polys(polys),
            Attributes::new(),
            Attributes::new(),
        )
        .map_err(model)
    }
}

fn parse_binary(path: &Path, buf: &[u8], opts: &ReadOptions) -> Result<PolyData, FormatError> {
    if buf.len() < 84 {
        return Err(FormatError::Malformed {
            path: path.to_path_buf(),
            offset: Some(0),
            element: Some("binary STL header".into()),
            detail: format!("file has {} bytes, a binary STL needs at least 84 (and ascii STL starts with 'solid')", buf.len()),
        });
    }
    let n = u64::from(u32::from_le_bytes([buf[80], buf[81], buf[82], buf[83]]));
    let declared = 50 * n;
    let available = buf.len() as u64 - 84;
    // Points and connectivity take at most 9 f32 + 3 i64 per triangle.
    if declared > available || n * 60 > opts.max_alloc {
        return Err(FormatError::TooLarge {
            path: path.to_path_buf(),
            offset: Some(80),
            what: format!("binary STL triangle count {n}"),
            declared,
            available,
            limit: opts.max_alloc,
        });
    }
    // Many binary STL files carry a wrong (often zero) count, so VTK's reader takes every whole
    // triangle the file holds when the count is smaller (and stops at the end of the file when it
    // is larger, which we refuse above as a truncation). A trailing piece shorter than a triangle
    // is ignored, as VTK does.
    let n = n.max(available / 50);
    let declared = 50 * n;
    let mut m = Merger::new(n as usize);
    for rec in buf[84..84 + declared as usize].chunks_exact(50) {
        let f = |i: usize| f32::from_le_bytes([rec[i], rec[i + 1], rec[i + 2], rec[i + 3]]);
        let v = |k: usize| [f(12 + 12 * k), f(16 + 12 * k), f(20 + 12 * k)];
        m.triangle([v(0), v(1), v(2)]);
    }
    m.finish(path)
}

fn parse_ascii(path: &Path, buf: &[u8], _opts: &ReadOptions) -> Result<PolyData, FormatError> {
    let mut cur = Cursor::new(path, buf);
    let mut m = Merger::new(buf.len() / 256);
    let mut solids = 0usize;
    loop {
        match cur.token()? {
            None if solids > 0 => break,
            Some(t) if t.eq_ignore_ascii_case("solid") => {
                cur.line();
                solids += 1;
            }
            Some(t) => {
                return Err(cur.err(
                    "ascii STL",
                    format!("expected 'solid', found '{}'", shorten(t)),
                ))
            }
            None => return Err(cur.err("ascii STL", "empty file")),
        }
        loop {
            let kw = cur.expect_token("ascii STL", "'facet' or 'endsolid'")?;
            if kw.eq_ignore_ascii_case("endsolid") {
                cur.line();
                break;
            }
            expect(&mut cur, kw, "facet")?;
            let kw = cur.expect_token("facet", "'normal'")?;
            expect(&mut cur, kw, "normal")?;
            for _ in 0..3 {
                cur.parse::<f32>("facet normal", "a number")?;
            }
            for word in ["outer", "loop"] {
                let kw = cur.expect_token("facet", word)?;
                expect(&mut cur, kw, word)?;
            }
            let mut v = [[0f32; 3]; 3];
            for corner in &mut v {
                let kw = cur.expect_token("facet/outer loop", "'vertex'")?;
                expect(&mut cur, kw, "vertex")?;
                for c in corner.iter_mut() {
                    *c = cur.parse("facet/outer loop/vertex", "a number")?;
                }
            }
            for word in ["endloop", "endfacet"] {
                let kw = cur.expect_token("facet", word)?;
                expect(&mut cur, kw, word)?;
            }
            m.triangle(v);
        }
    }
    m.finish(path)
}

fn expect(cur: &mut Cursor<'_>, found: &str, word: &str) -> Result<(), FormatError> {
    if found.eq_ignore_ascii_case(word) {
        Ok(())
    } else {
        Err(cur.err(
            "ascii STL",
            format!("expected '{word}', found '{}'", shorten(found)),
        ))
    }
}

/// Options of the STL writer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StlWriteOptions {
    /// Write ASCII STL (`solid` ... `endsolid`, as `vtkSTLWriter`'s ASCII mode) instead of binary:
    /// about five times larger, for tools and people that read text.
    pub ascii: bool,
}

/// Writes a surface as an STL file at `path`, atomically (a failed write leaves no file and
/// keeps an existing one), as [`write_to`] writes it; `commit` says whether it is flushed to
/// disk before its rename and whether it may replace a file. A surface STL cannot hold is refused
/// before the output is opened.
pub fn write(
    path: &Path,
    pd: &PolyData,
    opts: &StlWriteOptions,
    commit: impl Into<Commit>,
) -> Result<(), FormatError> {
    let count = triangle_count(pd, path)?;
    crate::atomic::write_atomic(path, commit, |w| write_triangles(w, pd, count, *opts, path))
}

/// Writes a surface as STL (binary, or ASCII with [`StlWriteOptions::ascii`]) to any writer:
/// polygons are fan-triangulated, strips split into triangles, and each facet gets its unit
/// normal. Point and cell arrays are not written (STL has none); vertices and lines cannot be
/// written and are an error.
pub fn write_to(
    w: &mut dyn Write,
    pd: &PolyData,
    opts: &StlWriteOptions,
) -> Result<(), FormatError> {
    let name = Path::new(crate::atomic::STREAM);
    let count = triangle_count(pd, name)?;
    write_triangles(w, pd, count, *opts, name)
}

/// How many of a surface's polygons are not triangles: STL holds triangles only, so the writers
/// split them (a polygon of n > 3 corners into n - 2 triangles); triangle strips are not counted.
pub fn polygons_split(pd: &PolyData) -> usize {
    pd.cells().polys.iter().filter(|c| c.len() > 3).count()
}

/// The number of triangles the surface makes, or why STL cannot hold it; `name` is the output as
/// errors name it.
fn triangle_count(pd: &PolyData, name: &Path) -> Result<u32, FormatError> {
    let cells = pd.cells();
    let cannot = |what: &str| FormatError::CannotWrite {
        path: name.to_path_buf(),
        what: what.into(),
        format: "STL".into(),
    };
    if !cells.verts.is_empty() || !cells.lines.is_empty() {
        return Err(cannot("a polydata with vertices or lines"));
    }
    let count: usize = cells
        .polys
        .iter()
        .map(|c| c.len().saturating_sub(2))
        .sum::<usize>()
        + cells
            .strips
            .iter()
            .map(|c| c.len().saturating_sub(2))
            .sum::<usize>();
    u32::try_from(count).map_err(|_| cannot("more than 2^32-1 triangles"))
}

/// A facet: its unit normal (zero for a degenerate triangle) and its three corners.
type Facet = ([f32; 3], [[f32; 3]; 3]);

/// Calls `emit` with every triangle of the surface, in the order the writers write them:
/// polygons fan-triangulated, then strips with every other triangle turned to keep its winding.
#[allow(clippy::many_single_char_names)]
fn for_each_facet(
    pd: &PolyData,
    mut emit: impl FnMut(Facet) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let cells = pd.cells();
    let pts = pd.points().data();
    let p = |id: i64| {
        let i = id as usize * 3;
        [pts.get_f64(i), pts.get_f64(i + 1), pts.get_f64(i + 2)]
    };
    let mut facet = |a: i64, b: i64, c: i64| {
        let (a, b, c) = (p(a), p(b), p(c));
        let u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
        let v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
        let mut nrm = [
            u[1] * v[2] - u[2] * v[1],
            u[2] * v[0] - u[0] * v[2],
            u[0] * v[1] - u[1] * v[0],
        ];
        let len = (nrm[0] * nrm[0] + nrm[1] * nrm[1] + nrm[2] * nrm[2]).sqrt();
        if len > 0.0 {
            for x in &mut nrm {
                *x /= len;
            }
        }
        let f32s = |x: [f64; 3]| x.map(|v| v as f32);
        emit((f32s(nrm), [f32s(a), f32s(b), f32s(c)]))
    };
    for c in cells.polys.iter() {
        for i in 1..c.len().saturating_sub(1) {
            facet(c[0], c[i], c[i + 1])?;
        }
    }
    for s in cells.strips.iter() {
        for i in 0..s.len().saturating_sub(2) {
            let (a, b) = if i % 2 == 0 {
                (s[i], s[i + 1])
            } else {
                (s[i + 1], s[i])
            };
            facet(a, b, s[i + 2])?;
        }
    }
    Ok(())
}

/// The STL of a surface of `count` triangles ([`triangle_count`]), binary or ASCII as `opts`
/// says.
fn write_triangles(
    w: &mut dyn Write,
    pd: &PolyData,
    count: u32,
    opts: StlWriteOptions,
    name: &Path,
) -> Result<(), FormatError> {
    let io = |source: std::io::Error| FormatError::Io {
        path: name.to_path_buf(),
        source,
    };
    if opts.ascii {
        return write_ascii(w, pd).map_err(io);
    }
    let mut header = [b' '; 80];
    let text = b"binary STL written by arraydict";
    header[..text.len()].copy_from_slice(text);
    w.write_all(&header).map_err(io)?;
    w.write_all(&count.to_le_bytes()).map_err(io)?;
    for_each_facet(pd, |(normal, corners)| {
        let mut rec = [0u8; 50];
        for (k, val) in normal.iter().chain(corners.iter().flatten()).enumerate() {
            rec[4 * k..4 * k + 4].copy_from_slice(&val.to_le_bytes());
        }
        w.write_all(&rec)
    })
    .map_err(io)
}

/// A coordinate as the shortest text that reads back as the same `f32`: `156.445`, or `1e-30`
/// where the plain form would be long.
struct Number(f32);

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let magnitude = self.0.abs();
        if magnitude == 0.0 || (1e-4..1e7).contains(&magnitude) {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{:e}", self.0)
        }
    }
}

/// ASCII STL in `vtkSTLWriter`'s layout. Every number reads back as the `f32` a binary file
/// holds ([`Number`]), so an ASCII file carries exactly what a binary one does.
fn write_ascii(w: &mut dyn Write, pd: &PolyData) -> std::io::Result<()> {
    writeln!(w, "solid ascii")?;
    for_each_facet(pd, |(n, corners)| {
        let [x, y, z] = n.map(Number);
        writeln!(w, " facet normal {x} {y} {z}")?;
        writeln!(w, "  outer loop")?;
        for v in corners {
            let [x, y, z] = v.map(Number);
            writeln!(w, "   vertex {x} {y} {z}")?;
        }
        writeln!(w, "  endloop\n endfacet")
    })?;
    writeln!(w, "endsolid ascii")
}
