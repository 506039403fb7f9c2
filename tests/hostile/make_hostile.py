#!/usr/bin/env python3
"""Generates the hostile-input corpus in tests/hostile/cases/ (standard library only).

Usage: make_hostile.py ARRAYDICT_BINARY
The binary converts one fixture to pickle / MessagePack / HDF5 as the valid bases that get broken.
Cases are committed; rerun only to add cases. The expected error substring of each case lives in
tests/hostile/manifest.tsv (hand-reviewed), which crates/cli/tests/hostile.rs checks.
"""
import lzma, os, re, struct, subprocess, sys, tempfile, zlib

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


def xz_bomb(size):
    """An .xz stream of `size` zero bytes (LZMA2 compresses them about 6900:1)."""
    c = lzma.LZMACompressor(format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32, preset=9)
    chunk = bytes(64 << 20)
    out = b"".join(c.compress(chunk[: min(len(chunk), size - i)]) for i in range(0, size, len(chunk)))
    return out + c.flush()


def lz4_bomb(size):
    """A raw LZ4 block of `size` zero bytes: one literal, then one match repeating it."""
    match = size - 1 - 5 - 4  # the last 5 bytes must be literals; a match is 4 + extension bytes long
    ext = match - 15
    return (bytes([0x1F, 0, 1, 0]) + b"\xff" * (ext // 255) + bytes([ext % 255])
            + bytes([0x50]) + bytes(5))


def appended_points(compressor, header, payload):
    """A .vtp of 162 points (1944 bytes of Float32) whose single compressed block is `payload`."""
    head = (b'<?xml version="1.0"?>\n<VTKFile type="PolyData" version="1.0" byte_order="LittleEndian" '
            b'header_type="UInt64" compressor="' + compressor + b'"><PolyData><Piece NumberOfPoints="162">'
            b'<Points><DataArray type="Float32" NumberOfComponents="3" format="appended" offset="0"/></Points>'
            b'</Piece></PolyData><AppendedData encoding="raw">_')
    return head + header + payload + b"</AppendedData></VTKFile>"


def lying(binary):
    """Issue 17 section 4: inputs whose declarations disagree with their content."""
    # Truncated documents whose arrays all decode: inline base64 and ascii cut after the last array,
    # appended data without its closing tags.
    inline = fixture("surface/surface.binary.zlib.h64.id32.vtp")
    put("xml-trunc-after-piece.vtp", inline[: inline.index(b"</PolyData>")])
    put("xml-trunc-before-VTKFile-end.vtp", inline[: inline.index(b"</VTKFile>")])
    mesh = fixture("mesh/mesh.ascii.id64.vtu")
    put("xml-trunc-after-cells.vtu", mesh[: mesh.index(b"</Piece>")])
    raw = fixture("surface/surface.appended-raw.zlib.h64.id64.vtp")
    put("xml-trunc-before-AppendedData-end.vtp", raw[: raw.rindex(b"</AppendedData>")])
    put("xml-trunc-no-VTKFile-end.vtp", raw[: raw.rindex(b"</VTKFile>")])
    # Cell type ids VTK does not define.
    put("vtu-cell-type-200.vtu", mesh.replace(b"12 13 14 10 5 9", b"12 13 14 10 200 9", 1))
    put("vtu-cell-type-17.vtu", mesh.replace(b"12 13 14 10 5 9", b"12 13 14 10 5 17", 1))
    leg = fixture("mesh/mesh.legacy42.ascii.vtk")
    at = leg.index(b"CELL_TYPES")
    put("legacy-cell-type-138.vtk", leg[:at] + leg[at:].replace(b"\n5\n", b"\n138\n", 1))
    put("legacy-cell-type-255.vtk", leg[:at] + leg[at:].replace(b"\n5\n", b"\n255\n", 1))
    # NumberOfTuples / NumberOfComponents / NumberOfPoints that disagree with the data.
    put("xml-number-of-tuples.vtu", mesh.replace(b'Name="NodeId" format="ascii"',
                                                 b'Name="NodeId" NumberOfTuples="15" format="ascii"', 1))
    put("xml-number-of-components.vtu", mesh.replace(b'Name="Displacement" NumberOfComponents="3"',
                                                     b'Name="Displacement" NumberOfComponents="2"', 1))
    put("xml-number-of-points.vtu", mesh.replace(b'NumberOfPoints="16"', b'NumberOfPoints="15"', 1))
    put("xml-number-of-cells.vtu", mesh.replace(b'NumberOfCells="7"', b'NumberOfCells="6"', 1))
    # Compressed blocks that inflate past their declared (and correct) size of 1944 bytes.
    one_block = lambda payload: struct.pack("<QQQQ", 1, 1944, 1944, len(payload))
    bomb = xz_bomb((2 << 30) + (64 << 20))  # > 2 GiB: lzma-rs 0.3 grew a 4 GiB buffer for it
    put("xml-lzma-bomb.vtp", appended_points(b"vtkLZMADataCompressor", one_block(bomb), bomb))
    z = zlib.compress(bytes(64 << 20), 9)
    put("xml-zlib-overflow.vtp", appended_points(b"vtkZLibDataCompressor", one_block(z), z))
    l4 = lz4_bomb(1 << 20)
    put("xml-lz4-overflow.vtp", appended_points(b"vtkLZ4DataCompressor", one_block(l4), l4))
    # Siblings in the other readers: counts that disagree with the data.
    asc = fixture("surface/surface.legacy42.ascii.vtk")
    put("legacy-points-count-low.vtk", asc.replace(b"POINTS 162", b"POINTS 150", 1))
    put("legacy-polygons-count-low.vtk", asc.replace(b"POLYGONS 320 1280", b"POLYGONS 300 1280", 1))
    put("legacy-polygons-size-low.vtk", asc.replace(b"POLYGONS 320 1280", b"POLYGONS 320 1200", 1))
    put("legacy-point-data-count.vtk", asc.replace(b"POINT_DATA 162", b"POINT_DATA 161", 1))
    put("legacy-cell-data-count.vtk", asc.replace(b"CELL_DATA 320", b"CELL_DATA 321", 1))
    put("legacy-cell-types-count.vtk", leg.replace(b"CELL_TYPES 7", b"CELL_TYPES 6", 1))
    put("legacy-cells-count-high.vtk", leg.replace(b"CELLS 7 41", b"CELLS 8 41", 1))
    # A binary STL whose count is smaller than the triangles it holds is read to the end, as VTK
    # reads it (many exporters write a wrong count): crates/vtk-formats/tests/stl.rs, not hostile.
    plain = fixture("metaimage/int16.vtk-raw.mha")
    put("mha-data-longer-than-dimsize.mha", plain + bytes(64))
    put("mha-data-longer-than-compressed-size.mha", fixture("metaimage/int16.vtk-zlib.mha") + bytes(64))
    def tree_of(rel, ext):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "tree." + ext)
            subprocess.run([binary, "to-numpy", os.path.join(FIX, rel), "-o", out], check=True)
            with open(out, "rb") as f:
                return f.read()
    # Array shapes that disagree with their data, or with their siblings (PointData/Scalars_ holds
    # 162 f4 values: 648 bytes).
    surf = "surface/surface.appended-raw.zlib.h64.id64.vtp"
    mp = tree_of(surf, "msgpack")
    shape = mp.index(b"\xc4\x05shape\x91\xcc\xa2", mp.index(b"\xa8Scalars_")) + 9  # the 162
    put("msgpack-shape-vs-data.msgpack", mp[:shape] + b"\xa1" + mp[shape + 1:])
    data = mp.index(b"\xc5\x02\x88", shape)
    short = mp[:shape] + b"\xa1" + mp[shape + 1: data] + b"\xc5\x02\x84" + mp[data + 3: data + 3 + 644] + mp[data + 3 + 648:]
    put("msgpack-rows-vs-points.msgpack", short)
    pk = tree_of(surf, "pickle")
    at = pk.index(b"K\xa2\x85", pk.index(b"Scalars_"))
    put("pickle-shape-vs-data.pickle", pk[:at] + b"K\xa1\x85" + pk[at + 3:])
    # A mesh tree whose CellTypes hold an id VTK does not define.
    tree = tree_of("mesh/mesh.ascii.id64.vtu", "msgpack")
    key = tree.index(b"\xa9CellTypes")
    data = tree.index(b"\xc4\x07\x0c\x0d\x0e\x0a\x05\x09\x0a", key)  # bin8 of the 7 type ids
    put("msgpack-cell-type-200.msgpack", tree[: data + 6] + b"\xc8" + tree[data + 7:])


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
    lying(binary)


if __name__ == "__main__":
    main()
