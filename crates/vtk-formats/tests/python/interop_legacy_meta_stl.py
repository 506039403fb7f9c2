"""Reads the legacy .vtk, .stl and MetaImage files in a directory with VTK / SimpleITK and prints
what they contain as JSON, so the Rust interop test can compare it with what it wrote.

Usage: python interop_legacy_meta_stl.py DIR [AORTA_SURFACE_VTP]
With AORTA_SURFACE_VTP, also writes DIR/aorta.stl with vtkSTLWriter and reports the .vtp points and
what vtkSTLReader reads back from that STL.
"""
import json
import os
import sys

import numpy as np
import SimpleITK as sitk
import vtk
from vtk.util.numpy_support import vtk_to_numpy


def arr(a):
    v = vtk_to_numpy(a)
    return {
        "name": a.GetName(),
        "dtype": v.dtype.str,
        "components": a.GetNumberOfComponents(),
        # Exact little-endian bytes: JSON float text is not parsed with correct rounding everywhere.
        "hex": np.ascontiguousarray(v).astype(v.dtype.newbyteorder("<")).tobytes().hex(),
    }


def f64hex(values):
    return np.asarray(values, dtype="<f8").tobytes().hex()


def cells(ca):
    return vtk_to_numpy(ca.GetOffsetsArray()).tolist(), vtk_to_numpy(ca.GetConnectivityArray()).tolist()


def attributes(d):
    return [arr(d.GetArray(i)) for i in range(d.GetNumberOfArrays())]


def legacy(path):
    r = vtk.vtkGenericDataObjectReader()
    r.SetFileName(path)
    r.Update()
    o = r.GetOutput()
    out = {"class": o.GetClassName()}
    if o.IsA("vtkImageData"):
        out.update(dims=list(o.GetDimensions()), origin=f64hex(o.GetOrigin()), spacing=f64hex(o.GetSpacing()))
    else:
        out["points"] = arr(o.GetPoints().GetData())
    if o.IsA("vtkPolyData"):
        for k, ca in [("verts", o.GetVerts()), ("lines", o.GetLines()), ("polys", o.GetPolys()), ("strips", o.GetStrips())]:
            out[k] = cells(ca)
    if o.IsA("vtkUnstructuredGrid"):
        out["cells"] = cells(o.GetCells())
        out["types"] = [o.GetCellType(i) for i in range(o.GetNumberOfCells())]
        faces = []
        for i in range(o.GetNumberOfCells()):
            ids = vtk.vtkIdList()
            if o.GetCellType(i) == 42:
                o.GetFaceStream(i, ids)
            faces.append([ids.GetId(j) for j in range(ids.GetNumberOfIds())])
        out["face_streams"] = faces
    out["point_data"] = attributes(o.GetPointData())
    out["cell_data"] = attributes(o.GetCellData())
    return out


def stl(path):
    r = vtk.vtkSTLReader()
    r.SetFileName(path)
    r.Update()
    o = r.GetOutput()
    return {"points": arr(o.GetPoints().GetData()), "polys": cells(o.GetPolys())}


def meta(path):
    img = sitk.ReadImage(path)
    a = sitk.GetArrayFromImage(img)
    return {
        "size": list(img.GetSize()),
        "origin": f64hex(img.GetOrigin()),
        "spacing": f64hex(img.GetSpacing()),
        "direction": f64hex(img.GetDirection()),
        "components": img.GetNumberOfComponentsPerPixel(),
        "dtype": a.dtype.str,
        "hex": np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes().hex(),
    }


def main():
    d = sys.argv[1]
    out = {}
    if len(sys.argv) > 2:
        pr = vtk.vtkXMLPolyDataReader()
        pr.SetFileName(sys.argv[2])
        pr.Update()
        w = vtk.vtkSTLWriter()
        w.SetFileName(os.path.join(d, "aorta.stl"))
        w.SetFileTypeToBinary()
        w.SetInputData(pr.GetOutput())
        w.Write()
        out["aorta_vtp_points"] = arr(pr.GetOutput().GetPoints().GetData())
        out["aorta_vtp_polys"] = cells(pr.GetOutput().GetPolys())
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if name.endswith(".vtk"):
            out[name] = legacy(p)
        elif name.endswith(".stl"):
            out[name] = stl(p)
        elif name.endswith(".mha") or name.endswith(".mhd"):
            out[name] = meta(p)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
