"""Bad input gets a one-line ReadError naming the file and the reason; legacy Chinese
encodings decode correctly; the pipeline marks bad files failed and ingests the rest."""

from __future__ import annotations

import os

import pytest

from kg.document import ReadError
from kg.read import read_document

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
        results = ingest([files], db, store, workers=1, update_index=False)
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
