#!/usr/bin/env python3
"""Generates the hostile-input corpus in tests/hostile/cases/ (standard library only).

Usage: make_hostile.py ARRAYDICT_BINARY
The binary converts one fixture to pickle / MessagePack / HDF5 as the valid bases that get broken.
Cases are committed; rerun only to add cases. The expected error substring of each case lives in
tests/hostile/manifest.tsv (hand-reviewed), which crates/cli/tests/hostile.rs checks.
"""
import os, re, struct, subprocess, sys, tempfile, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
FIX = os.path.join(ROOT, "fixtures")
OUT = os.path.join(HERE, "cases")


def fixture(rel):
    with open(os.path.join(FIX, rel), "rb") as f:
        return f.read()


def put(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def flip(data, at, mask=0xFF):
    b = bytearray(data)
    b[at] ^= mask
    return bytes(b)


def vtk_xml():
    raw = fixture("surface/surface.appended-raw.zlib.h64.id64.vtp")
    # Truncations at every section boundary of the XML structure and inside the appended block.
    marks = [b"<VTKFile", b"<PolyData", b"<Piece", b"<PointData", b"<CellData", b"<Points",
             b"<Polys", b"<AppendedData", b"_"]
    app = raw.index(b"<AppendedData")
    for m in marks:
        if m == b"<Piece":
            continue  # <PolyData></PolyData> without pieces is a valid empty dataset
        at = raw.index(m, app) if m == b"_" else raw.index(m)
        cut = at + 1 if m == b"_" else at
        put(f"xml-trunc-at-{m.decode().strip('<') or 'underscore'}.vtp", raw[:cut])
    data0 = raw.index(b"_", app) + 1
    put("xml-trunc-mid-appended.vtp", raw[: data0 + (len(raw) - data0) // 2])
    put("xml-trunc-in-first-header.vtp", raw[: data0 + 5])
    # Bit flips inside the first compressed block (its zlib stream starts after the 4-word header).
    put("xml-bitflip-zlib.vtp", flip(raw, data0 + 32 + 2, 0x55))
    put("xml-wrong-magic.vtp", raw.replace(b"<VTKFile", b"<VTKFool", 1))
    put("xml-empty.vtp", b"")
    put("xml-not-xml.vtp", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    put("xml-negative-count.vtp", raw.replace(b'NumberOfPoints="162"', b'NumberOfPoints="-162"', 1))
    put("xml-offset-past-end.vtp", raw.replace(b'offset="441"', b'offset="9999999999"', 1))
    # A compressed header claiming 2^40-byte blocks: a decompression-bomb declaration.
    hdr = bytearray(raw)
    struct.pack_into("<Q", hdr, data0 + 8, 1 << 40)
    struct.pack_into("<Q", hdr, data0 + 16, 1 << 40)
    put("xml-bomb-header.vtp", bytes(hdr))
    # Real zlib bomb: 64 MiB of zeros in one block declared as 64 MiB, for an 162-value array.
    bomb = zlib.compress(b"\0" * (64 << 20), 9)
    head = (b'<?xml version="1.0"?>\n<VTKFile type="PolyData" version="1.0" byte_order="LittleEndian" '
            b'header_type="UInt64" compressor="vtkZLibDataCompressor"><PolyData><Piece NumberOfPoints="162">'
            b'<Points><DataArray type="Float32" NumberOfComponents="3" format="appended" offset="0"/></Points>'
            b'</Piece></PolyData><AppendedData encoding="raw">_')
    put("xml-zlib-bomb.vtp", head + struct.pack("<QQQQ", 1, 64 << 20, 64 << 20, len(bomb)) + bomb
        + b"</AppendedData></VTKFile>")
    asc = fixture("surface/surface.ascii.id64.vtp") if os.path.exists(os.path.join(FIX, "surface/surface.ascii.id64.vtp")) else None
    if asc:
        i = asc.index(b">", asc.index(b'Name="connectivity" format="ascii"', asc.index(b"<Polys"))) + 1
        j = i + len(asc[i:]) - len(asc[i:].lstrip())
        put("xml-ascii-nan-connectivity.vtp", asc[:j] + b"nan " + asc[j:].split(b" ", 1)[1])
    dup = raw.replace(b'Name="Labels"', b'Name="Scalars_"', 1)
    put("xml-duplicate-array-names.vtp", dup)
    put("xml-non-utf8-name.vtp", raw.replace(b'Name="Labels"', b'Name="\xff\xfeLab"', 1))
    put("xml-unknown-type.vtp", raw.replace(b'type="Int32"', b'type="Int33"', 1))
    img = fixture("image/image-2d.ascii.vti")
    put("vti-nan-spacing.vti", img.replace(b'Spacing="', b'Spacing="nan ', 1) if b'Spacing="' in img else img)
    put("vti-inverted-extent.vti", re.sub(rb'Extent="0 (\d+)', rb'Extent="\1 0', img))


def legacy():
    raw = fixture("surface/surface.legacy42.binary.vtk")
    for kw in [b"DATASET", b"POINTS", b"POLYGONS", b"POINT_DATA", b"CELL_DATA"]:
        at = raw.index(b"\n" + kw) + 1
        if kw == b"DATASET":  # cut before any later section the rest is a valid, shorter file
            put(f"legacy-trunc-at-{kw.decode()}.vtk", raw[:at])
        put(f"legacy-trunc-in-{kw.decode()}.vtk", raw[: at + 40])
    put("legacy-wrong-magic.vtk", raw.replace(b"# vtk DataFile", b"# vtk DateFile", 1))
    put("legacy-empty.vtk", b"")
    asc = fixture("surface/surface.legacy42.ascii.vtk")
    put("legacy-negative-count.vtk", asc.replace(b"POINTS 162", b"POINTS -162", 1))
    put("legacy-huge-count.vtk", asc.replace(b"POINTS 162", b"POINTS 99999999999999", 1))
    put("legacy-nan-connectivity.vtk", asc.replace(b"POLYGONS 320 1280\n3 ", b"POLYGONS 320 1280\nnan ", 1))
    put("legacy-cell-past-end.vtk", asc.replace(b"POLYGONS 320 1280\n3 ", b"POLYGONS 320 1280\n3 99999 ", 1))
    put("legacy-id-out-of-range.vtk", re.sub(rb"POLYGONS 320 1280\n3 \d+", b"POLYGONS 320 1280\n3 99999", asc, count=1))
    put("legacy-inf-spacing.vtk", re.sub(rb"SPACING [^\n]*", b"SPACING inf 1 1", fixture("image/image-int16.legacy42.ascii.vtk"), count=1))


def metaimage():
    raw = fixture("metaimage/int16.vtk-zlib.mha") if os.path.exists(os.path.join(FIX, "metaimage/int16.vtk-zlib.mha")) else None
    names = sorted(os.listdir(os.path.join(FIX, "metaimage")))
    if raw is None:
        raw = fixture("metaimage/" + next(n for n in names if n.endswith("zlib.mha")))
    plain = fixture("metaimage/" + next(n for n in names if n.endswith("raw.mha")))
    hdr_end = plain.index(b"ElementDataFile")
    hdr_end = plain.index(b"\n", hdr_end) + 1
    put("mha-trunc-header.mha", plain[: hdr_end // 2])
    put("mha-trunc-at-data.mha", plain[:hdr_end])
    put("mha-trunc-mid-data.mha", plain[: hdr_end + (len(plain) - hdr_end) // 2])
    zend = raw.index(b"\n", raw.index(b"ElementDataFile")) + 1
    put("mha-bitflip-zlib.mha", flip(raw, zend + 3, 0x55))
    put("mha-trunc-zlib.mha", raw[: zend + (len(raw) - zend) // 2])
    put("mha-wrong-object-type.mha", plain.replace(b"ObjectType = Image", b"ObjectType = Mesh", 1))
    put("mha-binary-garbage.mha", b"\x00\x01\x02\x03" * 64)
    put("mha-empty.mha", b"")
    lines = plain[:hdr_end].split(b"\n")
    def with_header(key, value, base=plain):
        out = []
        for l in base[:hdr_end].split(b"\n"):
            if l.split(b"=")[0].strip() == key:
                l = key + b" = " + value
            out.append(l)
        return b"\n".join(out) + base[hdr_end:]
    put("mha-negative-dimsize.mha", with_header(b"DimSize", b"-4 5 6"))
    put("mha-huge-dimsize.mha", with_header(b"DimSize", b"100000 100000 100000"))
    put("mha-bad-element-type.mha", with_header(b"ElementType", b"MET_QUATERNION"))
    put("mha-nan-spacing.mha", with_header(b"ElementSpacing", b"nan 1 1"))
    put("mha-datafile-missing.mha", with_header(b"ElementDataFile", b"missing-companion.raw"))
    # Data files outside the header's directory are refused (unless --allow-external-data-file).
    put("mha-datafile-absolute.mha", with_header(b"ElementDataFile", b"/etc/passwd"))
    put("mha-datafile-parent.mha", with_header(b"ElementDataFile", b"../secret.raw"))
    # zlib bomb: 1 byte of image declared, payload inflating to 64 MiB.
    bomb = zlib.compress(b"\0" * (64 << 20), 9)
    put("mha-zlib-bomb.mha", b"ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\nElementType = MET_UCHAR\n"
        b"BinaryData = True\nCompressedData = True\nCompressedDataSize = %d\nElementDataFile = LOCAL\n" % len(bomb) + bomb)


def stl():
    b = fixture("stl/surface.binary.stl")
    put("stl-trunc-header.stl", b[:40])
    put("stl-trunc-at-triangles.stl", b[:84])
    put("stl-trunc-mid-triangle.stl", b[: 84 + 50 * 3 + 17])
    put("stl-huge-count.stl", b[:80] + struct.pack("<I", 0xFFFFFFFF) + b[84:])
    a = fixture("stl/surface.ascii.stl")
    put("stl-ascii-trunc.stl", a[: len(a) // 2])
    put("stl-ascii-nan.stl", a.replace(b"vertex ", b"vertex nan ", 1))
    put("stl-empty.stl", b"")


def pickle_cases(base_pickle):
    p = base_pickle
    put("pickle-trunc-half.pickle", p[: len(p) // 2])
    put("pickle-trunc-header.pickle", p[:2])
    put("pickle-no-stop.pickle", p[:-1])
    put("pickle-empty.pickle", b"")
    put("pickle-wrong-magic.pickle", b"\x80\x09" + p[2:])
    # Malicious: os.system("true") via GLOBAL + REDUCE.
    put("pickle-os-system.pickle", b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.")
    put("pickle-builtins-eval.pickle", b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94\x8c\x011\x94\x85\x94R\x94.")
    # Deep nesting: 100000 EMPTY_LIST + APPEND chains / MARKs.
    put("pickle-deep-marks.pickle", b"\x80\x02" + b"(" * 100000 + b"t" * 100000 + b".")
    put("pickle-deep-lists.pickle", b"\x80\x02}X\x01\x00\x00\x00a" + b"]" * 100000 + b"a" * 99999 + b"s.")
    # A list that contains itself (memo cycle), inside the top-level dict.
    put("pickle-cycle.pickle", b"\x80\x02}q\x00X\x01\x00\x00\x00a]q\x01h\x01as.")
    # Huge declared lengths.
    put("pickle-huge-binbytes.pickle", b"\x80\x04}\x8c\x01a\x8e" + struct.pack("<Q", 1 << 62) + b"xx" + b"s.")
    put("pickle-huge-frame.pickle", b"\x80\x04\x95" + struct.pack("<Q", 1 << 62) + b"}.")
    put("pickle-memo-get-missing.pickle", b"\x80\x02}h\x07.")
    # Duplicate keys: {'a': [], 'a': []}.
    put("pickle-duplicate-keys.pickle", b"\x80\x02}(X\x01\x00\x00\x00a]X\x01\x00\x00\x00a]u.")
    # Non-UTF-8 key via BINUNICODE.
    put("pickle-non-utf8-key.pickle", b"\x80\x02}X\x02\x00\x00\x00\xff\xfe]s.")
    put("pickle-not-a-dict.pickle", b"\x80\x02K\x05.")


def msgpack_cases(base):
    put("msgpack-trunc-half.msgpack", base[: len(base) // 2])
    put("msgpack-empty.msgpack", b"")
    put("msgpack-top-level-array.msgpack", b"\x92\x01\x02")
    put("msgpack-duplicate-keys.msgpack", b"\x82\xa1a\x80\xa1a\x80")
    put("msgpack-non-utf8-key.msgpack", b"\x81\xa2\xff\xfe\x80")
    put("msgpack-empty-key.msgpack", b"\x81\xa0\x80")
    put("msgpack-huge-map.msgpack", b"\xdf\xff\xff\xff\xff")
    put("msgpack-huge-bin.msgpack", b"\x81\xa1a\xc6\xff\xff\xff\xff")
    put("msgpack-deep.msgpack", b"\x81\xa1a" * 100000 + b"\x80")
    put("msgpack-trailing-garbage.msgpack", base + b"\xc1")
    assert base.count(b"\xa6Labels") == 1
    put("msgpack-duplicate-array-name.msgpack", base.replace(b"\xa6Labels", b"\xa6Tensor"))
    put("msgpack-non-utf8-array-name.msgpack", base.replace(b"\xa6Labels", b"\xa6Lab\xff\xfes"))


def hdf5_cases(base):
    put("hdf5-trunc-superblock.hdf5", base[:20])
    put("hdf5-trunc-half.hdf5", base[: len(base) // 2])
    put("hdf5-empty.hdf5", b"")
    put("hdf5-wrong-magic.hdf5", b"\x89HDF\r\n\x1b\n" + base[8:])
    put("hdf5-garbage.hdf5", b"\x89HDF\r\n\x1a\n" + bytes(range(256)) * 8)


def main():
    binary = sys.argv[1]
    os.makedirs(OUT, exist_ok=True)
    vtk_xml(); legacy(); metaimage(); stl()
    src = os.path.join(FIX, "surface/surface.appended-raw.zlib.h64.id64.vtp")
    with tempfile.TemporaryDirectory() as d:
        bases = {}
        for ext in ["pickle", "msgpack", "hdf5"]:
            out = os.path.join(d, "base." + ext)
            subprocess.run([binary, "to-numpy", src, "-o", out], check=True)
            with open(out, "rb") as f:
                bases[ext] = f.read()
    pickle_cases(bases["pickle"]); msgpack_cases(bases["msgpack"]); hdf5_cases(bases["hdf5"])


if __name__ == "__main__":
    main()
