"""Regenerates the fixtures: every source dataset in every encoding VTK / SimpleITK write, plus a
manifest of what Python VTK (SimpleITK for MetaImage) reads back from each file.

Usage: make_fixtures.py OUTDIR   (run by `cargo xtask fixtures`; OUTDIR is wiped first)
Deterministic: the same package versions give byte-identical files and manifest.
"""
import hashlib
import json
import os
import shutil
import sys

import numpy as np
import SimpleITK as sitk
import vtkmodules
from vtkmodules.vtkCommonCore import vtkObject
from vtkmodules.vtkFiltersParallel import vtkExtractPolyDataPiece
from vtkmodules.vtkIOGeometry import vtkSTLReader, vtkSTLWriter
from vtkmodules.vtkIOImage import vtkMetaImageWriter
from vtkmodules.vtkIOLegacy import (
    vtkDataSetReader,
    vtkPolyDataWriter,
    vtkStructuredPointsWriter,
    vtkUnstructuredGridWriter,
)
from vtkmodules.vtkIOXML import (
    vtkXMLImageDataReader,
    vtkXMLImageDataWriter,
    vtkXMLPolyDataReader,
    vtkXMLPolyDataWriter,
    vtkXMLUnstructuredGridReader,
    vtkXMLUnstructuredGridWriter,
)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datasets  # noqa: E402
from manifest import describe_sitk, describe_vtk, sha256  # noqa: E402

MODES = ["binary", "appended-base64", "appended-raw"]
COMPRESSORS = ["none", "zlib", "lz4", "lzma"]
XML = {
    "PolyData": (vtkXMLPolyDataWriter, vtkXMLPolyDataReader, "vtp"),
    "UnstructuredGrid": (vtkXMLUnstructuredGridWriter, vtkXMLUnstructuredGridReader, "vtu"),
    "ImageData": (vtkXMLImageDataWriter, vtkXMLImageDataReader, "vti"),
}
LEGACY = {"PolyData": vtkPolyDataWriter, "UnstructuredGrid": vtkUnstructuredGridWriter, "ImageData": vtkStructuredPointsWriter}


class Fixtures:
    def __init__(self, out):
        self.out = out
        self.entries = []

    def path(self, rel):
        p = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def add(self, rel, reader, encoding, content, companions=()):
        entry = {"path": rel, "reader": reader, "encoding": encoding}
        entry["file_sha256"] = file_sha256(self.path(rel))
        if companions:
            entry["companions"] = [{"path": c, "file_sha256": file_sha256(self.path(c))} for c in companions]
        entry.update(content)
        self.entries.append(entry)

    # --- VTK XML -------------------------------------------------------------------------------
    def xml(self, ds, rel_base, mode, compressor="none", header=64, ids=64, block_size=None, pieces=None):
        kind = kind_of(ds)
        writer_cls, reader_cls, ext = XML[kind]
        rel = f"{rel_base}.{ext}"
        w = writer_cls()
        if pieces:
            extract = vtkExtractPolyDataPiece()
            extract.SetInputData(ds)
            w.SetInputConnection(extract.GetOutputPort())
            w.SetNumberOfPieces(pieces)
        else:
            w.SetInputData(ds)
        w.SetFileName(self.path(rel))
        if mode == "ascii":
            w.SetDataModeToAscii()
        elif mode == "binary":
            w.SetDataModeToBinary()
        else:
            w.SetDataModeToAppended()
            w.SetEncodeAppendedData(mode == "appended-base64")
        {"none": w.SetCompressorTypeToNone, "zlib": w.SetCompressorTypeToZLib, "lz4": w.SetCompressorTypeToLZ4, "lzma": w.SetCompressorTypeToLZMA}[compressor]()
        (w.SetHeaderTypeToUInt32 if header == 32 else w.SetHeaderTypeToUInt64)()
        (w.SetIdTypeToInt32 if ids == 32 else w.SetIdTypeToInt64)()
        if block_size:
            w.SetBlockSize(block_size)
        check(w.Write() == 1, f"writing {rel}")
        encoding = {"format": "vtk-xml", "mode": mode, "compressor": compressor, "header_type": f"UInt{header}", "id_type": f"Int{ids}"}
        if block_size:
            encoding["block_size"] = block_size
        if pieces:
            encoding["pieces"] = pieces
        r = reader_cls()
        r.SetFileName(self.path(rel))
        r.Update()
        self.add(rel, vtk_reader(), encoding, describe_vtk(r.GetOutput()))

    def xml_matrix(self, ds, rel_base, full):
        """Every (mode, compressor, header, id type) when `full`, else each (mode, compressor) once with
        header and id types rotated so every header x id pair still appears."""
        for ids in (32, 64):
            self.xml(ds, f"{rel_base}.ascii.id{ids}", "ascii", header=ids, ids=ids)
        i = 0
        for mode in MODES:
            for comp in COMPRESSORS:
                pairs = [(h, d) for h in (32, 64) for d in (32, 64)] if full else [((32, 64)[i % 2], (32, 64)[(i // 2) % 2])]
                for h, d in pairs:
                    self.xml(ds, f"{rel_base}.{mode}.{comp}.h{h}.id{d}", mode, comp, h, d)
                i += 1

    # --- legacy --------------------------------------------------------------------------------
    def legacy(self, ds, rel_base):
        for version in (42, 51):
            for ftype in ("ascii", "binary"):
                rel = f"{rel_base}.legacy{version}.{ftype}.vtk"
                w = LEGACY[kind_of(ds)]()
                w.SetInputData(ds)
                w.SetFileName(self.path(rel))
                w.SetHeader("arraydict fixture")
                w.SetFileVersion(version)
                (w.SetFileTypeToASCII if ftype == "ascii" else w.SetFileTypeToBinary)()
                check(w.Write() == 1, f"writing {rel}")
                r = vtkDataSetReader()
                r.SetFileName(self.path(rel))
                r.ReadAllScalarsOn()
                r.ReadAllVectorsOn()
                r.ReadAllNormalsOn()
                r.ReadAllTensorsOn()
                r.ReadAllColorScalarsOn()
                r.ReadAllTCoordsOn()
                r.ReadAllFieldsOn()
                r.Update()
                enc = {"format": "vtk-legacy", "version": f"{version // 10}.{version % 10}", "file_type": ftype}
                self.add(rel, vtk_reader(), enc, describe_vtk(r.GetOutput()))

    # --- MetaImage -----------------------------------------------------------------------------
    def metaimage_vtk(self, img, rel_base):
        for ext, compressed in (("mha", False), ("mha", True), ("mhd", False), ("mhd", True)):
            tag = "zlib" if compressed else "raw"
            rel = f"{rel_base}.vtk-{tag}.{ext}"
            w = vtkMetaImageWriter()
            w.SetInputData(img)
            w.SetFileName(self.path(rel))
            companions = []
            if ext == "mhd":
                data_rel = f"{rel_base}.vtk-{tag}.{'zraw' if compressed else 'raw'}"
                w.SetRAWFileName(self.path(data_rel))
                companions.append(data_rel)
            w.SetCompression(compressed)
            w.Write()
            check(os.path.exists(self.path(rel)), f"writing {rel}")
            enc = {"format": "metaimage", "writer": "vtkMetaImageWriter", "compressed": compressed}
            self.add(rel, sitk_reader(), enc, describe_sitk(sitk.ReadImage(self.path(rel))), companions)

    def metaimage_sitk(self, img, rel_base):
        for ext, compressed in (("mha", False), ("mha", True), ("mhd", False), ("mhd", True)):
            tag = "zlib" if compressed else "raw"
            rel = f"{rel_base}.sitk-{tag}.{ext}"
            sitk.WriteImage(img, self.path(rel), useCompression=compressed)
            companions = []
            if ext == "mhd":
                companions.append(f"{rel_base}.sitk-{tag}.{'zraw' if compressed else 'raw'}")
                check(os.path.exists(self.path(companions[0])), f"data file of {rel}")
            enc = {"format": "metaimage", "writer": "SimpleITK", "compressed": compressed}
            self.add(rel, sitk_reader(), enc, describe_sitk(sitk.ReadImage(self.path(rel))), companions)

    # --- STL -----------------------------------------------------------------------------------
    def stl(self, pd, rel_base):
        for ftype in ("ascii", "binary"):
            rel = f"{rel_base}.{ftype}.stl"
            w = vtkSTLWriter()
            w.SetInputData(pd)
            w.SetFileName(self.path(rel))
            (w.SetFileTypeToASCII if ftype == "ascii" else w.SetFileTypeToBinary)()
            check(w.Write() == 1, f"writing {rel}")
            self.add(rel, vtk_reader(), {"format": "stl", "file_type": ftype}, read_stl(self.path(rel)))
        # Some tools write an ascii STL whose first line is a bare `solid` (no name).
        rel = f"{rel_base}.ascii-bare-solid.stl"
        with open(self.path(f"{rel_base}.ascii.stl"), "rb") as f:
            lines = f.read().split(b"\n")
        lines[0] = b"solid"
        with open(self.path(rel), "wb") as f:
            f.write(b"\n".join(lines))
        self.add(rel, vtk_reader(), {"format": "stl", "file_type": "ascii", "bare_solid": True}, read_stl(self.path(rel)))


def read_stl(path):
    r = vtkSTLReader()
    r.SetFileName(path)
    r.Update()
    return describe_vtk(r.GetOutput())


def kind_of(ds):
    name = ds.GetClassName()[3:]
    return "ImageData" if name == "StructuredPoints" else name


def vtk_reader():
    return f"vtk {vtkmodules.__version__}"


def sitk_reader():
    return f"SimpleITK {sitk.__version__}"


def file_sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check(ok, what):
    if not ok:
        raise SystemExit(f"make_fixtures: failed: {what}")


def to_sitk(img, name):
    """A SimpleITK image with the VTK image's values, geometry and direction (extent start folded into
    the origin, as MetaImage has no extent)."""
    from vtkmodules.util import numpy_support as ns

    ext = img.GetExtent()
    dims = [ext[1] - ext[0] + 1, ext[3] - ext[2] + 1, ext[5] - ext[4] + 1]
    arr = img.GetPointData().GetArray(name)
    comps = arr.GetNumberOfComponents()
    values = ns.vtk_to_numpy(arr).reshape(dims[2], dims[1], dims[0], *([comps] if comps > 1 else []))
    out = sitk.GetImageFromArray(values, isVector=comps > 1)
    origin = [0.0] * 3
    img.TransformIndexToPhysicalPoint(ext[0], ext[2], ext[4], origin)
    out.SetOrigin(origin)
    out.SetSpacing(img.GetSpacing())
    m = img.GetDirectionMatrix()
    out.SetDirection([m.GetElement(r, c) for r in range(3) for c in range(3)])
    return out


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    out = os.path.abspath(sys.argv[1])
    os.makedirs(out, exist_ok=True)
    # Everything here is generated except the hand-written README.md.
    for name in os.listdir(out):
        if name != "README.md":
            p = os.path.join(out, name)
            shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
    vtkObject.GlobalWarningDisplayOff()
    fx = Fixtures(out)

    surface = datasets.surface()
    fx.xml_matrix(surface, "surface/surface", full=True)
    for comp in ("zlib", "lz4", "lzma"):
        for mode in ("binary", "appended-raw"):
            fx.xml(surface, f"surface/surface.blocks256.{mode}.{comp}", mode, comp, 32, 64, block_size=256)
    fx.xml(surface, "surface/surface.pieces3.appended-raw.zlib", "appended-raw", "zlib", pieces=3)
    fx.xml(surface, "surface/surface.pieces3.ascii", "ascii", pieces=3)
    fx.legacy(surface, "surface/surface")
    fx.stl(surface, "stl/surface")

    fx.xml_matrix(centerlines := datasets.centerlines(), "centerlines/centerlines", full=False)
    fx.legacy(centerlines, "centerlines/centerlines")

    fx.xml_matrix(mixed := datasets.mixed_polys(), "mixed/mixed-polys", full=False)
    fx.legacy(mixed, "mixed/mixed-polys")
    fx.xml_matrix(kinds := datasets.all_cell_kinds(), "mixed/all-cell-kinds", full=False)
    fx.legacy(kinds, "mixed/all-cell-kinds")

    for name, img in (
        ("image-int16", datasets.image_int16()),
        ("image-float32", datasets.image_float32()),
        ("image-vector", datasets.image_vector()),
    ):
        fx.xml_matrix(img, f"image/{name}", full=False)
        fx.legacy(img, f"image/{name}")
    flat = datasets.image_2d()
    fx.xml(flat, "image/image-2d.ascii", "ascii")
    fx.xml(flat, "image/image-2d.appended-raw.zlib", "appended-raw", "zlib")
    fx.legacy(flat, "image/image-2d")

    fx.xml_matrix(mesh := datasets.mesh(), "mesh/mesh", full=True)
    fx.legacy(mesh, "mesh/mesh")
    fx.xml_matrix(poly := datasets.polyhedra(), "mesh/polyhedra", full=False)
    fx.legacy(poly, "mesh/polyhedra")

    # MetaImage written by VTK: identity direction (vtkMetaImageWriter has no direction), extent at 0.
    eye = np.eye(3)
    for name, img, array in (
        ("int16", datasets.image_int16(extent=(0, 6, 0, 5, 0, 4), direction=eye), "Density"),
        ("float32", datasets.image_float32(direction=eye), "Intensity"),
        ("vector", datasets.image_vector(extent=(0, 4, 0, 3, 0, 2)), "Velocity"),
    ):
        img.GetPointData().SetActiveScalars(array)
        only = datasets._image(img.GetExtent(), img.GetOrigin(), img.GetSpacing(), eye)
        only.GetPointData().SetScalars(img.GetPointData().GetArray(array))
        fx.metaimage_vtk(only, f"metaimage/{name}")
    # MetaImage written by SimpleITK: rotated / axis-flipping directions, as real scanners give.
    for name, img, array in (
        ("int16", datasets.image_int16(), "Density"),
        ("float32", datasets.image_float32(direction=np.diag([-1.0, -1.0, 1.0])), "Intensity"),
        ("vector", datasets.image_vector(direction=datasets._rotation()), "Velocity"),
    ):
        fx.metaimage_sitk(to_sitk(img, array), f"metaimage/{name}")

    fx.entries.sort(key=lambda e: e["path"])
    manifest = {
        "schema": 1,
        "generator": {
            "vtk": vtkmodules.__version__,
            "SimpleITK": sitk.__version__,
            "numpy": np.__version__,
        },
        "fixtures": fx.entries,
    }
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns_ in os.walk(out) for n in ns_)
    print(f"make_fixtures: {len(fx.entries)} fixtures, {total} bytes in {out}")


if __name__ == "__main__":
    main()
