//! Conformance against the committed fixtures: every file listed in `fixtures/manifest.json` is read
//! with [`vtk_formats::read`] (LPS frame) and must give exactly what Python VTK (`SimpleITK` for
//! `MetaImage`) read from it -- kind, counts, geometry, every array's name/dtype/shape/bytes and every
//! cell array's offsets and connectivity, compared through SHA-256 hashes. Schema: fixtures/README.md.
//!
//! One test per format family; each reads all of its fixtures and reports every failing file with
//! every reason, so one run shows the whole picture.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};
use vtk_formats::{ImageFrame, ReadOptions};
use vtk_model::{Attributes, CellArray, DataArray, DataSet, ImageData, PolyData, UnstructuredGrid};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn manifest() -> Value {
    let path = fixtures_dir().join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (regenerate with `cargo xtask fixtures`)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn entries(m: &Value) -> &[Value] {
    m["fixtures"]
        .as_array()
        .map(Vec::as_slice)
        .expect("manifest has a `fixtures` array")
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn i64_sha256(values: &[i64]) -> String {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    hex_sha256(&bytes)
}

/// Collects the mismatches of one fixture.
struct Checker<'a> {
    errors: Vec<String>,
    expected: &'a Value,
}

impl Checker<'_> {
    #[allow(clippy::needless_pass_by_value)] // callers pass temporaries
    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, got: T, want: T) {
        if got != want {
            self.errors
                .push(format!("{what}: got {got:?}, expected {want:?}"));
        }
    }

    fn count(&mut self, what: &str, got: usize, want: &Value) {
        match want.as_u64() {
            Some(w) => self.eq(what, got as u64, w),
            None => self
                .errors
                .push(format!("{what}: manifest value {want} is not a count")),
        }
    }

    fn str_field(&mut self, what: &str, got: &str, want: &Value) {
        match want.as_str() {
            Some(w) => self.eq(what, got, w),
            None => self
                .errors
                .push(format!("{what}: manifest value {want} is not a string")),
        }
    }

    fn floats(&mut self, what: &str, got: &[f64], want: &Value) {
        let want: Vec<f64> = want
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        // The manifest holds the shortest decimal that round-trips; allow only parsing slack.
        let close = got.len() == want.len()
            && got
                .iter()
                .zip(&want)
                .all(|(g, w)| (g - w).abs() <= 1e-12 * w.abs().max(1.0));
        if !close {
            self.errors
                .push(format!("{what}: got {got:?}, expected {want:?}"));
        }
    }

    fn points(&mut self, points: &DataArray) {
        let want = &self.expected["points"];
        self.str_field("points dtype", points.dtype().numpy_str(), &want["dtype"]);
        self.str_field(
            "points sha256",
            &hex_sha256(points.data().as_bytes()),
            &want["sha256"],
        );
    }

    fn cells(&mut self, what: &str, cells: &CellArray, want: &Value) {
        self.count(
            &format!("{what} count"),
            cells.num_cells(),
            &want["num_cells"],
        );
        self.count(
            &format!("{what} connectivity length"),
            cells.connectivity().len(),
            &want["connectivity_len"],
        );
        self.str_field(
            &format!("{what} offsets sha256"),
            &i64_sha256(cells.offsets()),
            &want["offsets_sha256"],
        );
        self.str_field(
            &format!("{what} connectivity sha256"),
            &i64_sha256(cells.connectivity()),
            &want["connectivity_sha256"],
        );
    }

    fn arrays(&mut self, association: &str, got: &Attributes, want: &Value) {
        let want = want.as_array().map(Vec::as_slice).unwrap_or_default();
        let names: Vec<&str> = got.iter().map(DataArray::name).collect();
        let want_names: Vec<&str> = want.iter().filter_map(|a| a["name"].as_str()).collect();
        if names != want_names {
            self.errors.push(format!(
                "{association} arrays: got {names:?}, expected {want_names:?}"
            ));
            return;
        }
        for (a, w) in got.iter().zip(want) {
            let what = format!("{association} array {:?}", a.name());
            self.str_field(&format!("{what} dtype"), a.dtype().numpy_str(), &w["dtype"]);
            self.count(
                &format!("{what} components"),
                a.components(),
                &w["components"],
            );
            self.count(&format!("{what} tuples"), a.tuples(), &w["tuples"]);
            self.str_field(
                &format!("{what} sha256"),
                &hex_sha256(a.data().as_bytes()),
                &w["sha256"],
            );
        }
    }

    fn poly_data(&mut self, pd: &PolyData) {
        self.points(pd.points());
        for (name, cells) in pd.cells().named() {
            let want = &self.expected["cells"][name];
            self.cells(name, cells, want);
        }
        self.arrays("point", pd.point_data(), &self.expected["point_data"]);
        self.arrays("cell", pd.cell_data(), &self.expected["cell_data"]);
    }

    fn unstructured(&mut self, ug: &UnstructuredGrid) {
        self.points(ug.points());
        self.cells("cells", ug.cells(), &self.expected["cells"]);
        let types: Vec<u8> = ug.cell_types().iter().map(|t| t.0).collect();
        self.str_field(
            "cell types sha256",
            &hex_sha256(&types),
            &self.expected["cell_types_sha256"],
        );
        match (ug.faces(), &self.expected["polyhedron_faces"]) {
            (None, Value::Null) => {}
            (Some(f), want @ Value::Object(_)) => {
                self.cells("polyhedron faces", &f.faces, &want["faces"]);
                self.cells("polyhedron face lists", &f.cell_faces, &want["cell_faces"]);
            }
            (got, want) => self.errors.push(format!(
                "polyhedron faces: got {}, expected {}",
                if got.is_some() { "faces" } else { "none" },
                if want.is_null() { "none" } else { "faces" }
            )),
        }
        self.arrays("point", ug.point_data(), &self.expected["point_data"]);
        self.arrays("cell", ug.cell_data(), &self.expected["cell_data"]);
    }

    fn image(&mut self, img: &ImageData) {
        let want_extent: Vec<i64> = self.expected["extent"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        self.eq("extent", img.extent().to_vec(), want_extent);
        self.floats("origin", &img.origin(), &self.expected["origin"]);
        self.floats("spacing", &img.spacing(), &self.expected["spacing"]);
        let d = img.direction();
        let row_major: Vec<f64> = (0..3)
            .flat_map(|r| (0..3).map(move |c| d[(r, c)]))
            .collect();
        self.floats(
            "direction (row-major)",
            &row_major,
            &self.expected["direction"],
        );
        self.arrays("point", img.point_data(), &self.expected["point_data"]);
        self.arrays("cell", img.cell_data(), &self.expected["cell_data"]);
    }
}

/// Checks one manifest entry; returns its mismatches (empty when it conforms).
fn check_fixture(entry: &Value) -> Vec<String> {
    let dir = fixtures_dir();
    let rel = entry["path"].as_str().unwrap_or("<no path>");
    let mut c = Checker {
        errors: Vec::new(),
        expected: entry,
    };
    // A fixture edited by hand would make every other comparison meaningless.
    let mut files = vec![(rel, &entry["file_sha256"])];
    if let Some(comp) = entry["companions"].as_array() {
        files.extend(
            comp.iter()
                .map(|f| (f["path"].as_str().unwrap_or("<no path>"), &f["file_sha256"])),
        );
    }
    for (f, want) in files {
        match std::fs::read(dir.join(f)) {
            Ok(bytes) => c.str_field(
                &format!("file {f} sha256 (regenerate: cargo xtask fixtures)"),
                &hex_sha256(&bytes),
                want,
            ),
            Err(e) => c.errors.push(format!("file {f}: {e}")),
        }
    }
    let opts = ReadOptions {
        frame: ImageFrame::Lps,
        ..ReadOptions::default()
    };
    let ds = match vtk_formats::read(&dir.join(rel), &opts) {
        Ok(ds) => ds,
        Err(e) => {
            c.errors.push(format!("read failed: {e}"));
            return c.errors;
        }
    };
    let (kind, n_points, n_cells) = match &ds {
        DataSet::PolyData(pd) => ("PolyData", pd.num_points(), pd.num_cells()),
        DataSet::ImageData(img) => ("ImageData", img.num_points(), img.num_cells()),
        DataSet::UnstructuredGrid(ug) => ("UnstructuredGrid", ug.num_points(), ug.num_cells()),
    };
    c.str_field("kind", kind, &entry["kind"]);
    if !c.errors.is_empty() {
        return c.errors;
    }
    c.count("points", n_points, &entry["num_points"]);
    c.count("cells", n_cells, &entry["num_cells"]);
    match &ds {
        DataSet::PolyData(pd) => c.poly_data(pd),
        DataSet::ImageData(img) => c.image(img),
        DataSet::UnstructuredGrid(ug) => c.unstructured(ug),
    }
    c.errors
}

/// Checks every fixture whose manifest entry satisfies `select`; panics listing all failures.
fn check_all(family: &str, select: impl Fn(&Value) -> bool) {
    let m = manifest();
    let chosen: Vec<&Value> = entries(&m).iter().filter(|e| select(e)).collect();
    assert!(!chosen.is_empty(), "no {family} fixtures in the manifest");
    let mut report = String::new();
    let mut failed = 0;
    for e in &chosen {
        let errors = check_fixture(e);
        if !errors.is_empty() {
            failed += 1;
            if failed > 30 {
                continue;
            }
            let _ = writeln!(report, "  {}:", e["path"].as_str().unwrap_or("?"));
            for err in errors.iter().take(8) {
                let _ = writeln!(report, "      {err}");
            }
            if errors.len() > 8 {
                let _ = writeln!(report, "      ... and {} more", errors.len() - 8);
            }
        }
    }
    if failed > 30 {
        let _ = writeln!(report, "  ... and {} more files", failed - 30);
    }
    assert!(
        failed == 0,
        "{failed} of {} {family} fixtures do not match fixtures/manifest.json:\n{report}",
        chosen.len()
    );
}

fn format_is(e: &Value, format: &str) -> bool {
    e["encoding"]["format"].as_str() == Some(format)
}

fn kind_is(e: &Value, kind: &str) -> bool {
    e["kind"].as_str() == Some(kind)
}

#[test]
fn vtp_fixtures_match_python_vtk() {
    check_all(".vtp", |e| {
        format_is(e, "vtk-xml") && kind_is(e, "PolyData")
    });
}

#[test]
fn vtu_fixtures_match_python_vtk() {
    check_all(".vtu", |e| {
        format_is(e, "vtk-xml") && kind_is(e, "UnstructuredGrid")
    });
}

#[test]
fn vti_fixtures_match_python_vtk() {
    check_all(".vti", |e| {
        format_is(e, "vtk-xml") && kind_is(e, "ImageData")
    });
}

#[test]
fn legacy_fixtures_match_python_vtk() {
    check_all("legacy .vtk", |e| format_is(e, "vtk-legacy"));
}

#[test]
fn metaimage_fixtures_match_simpleitk() {
    check_all("MetaImage", |e| format_is(e, "metaimage"));
}

#[test]
fn stl_fixtures_match_python_vtk() {
    check_all("STL", |e| format_is(e, "stl"));
}

/// The manifest and the directory agree: no unlisted file (a stale fixture nobody checks) and no
/// listed file missing.
#[test]
fn manifest_lists_exactly_the_fixture_files() {
    let m = manifest();
    let mut listed: Vec<String> = Vec::new();
    for e in entries(&m) {
        listed.extend(e["path"].as_str().map(str::to_string));
        if let Some(c) = e["companions"].as_array() {
            listed.extend(
                c.iter()
                    .filter_map(|f| f["path"].as_str().map(str::to_string)),
            );
        }
    }
    listed.sort();
    let root = fixtures_dir();
    let mut on_disk = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = entry.expect("directory entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&root)
                    .expect("below root")
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel != "README.md" && rel != "manifest.json" {
                    on_disk.push(rel);
                }
            }
        }
    }
    on_disk.sort();
    let unlisted: Vec<&String> = on_disk
        .iter()
        .filter(|f| listed.binary_search(f).is_err())
        .collect();
    let missing: Vec<&String> = listed
        .iter()
        .filter(|f| on_disk.binary_search(f).is_err())
        .collect();
    assert!(
        unlisted.is_empty() && missing.is_empty(),
        "not in manifest: {unlisted:?}; missing on disk: {missing:?}"
    );
}
