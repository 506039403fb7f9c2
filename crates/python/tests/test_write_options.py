"""write/convert's xml_level and stl_ascii: the command's --xml-level and --stl-ascii."""

import numpy as np
import pytest

import arraydict as ad
from conftest import FIXTURES, same_values


def a_surface():
    return ad.read(next(iter(sorted((FIXTURES / "surface").glob("*.vtp")))))


@pytest.mark.parametrize("compressor", ["zlib", "lzma"])
def test_xml_level_reaches_the_compressor(compressor, tmp_path):
    tree = a_surface()
    files = []
    for level in (0, 9):
        out = tmp_path / f"{compressor}-{level}.vtp"
        ad.write(tree, out, xml_compression=compressor, xml_level=level)
        same_values(ad.read(out), tree)
        files.append(out.read_bytes())
    assert files[0] != files[1], "the level made no difference"


def test_xml_level_out_of_range_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="xml_level=12"):
        ad.write(a_surface(), tmp_path / "x.vtp", xml_level=12)
    assert not (tmp_path / "x.vtp").exists()


def test_stl_ascii_writes_text_stl(tmp_path):
    tree = a_surface()
    out = tmp_path / "x.stl"
    ad.write(tree, out, stl_ascii=True)
    text = out.read_bytes()
    assert text.startswith(b"solid") and b"facet normal" in text and b"endsolid" in text
    back = ad.read(out)
    binary = tmp_path / "b.stl"
    ad.write(tree, binary)
    assert np.array_equal(back["Points"], ad.read(binary)["Points"])
