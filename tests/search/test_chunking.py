from kg.document import Document, Heading, Page, Paragraph, Table
from search.chunking import DocMeta, Lexicon, chunk_document, linearize_row, pack, sentences


def test_sentences_split_at_chinese_sentence_ends():
    assert sentences("第一句。第二句；第三句！第四句？尾巴") == ["第一句。", "第二句；", "第三句！", "第四句？", "尾巴"]


def test_pack_caps_size_and_overlaps_one_sentence():
    sents = [f"这是第{i}个句子，内容大致相同。" for i in range(20)]
    chunks = pack(sents, cap=60)
    assert len(chunks) > 3
    assert all(len(c) <= 60 for c in chunks)
    for a, b in zip(chunks, chunks[1:], strict=False):
        last = sentences(a)[-1]
        assert b.startswith(last)  # the boundary sentence is whole in both
    # nothing lost
    assert all(any(s in c for c in chunks) for s in sents)


def test_overlong_sentence_is_cut_under_the_cap():
    s = "，".join(["很长的一段没有句号的文字"] * 40) + "。"
    assert all(len(c) <= 100 for c in pack([s], cap=100))


def test_table_row_linearized_with_column_names_and_unit():
    t = Table(header=[["科目编码", "科目名称", "本年支出", "本年支出", "本年支出"], ["", "", "合计", "基本支出", "项目支出"]],
              rows=[["2080501", "行政单位离退休", "123.45", "100.00", ""]], page=3, title="支出表", unit="万元")
    label, parts = linearize_row(t.rows[0], t.column_names(), t.unit)
    assert label == "2080501 行政单位离退休"
    assert parts == ["本年支出/合计 123.45 万元", "本年支出/基本支出 100.00 万元"]


def test_phone_numbers_and_percentages_get_no_money_unit():
    _, parts = linearize_row(["填报人", "13600000000", "95%"], ["", "联系电话", "完成率"], "万元")
    assert parts == ["联系电话 13600000000", "完成率 95%"]


def _doc():
    t = Table(header=[["科目编码", "科目名称", "合计"]], rows=[["2080501", "行政单位离退休", "12.5"], ["2010301", "行政运行", "3"]],
              page=2, title="一般公共预算支出表", unit="万元", pages=[2, 3], row_pages=[2, 3])
    return Document("x.txt", "ab" * 32, [
        Page(1, [Heading(1, "第一部分 概况", 1), Heading(2, "一、职责", 1),
                 Paragraph("负责<u>养老待遇资格认证专项</u>工作。依据财社〔2016〕101号执行。", 1),
                 Heading(2, "二、机构", 1), Paragraph("内设科室三个。", 1)]),
        Page(2, [Heading(1, "第二部分 表格", 2), t]),
    ])


def test_chunks_carry_section_path_page_metadata_and_entities():
    meta = DocMeta("ab" * 32, "x.txt", "g", agency="甲局", year=2024, kind="budget")
    lex = Lexicon([("养老待遇资格认证专项", "urn:p1"), ("财社〔2016〕101号", "urn:pol"), ("2080501", "urn:c1"),
                   ("208", "urn:c208")])
    chunks = chunk_document(_doc(), meta, lex)
    paras = [c for c in chunks if c.block == "paragraph"]
    rows = [c for c in chunks if c.block == "table"]
    assert paras[0].section == "第一部分 概况 > 一、职责"
    assert "<u>" not in paras[0].text and "养老待遇资格认证专项" in paras[0].text
    assert paras[0].entities == ["urn:p1", "urn:pol"]
    assert paras[1].section == "第一部分 概况 > 二、机构"  # a new heading closes the section
    assert [r.page for r in rows] == [2, 3]  # each row keeps the page it was printed on
    assert rows[0].text == "2080501 行政单位离退休 | 合计 12.5 万元"
    assert rows[0].title == "一般公共预算支出表"
    assert rows[0].entities == ["urn:c1"]  # 208 does not match inside 2080501
    assert all(c.agency == "甲局" and c.year == 2024 and c.kind == "budget" for c in chunks)
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_row_numbers_and_code_columns_are_labels_without_units():
    names = ["序号", "功能科目编码", "功能科目名称", "合计"]
    label, parts = linearize_row(["6", "2080505", "机关事业单位基本养老保险缴费支出", "52.16"], names, "万元")
    assert label == "6 2080505 机关事业单位基本养老保险缴费支出"
    assert parts == ["合计 52.16 万元"]
