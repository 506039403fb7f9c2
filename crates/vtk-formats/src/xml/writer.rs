//! Writing `.vtp`/`.vtu`/`.vti` in any of VTK's encodings, compressing blocks in parallel.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use base64::Engine;
use quick_xml::escape::escape;
use rayon::prelude::*;
use vtk_model::{with_array_data, ArrayData, Attributes, CellArray, DType, DataSet, StoredIds};

use super::codec::Compressor;
use super::{HeaderType, XmlCompression, XmlEncoding, XmlWriteOptions};
use crate::FormatError;

/// The values of one array to write.
enum Values<'a> {
    Data(&'a ArrayData),
    Ids(Cow<'a, [i64]>),
    /// Ids not stored as `i64` (32-bit, or uniform offsets), written as VTK's 64-bit ones.
    LazyIds(StoredIds<'a>),
    Types(Vec<u8>),
}

impl<'a> Values<'a> {
    fn stored_ids(ids: StoredIds<'a>) -> Self {
        match ids {
            StoredIds::I64(v) => Values::Ids(Cow::Borrowed(v)),
            other => Values::LazyIds(other),
        }
    }
}

impl Values<'_> {
    fn dtype(&self) -> DType {
        match self {
            Values::Data(d) => d.dtype(),
            Values::Ids(_) | Values::LazyIds(_) => DType::I64,
            Values::Types(_) => DType::U8,
        }
    }
    /// The bytes to encode; every supported target writes its own byte order (declared in the file).
    fn source(&self) -> Source<'_> {
        match self {
            Values::Data(d) => Source::Bytes(d.as_bytes()),
            Values::Ids(v) => Source::Bytes(bytemuck::cast_slice(v)),
            Values::LazyIds(v) => Source::Ids(*v),
            Values::Types(v) => Source::Bytes(v),
        }
    }
    fn write_ascii(&self, out: &mut Vec<u8>) {
        fn put<T: AsciiValue>(out: &mut Vec<u8>, v: &[T]) {
            for (i, x) in v.iter().enumerate() {
                out.extend_from_slice(if i == 0 {
                    b""
                } else if i % 6 == 0 {
                    b"\n"
                } else {
                    b" "
                });
                x.put(out);
            }
        }
        match self {
            Values::Data(d) => with_array_data!(d, v => put(out, v)),
            Values::Ids(v) => put(out, v),
            Values::LazyIds(v) => put(out, &v.to_vec()),
            Values::Types(v) => put(out, v),
        }
    }
}

trait AsciiValue {
    fn put(&self, out: &mut Vec<u8>);
}
macro_rules! ascii_int {
    ($($t:ty),*) => {$(impl AsciiValue for $t {
        fn put(&self, out: &mut Vec<u8>) {
            let _ = write!(out, "{self}");
        }
    })*};
}
ascii_int!(i8, u8, i16, u16, i32, u32, i64, u64);
macro_rules! ascii_float {
    ($($t:ty),*) => {$(impl AsciiValue for $t {
        fn put(&self, out: &mut Vec<u8>) {
            // `{:?}` is the shortest text that reads back to the same value, with an exponent for very
            // large or small magnitudes (where `{}` would print hundreds of digits).
            let _ = if self.is_nan() {
                write!(out, "nan")
            } else if self.is_infinite() {
                write!(out, "{}", if *self > 0.0 { "inf" } else { "-inf" })
            } else {
                write!(out, "{self:?}")
            };
        }
    })*};
}
ascii_float!(f32, f64);

/// The native-order bytes of one array: borrowed, or ids made 64-bit a block at a time (so no
/// array-sized buffer of them exists, compressed or not).
#[derive(Clone, Copy)]
enum Source<'a> {
    Bytes(&'a [u8]),
    Ids(StoredIds<'a>),
}

impl<'a> Source<'a> {
    fn len(&self) -> usize {
        match self {
            Source::Bytes(b) => b.len(),
            Source::Ids(v) => v.len() * 8,
        }
    }
    /// Bytes `range` of the array.
    fn range(&self, range: std::ops::Range<usize>) -> Cow<'a, [u8]> {
        match self {
            Source::Bytes(b) => Cow::Borrowed(&b[range]),
            Source::Ids(v) => {
                let (first, last) = (range.start / 8, range.end.div_ceil(8));
                let mut wide = vec![0i64; last - first];
                v.widen_into(first, &mut wide);
                let bytes: &[u8] = bytemuck::cast_slice(&wide);
                Cow::Owned(bytes[range.start - first * 8..range.end - first * 8].to_vec())
            }
        }
    }
}

/// One piece of the document: literal XML or a `<DataArray>`.
enum Node<'a> {
    Xml(String),
    Array {
        indent: usize,
        name: String,
        components: usize,
        values: Values<'a>,
    },
}

/// Encoded array content: raw appended bytes, or text (base64 / ascii).
struct Encoded<'a> {
    parts: Vec<Cow<'a, [u8]>>,
    /// Ids to write after `parts` as 64-bit ones (raw uncompressed appended data only).
    widened: Option<StoredIds<'a>>,
}

impl<'a> Encoded<'a> {
    fn new(parts: Vec<Cow<'a, [u8]>>) -> Self {
        Self {
            parts,
            widened: None,
        }
    }
    fn len(&self) -> usize {
        self.parts.iter().map(|p| p.len()).sum::<usize>() + self.widened.map_or(0, |v| v.len() * 8)
    }
    /// `piece` is the widening buffer, shared by all the arrays of a document.
    fn write_to(&self, w: &mut dyn Write, piece: &mut Vec<i64>) -> std::io::Result<()> {
        for p in &self.parts {
            w.write_all(p)?;
        }
        match self.widened {
            Some(ids) => write_widened(w, ids, piece),
            None => Ok(()),
        }
    }
}

/// Writes ids as native-order 64-bit ones, a piece at a time through one small buffer.
///
/// Widening on a second thread while this one writes was measured slower on the 2-core VM of
/// issue 6 (15-16 ms against 13.5-14 ms for 46 MB of output): both passes are bound by memory
/// bandwidth, and running them together only makes them compete for it.
///
/// `piece` is reused from one array to the next: a fresh buffer's pages are each a fault and a
/// clearing by the kernel.
fn write_widened(
    w: &mut dyn Write,
    ids: StoredIds<'_>,
    piece: &mut Vec<i64>,
) -> std::io::Result<()> {
    // 1 MiB per write: the `BufWriter`'s capacity, so pieces bypass its copy, and half a core's
    // L2, where the kernel's copy finds what the widening wrote. An HDF5 -> raw `.vtp` run (46 MB
    // out) took 22.4 ms with 1 MiB pieces, 22.7 with 2 MiB and 23.5 with 512 KiB (means of the
    // middle half of 41 runs, the builds taking turns).
    const PIECE: usize = 1 << 17;
    if piece.len() < PIECE.min(ids.len()) {
        // Not `resize`: its zeroing would touch every page before the widening does.
        *piece = vec![0i64; PIECE.min(ids.len())];
    }
    let mut at = 0;
    while at < ids.len() {
        let n = PIECE.min(ids.len() - at);
        ids.widen_into(at, &mut piece[..n]);
        w.write_all(bytemuck::cast_slice(&piece[..n]))?;
        at += n;
    }
    Ok(())
}

struct Doc<'a> {
    nodes: Vec<Node<'a>>,
}

impl<'a> Doc<'a> {
    fn xml(&mut self, s: String) {
        self.nodes.push(Node::Xml(s));
    }
    fn array(&mut self, indent: usize, name: &str, components: usize, values: Values<'a>) {
        self.nodes.push(Node::Array {
            indent,
            name: name.to_owned(),
            components,
            values,
        });
    }
    fn attributes(&mut self, tag: &str, attrs: &'a Attributes) {
        self.xml(format!("      <{tag}>\n"));
        for (i, a) in attrs.iter().enumerate() {
            // VTK's readers reject arrays without a name, and its writers name them "Array <address>".
            let name = if a.name().is_empty() {
                format!("Array {i}")
            } else {
                a.name().to_owned()
            };
            self.array(8, &name, a.components(), Values::Data(a.data()));
        }
        self.xml(format!("      </{tag}>\n"));
    }
    fn cells(&mut self, tag: &str, c: &'a CellArray) {
        self.xml(format!("      <{tag}>\n"));
        self.array(
            8,
            "connectivity",
            1,
            Values::stored_ids(c.stored_connectivity()),
        );
        // VTK XML stores end offsets: all but the leading 0.
        self.array(
            8,
            "offsets",
            1,
            Values::stored_ids(c.stored_offsets().skip(1)),
        );
        self.xml(format!("      </{tag}>\n"));
    }
}

fn fmt_floats(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x:?}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn layout(ds: &DataSet) -> (&'static str, Doc<'_>) {
    let mut d = Doc { nodes: Vec::new() };
    let kind = match ds {
        DataSet::PolyData(p) => {
            let c = p.cells();
            d.xml(format!(
                "  <PolyData>\n    <Piece NumberOfPoints=\"{}\" NumberOfVerts=\"{}\" NumberOfLines=\"{}\" NumberOfStrips=\"{}\" NumberOfPolys=\"{}\">\n",
                p.num_points(),
                c.verts.num_cells(),
                c.lines.num_cells(),
                c.strips.num_cells(),
                c.polys.num_cells()
            ));
            d.attributes("PointData", p.point_data());
            d.attributes("CellData", p.cell_data());
            d.xml("      <Points>\n".into());
            d.array(8, "Points", 3, Values::Data(p.points().data()));
            d.xml("      </Points>\n".into());
            d.cells("Verts", &c.verts);
            d.cells("Lines", &c.lines);
            d.cells("Strips", &c.strips);
            d.cells("Polys", &c.polys);
            d.xml("    </Piece>\n  </PolyData>\n".into());
            "PolyData"
        }
        DataSet::UnstructuredGrid(g) => {
            d.xml(format!(
                "  <UnstructuredGrid>\n    <Piece NumberOfPoints=\"{}\" NumberOfCells=\"{}\">\n",
                g.num_points(),
                g.num_cells()
            ));
            d.attributes("PointData", g.point_data());
            d.attributes("CellData", g.cell_data());
            d.xml("      <Points>\n".into());
            d.array(8, "Points", 3, Values::Data(g.points().data()));
            d.xml("      </Points>\n      <Cells>\n".into());
            d.array(
                8,
                "connectivity",
                1,
                Values::Ids(Cow::Borrowed(g.cells().connectivity())),
            );
            d.array(
                8,
                "offsets",
                1,
                Values::Ids(Cow::Borrowed(&g.cells().offsets()[1..])),
            );
            d.array(
                8,
                "types",
                1,
                Values::Types(g.cell_types().iter().map(|t| t.0).collect()),
            );
            if let Some(f) = g.faces() {
                // The pre-9.4 layout (legacy face streams + end offsets, -1 for other cells): every VTK
                // version reads it, while VMTK's VTK 9.1 cannot read the 9.4 layout.
                let mut stream = Vec::new();
                let mut ends = Vec::with_capacity(g.num_cells());
                for i in 0..g.num_cells() {
                    let s = f.legacy_stream(i);
                    if s.is_empty() {
                        ends.push(-1);
                    } else {
                        stream.extend_from_slice(&s);
                        ends.push(stream.len() as i64);
                    }
                }
                d.array(8, "faces", 1, Values::Ids(Cow::Owned(stream)));
                d.array(8, "faceoffsets", 1, Values::Ids(Cow::Owned(ends)));
            }
            d.xml("      </Cells>\n    </Piece>\n  </UnstructuredGrid>\n".into());
            "UnstructuredGrid"
        }
        DataSet::ImageData(img) => {
            let e = img.extent();
            let ext = format!("{} {} {} {} {} {}", e[0], e[1], e[2], e[3], e[4], e[5]);
            let dir = img.direction();
            let rows: Vec<f64> = (0..3)
                .flat_map(|r| (0..3).map(move |c| dir[(r, c)]))
                .collect();
            d.xml(format!(
                "  <ImageData WholeExtent=\"{ext}\" Origin=\"{}\" Spacing=\"{}\" Direction=\"{}\">\n    <Piece Extent=\"{ext}\">\n",
                fmt_floats(&img.origin()),
                fmt_floats(&img.spacing()),
                fmt_floats(&rows)
            ));
            d.attributes("PointData", img.point_data());
            d.attributes("CellData", img.cell_data());
            d.xml("    </Piece>\n  </ImageData>\n".into());
            "ImageData"
        }
    };
    (kind, d)
}

fn header_bytes(values: &[u64], header: HeaderType) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() * 8);
    for &v in values {
        match header {
            HeaderType::UInt32 => out.extend_from_slice(&(v as u32).to_ne_bytes()),
            HeaderType::UInt64 => out.extend_from_slice(&v.to_ne_bytes()),
        }
    }
    out
}

fn b64(bytes: &[u8]) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .into_bytes()
}

/// The block compressor and its level, `None` for uncompressed data.
fn block_compressor(c: XmlCompression) -> Option<(Compressor, u32)> {
    match c {
        XmlCompression::None => None,
        XmlCompression::Zlib(level) => Some((Compressor::Zlib, level)),
        XmlCompression::Lz4 => Some((Compressor::Lz4, 0)),
        XmlCompression::Lzma(level) => Some((Compressor::Lzma, level)),
    }
}

/// Encodes one array's binary form (raw or base64).
fn encode_binary<'a>(source: Source<'a>, opts: &XmlWriteOptions, base64: bool) -> Encoded<'a> {
    let len = source.len();
    let Some((c, level)) = block_compressor(opts.compression) else {
        let header = header_bytes(&[len as u64], opts.header);
        // VTK encodes the size and the data as one base64 stream when uncompressed.
        return match (base64, source) {
            (true, _) => {
                let mut all = header;
                all.extend_from_slice(&source.range(0..len));
                Encoded::new(vec![Cow::Owned(b64(&all))])
            }
            (false, Source::Bytes(data)) => {
                Encoded::new(vec![Cow::Owned(header), Cow::Borrowed(data)])
            }
            (false, Source::Ids(ids)) => Encoded {
                parts: vec![Cow::Owned(header)],
                widened: Some(ids),
            },
        };
    };
    let bs = opts.block_size.max(1);
    let block = |b: usize| c.compress(level, &source.range(b * bs..((b + 1) * bs).min(len)));
    let blocks: Vec<Vec<u8>> = if len > bs {
        (0..len.div_ceil(bs)).into_par_iter().map(block).collect()
    } else {
        (0..len.div_ceil(bs)).map(block).collect()
    };
    let mut h = vec![blocks.len() as u64, bs as u64, (len % bs) as u64];
    h.extend(blocks.iter().map(|b| b.len() as u64));
    let header = header_bytes(&h, opts.header);
    if base64 {
        // Header and data are separate base64 streams, as VTK writes (and requires) them.
        let joined: Vec<u8> = blocks.concat();
        Encoded::new(vec![Cow::Owned(b64(&header)), Cow::Owned(b64(&joined))])
    } else {
        let mut parts = vec![Cow::Owned(header)];
        parts.extend(blocks.into_iter().map(Cow::Owned));
        Encoded::new(parts)
    }
}

fn encode<'a>(values: &'a Values<'a>, opts: &XmlWriteOptions) -> Encoded<'a> {
    match opts.encoding {
        XmlEncoding::Ascii => {
            let mut out = Vec::new();
            values.write_ascii(&mut out);
            Encoded::new(vec![Cow::Owned(out)])
        }
        XmlEncoding::AppendedRaw => encode_binary(values.source(), opts, false),
        XmlEncoding::AppendedBase64 | XmlEncoding::InlineBase64 => {
            encode_binary(values.source(), opts, true)
        }
    }
}

/// Writes `ds` as VTK XML to `w`; `path` names the target in errors.
pub(crate) fn write_document(
    w: &mut dyn Write,
    ds: &DataSet,
    opts: &XmlWriteOptions,
    path: &Path,
) -> Result<(), FormatError> {
    let io = |source: std::io::Error| FormatError::Io {
        path: path.to_path_buf(),
        source,
    };
    let (kind, doc) = layout(ds);
    if opts.encoding != XmlEncoding::Ascii && opts.header == HeaderType::UInt32 {
        check_uint32_headers(&doc, path)?;
    }
    let arrays: Vec<&Values<'_>> = doc
        .nodes
        .iter()
        .filter_map(|n| {
            if let Node::Array { values, .. } = n {
                Some(values)
            } else {
                None
            }
        })
        .collect();
    let encoded: Vec<Encoded<'_>> = arrays.par_iter().map(|v| encode(v, opts)).collect();
    w.write_all(file_start(kind, opts).as_bytes()).map_err(io)?;
    let mut body = Body {
        w: &mut *w,
        opts,
        offset: 0,
    };
    let mut enc_iter = encoded.iter();
    for n in &doc.nodes {
        match n {
            Node::Xml(s) => body.w.write_all(s.as_bytes()).map_err(io)?,
            Node::Array {
                indent,
                name,
                components,
                values,
            } => {
                let Some(e) = enc_iter.next() else { break };
                body.array(*indent, name, *components, values, e)
                    .map_err(io)?;
            }
        }
    }
    if appended(opts) {
        write_appended(w, opts, &encoded).map_err(io)?;
    }
    w.write_all(b"</VTKFile>\n").map_err(io)?;
    Ok(())
}

/// Refuses arrays too large for a `UInt32` size header.
fn check_uint32_headers(doc: &Doc<'_>, path: &Path) -> Result<(), FormatError> {
    for n in &doc.nodes {
        if let Node::Array { name, values, .. } = n {
            if u32::try_from(values.source().len()).is_err() {
                return Err(FormatError::CannotWrite {
                    path: path.to_path_buf(),
                    what: format!("array '{name}' of {} bytes", values.source().len()),
                    format: "VTK XML with UInt32 headers (use UInt64)".into(),
                });
            }
        }
    }
    Ok(())
}

/// Whether the array data goes in an `<AppendedData>` section.
fn appended(opts: &XmlWriteOptions) -> bool {
    matches!(
        opts.encoding,
        XmlEncoding::AppendedRaw | XmlEncoding::AppendedBase64
    )
}

/// The XML declaration and the `<VTKFile>` start tag of a file of type `kind`.
fn file_start(kind: &str, opts: &XmlWriteOptions) -> String {
    let compressor = match opts.encoding {
        XmlEncoding::Ascii => None,
        _ => block_compressor(opts.compression),
    };
    let mut head = String::with_capacity(4096);
    let order = if cfg!(target_endian = "big") {
        "BigEndian"
    } else {
        "LittleEndian"
    };
    let htype = match opts.header {
        HeaderType::UInt32 => "UInt32",
        HeaderType::UInt64 => "UInt64",
    };
    let _ = write!(head, "<?xml version=\"1.0\"?>\n<VTKFile type=\"{kind}\" version=\"1.0\" byte_order=\"{order}\" header_type=\"{htype}\"");
    if let Some((c, _)) = compressor {
        let _ = write!(head, " compressor=\"{}\"", c.vtk_name());
    }
    head.push_str(">\n");
    head
}

/// The dataset part of the document, written one `<DataArray>` at a time.
struct Body<'w> {
    w: &'w mut dyn Write,
    opts: &'w XmlWriteOptions,
    /// Where the next array starts in the appended data.
    offset: usize,
}

impl Body<'_> {
    /// Writes one `<DataArray>` element, `e` being its encoded values: with them inside (ascii and
    /// inline base64) or with their offset in the appended data.
    fn array(
        &mut self,
        indent: usize,
        name: &str,
        components: usize,
        values: &Values<'_>,
        e: &Encoded<'_>,
    ) -> std::io::Result<()> {
        let format = match self.opts.encoding {
            XmlEncoding::Ascii => "ascii",
            XmlEncoding::InlineBase64 => "binary",
            XmlEncoding::AppendedRaw | XmlEncoding::AppendedBase64 => "appended",
        };
        let pad = " ".repeat(indent);
        let mut tag = format!(
            "{pad}<DataArray type=\"{}\" Name=\"{}\"",
            values.dtype().vtk_name(),
            escape(name)
        );
        if components != 1 {
            let _ = write!(tag, " NumberOfComponents=\"{components}\"");
        }
        let _ = write!(tag, " format=\"{format}\"");
        if appended(self.opts) {
            let _ = writeln!(tag, " offset=\"{}\"/>", self.offset);
            self.offset += e.len();
            return self.w.write_all(tag.as_bytes());
        }
        let _ = write!(tag, ">\n{pad}  ");
        self.w.write_all(tag.as_bytes())?;
        for p in &e.parts {
            if self.opts.encoding == XmlEncoding::Ascii {
                // Keep ascii lines short: break after every group of values, indented.
                let text = String::from_utf8_lossy(p).replace('\n', &format!("\n{pad}  "));
                self.w.write_all(text.as_bytes())?;
            } else {
                self.w.write_all(p)?;
            }
        }
        self.w
            .write_all(format!("\n{pad}</DataArray>\n").as_bytes())
    }
}

/// The `<AppendedData>` section: every array's encoded values, in document order.
fn write_appended(
    w: &mut dyn Write,
    opts: &XmlWriteOptions,
    encoded: &[Encoded<'_>],
) -> std::io::Result<()> {
    let enc = if opts.encoding == XmlEncoding::AppendedRaw {
        "raw"
    } else {
        "base64"
    };
    w.write_all(format!("  <AppendedData encoding=\"{enc}\">\n   _").as_bytes())?;
    let mut piece = Vec::new();
    for e in encoded {
        e.write_to(w, &mut piece)?;
    }
    w.write_all(b"\n  </AppendedData>\n")
}
