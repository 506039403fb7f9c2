//! The cases of bench-compare: which inputs, which command lines on each side, which targets apply.

use std::path::{Path, PathBuf};

use super::{file_name, Options};

/// Input groups `--cases` accepts.
pub const GROUPS: [&str; 7] = [
    "surface",
    "surface-raw",
    "centerlines",
    "image-mha",
    "image-vti",
    "mesh",
    "scaling",
];

/// One row of the table.
pub struct Case {
    /// Shown in the table.
    pub name: String,
    /// Our command line.
    pub ours: Vec<String>,
    /// The reference's command line.
    pub reference: Vec<String>,
    /// The same job for the criterion bench `pipeline`.
    pub bench: Option<BenchCase>,
    /// Input and output of an uncompressed path, whose `cp` times bound ours (target 3).
    pub cp: Option<CpPair>,
    /// Bytes of the arrays moved (the reference's pickle), for the RSS target.
    pub array_bytes_of: PathBuf,
    /// A compressed output (HDF5 gzip, zlib VTK XML): the steady target is 2x, not 1.5x.
    pub compressed_output: bool,
    /// Triangles of a `scaling` case.
    pub triangles: Option<u64>,
    /// The files our run and the reference's run write. Each is removed before its side runs,
    /// like `cp`'s destination: replacing an existing file costs extra on ext4 (its
    /// `auto_da_alloc` starts writeback of the new file on a rename or truncate over an old one),
    /// and every side should pay for the same work.
    pub outputs: [PathBuf; 2],
}

/// A `pipeline` bench entry: `INPUT:MODE`, INPUT relative to the bench-compare directory.
pub struct BenchCase {
    /// Input path relative to `target/bench-compare`.
    pub input: String,
    /// `hdf5-gzip`, `hdf5-none`, `pickle`, `vtp`, `vtp-none`, ...
    pub mode: String,
}

/// The files an uncompressed case reads and writes.
pub struct CpPair {
    /// The case's input file.
    pub input: PathBuf,
    /// Our output file.
    pub output: PathBuf,
}

/// Where the inputs and outputs live and how large they are.
pub struct Layout {
    dir: PathBuf,
    /// Generated inputs.
    pub inputs: PathBuf,
    /// Outputs of both sides.
    pub out: PathBuf,
    tri: u64,
    cl: u64,
    side: u64,
    hex: u64,
    scaling: &'static [u64],
}

impl Layout {
    /// Sizes of `--python`'s inputs: surface triangles, image side, mesh hexahedra.
    pub fn python_sizes(&self) -> (u64, u64, u64) {
        (self.tri, self.side, self.hex)
    }

    /// Sizes for `--sizes small|full`.
    pub fn new(dir: &Path, full: bool) -> Layout {
        let (tri, cl, side, hex) = if full {
            (1_000_000, 1_000_000, 256, 1_000_000)
        } else {
            (20_000, 20_000, 48, 8_000)
        };
        Layout {
            dir: dir.to_path_buf(),
            inputs: dir.join(if full { "inputs-full" } else { "inputs-small" }),
            out: dir.join("out"),
            tri,
            cl,
            side,
            hex,
            scaling: if full {
                &[10_000, 100_000, 1_000_000, 10_000_000]
            } else {
                &[10_000, 20_000, 40_000, 80_000]
            },
        }
    }

    /// Arguments of `bench_inputs.py`.
    pub fn input_specs(&self, o: &Options) -> Vec<String> {
        let mut specs = vec![
            format!("surface={}", self.tri),
            format!("centerlines={}", self.cl),
            format!("image={}", self.side),
            format!("mesh={}", self.hex),
        ];
        if o.wants("scaling") {
            specs.extend(self.scaling.iter().map(|n| format!("surface={n}")));
        }
        specs
    }

    fn bench(&self, input: &Path, mode: &str) -> Option<BenchCase> {
        let rel = input.strip_prefix(&self.dir).unwrap_or(input);
        Some(BenchCase {
            input: rel.to_str()?.to_owned(),
            mode: mode.to_owned(),
        })
    }

    /// Every case `o` selects: forward conversions, then scaling, then the reverse ones (which
    /// read the reference's forward outputs).
    pub fn cases(&self, o: &Options, python: &Path, reference: &Path, binary: &Path) -> Vec<Case> {
        let programs = Programs {
            py: python.display().to_string(),
            refs: reference.display().to_string(),
            bin: binary.display().to_string(),
        };
        let mut cases = Vec::new();
        let mut back = Vec::new();
        for (group, path, kind, ext) in &self.inputs_by_group() {
            if o.wants(group) {
                cases.extend(self.forward_cases(&programs, group, path));
                back.extend(self.reverse_cases(&programs, group, kind, ext));
            }
        }
        if o.wants("scaling") {
            cases.extend(self.scaling_cases(&programs));
        }
        cases.extend(back);
        cases
    }

    /// `(group, input, kind, VTK extension)` of every input group but `scaling`.
    fn inputs_by_group(&self) -> [(&'static str, PathBuf, &'static str, &'static str); 6] {
        let inp = |f: String| self.inputs.join(f);
        let (tri, cl, side, hex) = (self.tri, self.cl, self.side, self.hex);
        [
            (
                "surface",
                inp(format!("surface_{tri}_zlib.vtp")),
                "surface",
                "vtp",
            ),
            (
                "surface-raw",
                inp(format!("surface_{tri}_raw.vtp")),
                "surface",
                "vtp",
            ),
            (
                "centerlines",
                inp(format!("centerlines_{cl}.vtp")),
                "centerlines",
                "vtp",
            ),
            (
                "image-mha",
                inp(format!("image_{side}.mha")),
                "image",
                "vti",
            ),
            (
                "image-vti",
                inp(format!("image_{side}.vti")),
                "image",
                "vti",
            ),
            ("mesh", inp(format!("mesh_{hex}.vtu")), "mesh", "vtu"),
        ]
    }

    /// `out/<group>.<side>.<fmt>`: an output of one side (`ours`, `ref`, `ours-back`, ...).
    fn stem(&self, group: &str, side: &str, fmt: &str) -> PathBuf {
        self.out.join(format!("{group}.{side}.{fmt}"))
    }

    /// `to-numpy` of `path` to HDF5 (gzip 4 and uncompressed) and pickle, on both sides.
    fn forward_cases(&self, programs: &Programs, group: &str, path: &Path) -> Vec<Case> {
        let Programs { py, refs, bin } = programs;
        let p = path.display().to_string();
        let pickle_ref = self.stem(group, "ref", "pickle");
        let mut cases = Vec::new();
        for (fmt, ours_args, ext_out) in [
            (
                "hdf5-gzip",
                &["--compression", "gzip", "--level", "4"][..],
                "hdf5",
            ),
            ("hdf5-none", &["--compression", "none"][..], "hdf5"),
            ("pickle", &[][..], "pickle"),
        ] {
            let ours_out = self.stem(group, "ours", &format!("{fmt}.{ext_out}"));
            let ref_out = if fmt == "pickle" {
                self.stem(group, "ref", "pickle")
            } else {
                self.stem(group, "ref", &format!("{fmt}.{ext_out}"))
            };
            let mut ours = vec![bin.clone(), "to-numpy".into(), p.clone(), "-o".into()];
            ours.push(ours_out.display().to_string());
            ours.extend(ours_args.iter().map(|s| (*s).to_owned()));
            cases.push(Case {
                name: format!("{} -> {fmt}", file_name(path)),
                ours,
                reference: vec![
                    py.clone(),
                    refs.clone(),
                    "to-numpy".into(),
                    p.clone(),
                    ref_out.display().to_string(),
                    fmt.into(),
                ],
                bench: self.bench(path, fmt),
                // Only raw input -> raw output is a pure byte-moving path that `cp` bounds.
                cp: (group == "surface-raw" && fmt != "hdf5-gzip").then(|| CpPair {
                    input: path.to_path_buf(),
                    output: ours_out.clone(),
                }),
                array_bytes_of: pickle_ref.clone(),
                compressed_output: fmt == "hdf5-gzip",
                triangles: None,
                outputs: [ours_out.clone(), ref_out.clone()],
            });
        }
        cases
    }

    /// `from-numpy` of the reference's own outputs of `group`, so both sides read the same bytes:
    /// one zlib pair per kind, and the uncompressed HDF5 -> raw .vtp path of target 3.
    fn reverse_cases(&self, programs: &Programs, group: &str, kind: &str, ext: &str) -> Vec<Case> {
        let Programs { py, refs, bin } = programs;
        let pickle_ref = self.stem(group, "ref", "pickle");
        let reverse: &[(&str, bool)] = match group {
            "surface" | "centerlines" | "image-mha" | "mesh" => {
                &[("hdf5-gzip.hdf5", false), ("pickle", false)]
            }
            "surface-raw" => &[("hdf5-none.hdf5", true)],
            _ => &[],
        };
        let mut back = Vec::new();
        for &(src_fmt, uncompressed) in reverse {
            let src = self.stem(group, "ref", src_fmt);
            let src_name = file_name(&src);
            let tag = if uncompressed { "-none" } else { "" };
            let ours_out = self.stem(group, "ours-back", &format!("{src_name}{tag}.{ext}"));
            let ref_out = self.stem(group, "ref-back", &format!("{src_name}{tag}.{ext}"));
            let mut ours = vec![
                bin.clone(),
                "from-numpy".into(),
                src.display().to_string(),
                "-o".into(),
                ours_out.display().to_string(),
            ];
            let mut reference = vec![
                py.clone(),
                refs.clone(),
                "from-numpy".into(),
                src.display().to_string(),
                ref_out.display().to_string(),
                kind.into(),
            ];
            if uncompressed {
                ours.extend(["--xml-compression".into(), "none".into()]);
                reference.push("--uncompressed".into());
            }
            back.push(Case {
                name: format!(
                    "{src_name} -> .{ext}{}",
                    if uncompressed { " (raw)" } else { "" }
                ),
                ours,
                reference,
                bench: self.bench(&src, &format!("{ext}{tag}")),
                cp: uncompressed.then(|| CpPair {
                    input: src.clone(),
                    output: ours_out.clone(),
                }),
                array_bytes_of: pickle_ref.clone(),
                compressed_output: !uncompressed,
                triangles: None,
                outputs: [ours_out.clone(), ref_out.clone()],
            });
        }
        back
    }

    /// Surfaces of growing size to HDF5 gzip 4: how time grows with the input.
    fn scaling_cases(&self, programs: &Programs) -> Vec<Case> {
        let Programs { py, refs, bin } = programs;
        let mut cases = Vec::new();
        for &n in self.scaling {
            let input = self.inputs.join(format!("surface_{n}_zlib.vtp"));
            let p = input.display().to_string();
            let out_path = |side: &str| self.out.join(format!("scaling_{n}.{side}.hdf5"));
            let out = |side: &str| out_path(side).display().to_string();
            cases.push(Case {
                name: format!("scaling: surface_{n}_zlib.vtp -> hdf5-gzip"),
                ours: vec![
                    bin.clone(),
                    "to-numpy".into(),
                    p.clone(),
                    "-o".into(),
                    out("ours"),
                ],
                reference: vec![
                    py.clone(),
                    refs.clone(),
                    "to-numpy".into(),
                    p,
                    out("ref"),
                    "hdf5-gzip".into(),
                ],
                bench: self.bench(&input, "hdf5-gzip"),
                cp: None,
                array_bytes_of: PathBuf::new(),
                compressed_output: true,
                triangles: Some(n),
                outputs: [out_path("ours"), out_path("ref")],
            });
        }
        cases
    }
}

/// The programs on each side of a case: our binary, and the reference script with its Python.
struct Programs {
    py: String,
    refs: String,
    bin: String,
}
