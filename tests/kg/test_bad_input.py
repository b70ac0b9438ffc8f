"""Bad input gets a one-line ReadError naming the file and the reason; legacy Chinese
encodings decode correctly; the pipeline marks bad files failed and ingests the rest."""

from __future__ import annotations

import os

import pytest

from kg.document import ReadError
from kg.readers.dispatch import read_document

SAMPLE = "第一部分 概况\n\n一、主要职能\n\n负责示例档案的收集、整理和保管。\n\n项目\t金额\n示例经费\t12.50\n"


def expect_error(path, *words: str) -> str:
    with pytest.raises(ReadError) as e:
        read_document(path)
    msg = str(e.value)
    assert "\n" not in msg
    assert os.path.basename(str(path)) in msg
    for w in words:
        assert w in msg.lower(), msg
    return msg


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    expect_error(p, "empty")


def test_whitespace_only_file(tmp_path):
    p = tmp_path / "blank.txt"
    p.write_text(" \n\t\n\u3000\n", encoding="utf-8")
    expect_error(p, "empty", "whitespace")


def test_binary_garbage_named_txt(tmp_path):
    p = tmp_path / "garbage.txt"
    p.write_bytes(bytes(range(256)) * 40)
    expect_error(p, "binary")


def test_random_high_bytes_named_txt(tmp_path):
    # no NUL bytes, so only the decoder can tell it is not text
    import random

    rnd = random.Random(7)
    p = tmp_path / "noise.txt"
    p.write_bytes(bytes(rnd.randrange(0x80, 0x100) for _ in range(5000)))
    expect_error(p, "decod")


def test_zip_named_txt(tmp_path):
    p = tmp_path / "report.txt"
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    expect_error(p, "zip")


@pytest.mark.parametrize("encoding", ["gbk", "gb2312", "gb18030"])
def test_legacy_chinese_encodings(tmp_path, encoding):
    p = tmp_path / f"sample_{encoding}.txt"
    p.write_bytes(SAMPLE.encode(encoding))
    doc = read_document(p)
    assert doc.text().splitlines()[:3] == ["第一部分 概况", "一、主要职能", "负责示例档案的收集、整理和保管。"]
    assert any("GB18030" in w for w in doc.warnings)
    assert doc.tables()[0].rows == [["示例经费", "12.50"]]


def test_gb18030_only_characters(tmp_path):
    # characters outside GBK (CJK extension B, a rare-name character) need GB18030's 4-byte codes
    text = "一、说明\n\n示例人员姓名含生僻字𠀾与䶮，以及欧元符号€。\n"
    p = tmp_path / "rare.txt"
    p.write_bytes(text.encode("gb18030"))
    assert "𠀾与䶮" in read_document(p).text()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le"])
def test_unicode_encodings_and_newlines(tmp_path, encoding):
    p = tmp_path / "u.txt"
    p.write_bytes(SAMPLE.replace("\n", "\r\n").encode(encoding))
    doc = read_document(p)
    assert doc.text().splitlines()[0] == "第一部分 概况"
    assert doc.tables()[0].rows == [["示例经费", "12.50"]]


def test_markdown_file(tmp_path):
    p = tmp_path / "notes.md"
    p.write_text("# 示例\n\n正文。\n", encoding="utf-8")
    doc = read_document(p)
    assert doc.media_type == "text/markdown"
    assert doc.source_file == "notes.md" and len(doc.sha256) == 64


def test_wrong_extension(tmp_path):
    p = tmp_path / "report.docx"
    p.write_bytes(b"PK\x03\x04whatever")
    expect_error(p, "unsupported", ".docx")


def test_not_a_pdf(tmp_path):
    p = tmp_path / "fake.pdf"
    p.write_text(SAMPLE, encoding="utf-8")
    expect_error(p, "not a pdf")


def test_pdf_named_txt(tmp_path):
    p = tmp_path / "really_a_pdf.txt"
    p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    expect_error(p, "pdf")


def test_missing_file(tmp_path):
    expect_error(tmp_path / "nope.txt", "no such file")


def test_too_large(tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETKG_MAX_FILE_MB", "0.001")
    p = tmp_path / "big.txt"
    p.write_text(SAMPLE * 100, encoding="utf-8")
    expect_error(p, "too large")


def test_pipeline_fails_bad_files_and_ingests_good_ones(tmp_path):
    from kg.pipeline import ingest
    from kg.store import open_store

    files = tmp_path / "in"
    files.mkdir()
    (files / "good_gbk.txt").write_bytes(("示例单位 2031 年预算公开\n\n" + SAMPLE).encode("gbk"))
    (files / "good.txt").write_text("示例中心 2031 年预算公开\n\n" + SAMPLE, encoding="utf-8")
    (files / "empty.txt").write_bytes(b"")
    (files / "fake.pdf").write_text("not a pdf", encoding="utf-8")
    (files / "garbage.txt").write_bytes(bytes(range(256)) * 8)
    db = tmp_path / "db"
    store = open_store(db)
    try:
        results = ingest([files], db, store, workers=1)
    finally:
        store.close()
    by_name = {os.path.basename(r.path): r for r in results}
    assert set(by_name) == {"good_gbk.txt", "good.txt", "empty.txt", "fake.pdf", "garbage.txt"}
    for bad in ("empty.txt", "fake.pdf", "garbage.txt"):
        assert by_name[bad].status == "failed"
        assert bad in by_name[bad].error and "\n" not in by_name[bad].error
    for good in ("good_gbk.txt", "good.txt"):
        assert by_name[good].status == "added", by_name[good].error
        assert by_name[good].triples > 0


def test_short_binary_with_a_nul_is_not_utf16(tmp_path):
    p = tmp_path / "g.txt"
    p.write_bytes(b"\x00\x01\x02garbage")
    expect_error(p, "binary")


# --- damaged PDFs: pdfium opens them, but no text survives -----------------------------

def _generated_pdf(tmp_path) -> bytes:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "gen"
    subprocess.run([sys.executable, str(root / "data" / "generate.py"), "--out", str(out), "--count", "1",
                    "--seed", "3", "--formats", "pdf"], check=True, capture_output=True, timeout=300)
    (pdf,) = sorted((out / "pdf").glob("*.pdf"))
    return pdf.read_bytes()


def _flip_streams(data: bytes, objects: set[int] | None, every: int = 3) -> bytes:
    """Flip one bit in every `every`-th byte of the streams of `objects` (None: all streams),
    past the two-byte zlib header, leaving the file's structure (xref, dictionaries) intact."""
    import re

    out = bytearray(data)
    for m in re.finditer(rb"(?m)^(\d+) 0 obj(?:(?!endobj).)*?stream\r?\n(.*?)endstream", data, re.S):
        if objects is not None and int(m.group(1)) not in objects:
            continue
        a, b = m.span(2)
        for i in range(a + 2, b - 1, every):
            out[i] ^= 0x10
    return bytes(out)


def test_a_pdf_whose_fonts_lost_their_unicode_maps_is_refused(tmp_path):
    """Bit flips in the ToUnicode streams: pdfium still gives characters, but only the
    fonts' raw one-byte codes (controls and stray Latin-1 letters) and the figures — an
    empty disclosure if it were added."""
    import re

    data = _generated_pdf(tmp_path)
    maps = {int(x) for x in re.findall(rb"/ToUnicode (\d+) 0 R", data)}
    assert maps
    ok = tmp_path / "intact.pdf"
    ok.write_bytes(data)
    assert read_document(ok).tables()  # the generated file reads
    p = tmp_path / "flipped.pdf"
    p.write_bytes(_flip_streams(data, maps))
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(p))
    assert len(pdf) > 0  # pdfium opens it
    pdf.close()
    expect_error(p, "no readable text", "raw codes")


def test_a_pdf_with_damaged_content_streams_is_refused(tmp_path):
    p = tmp_path / "flipped.pdf"
    p.write_bytes(_flip_streams(_generated_pdf(tmp_path), None, every=7))
    expect_error(p, "no text")


def test_pipeline_refuses_an_unreadable_pdf_and_adds_nothing(tmp_path):
    import re

    from kg.pipeline import ingest
    from kg.store import open_store

    data = _generated_pdf(tmp_path)
    maps = {int(x) for x in re.findall(rb"/ToUnicode (\d+) 0 R", data)}
    files = tmp_path / "in"
    files.mkdir()
    (files / "damaged.pdf").write_bytes(_flip_streams(data, maps))
    db = tmp_path / "db"
    store = open_store(db)
    try:
        (r,) = ingest([files], db, store, workers=1)
        assert r.status == "failed" and "no readable text" in r.error and "\n" not in r.error
        assert not store.documents()
    finally:
        store.close()
