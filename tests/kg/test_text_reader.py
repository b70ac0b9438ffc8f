"""kg.readers.text / kg.readers.cells on small synthetic texts written here (invented agency and figures)."""

from __future__ import annotations

from kg.document import Document, Heading, Paragraph
from kg.readers.cells import (
    clean_cell,
    detect_unit,
    expand_merged_header,
    is_amount,
    split_header,
)
from kg.readers.outline import heading_level
from kg.readers.text import read_text


def doc_of(text: str) -> Document:
    return read_text(text, "sample.txt", "0" * 64)


def headings(doc: Document) -> list[tuple[int, str]]:
    return [(b.level, b.text) for b in doc.blocks() if isinstance(b, Heading)]


def paragraphs(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks() if isinstance(b, Paragraph)]


# --- headings and paragraphs -----------------------------------------------------------

def test_heading_levels():
    assert heading_level("第一部分 单位概况") == 1
    assert heading_level("一、主要职能") == 2
    assert heading_level("（二）内设机构") == 3
    assert heading_level("(三) 人员情况") == 3
    assert heading_level("## 收支说明") == 2
    # sentences are body text even when they start like an outline item
    assert heading_level("一、本中心现有职工八人，均为事业编制。") is None
    assert heading_level("（一）收入预算 12.5 万元，全部为财政拨款；") is None
    assert heading_level("这是一段没有编号的普通文字") is None


def test_outline_and_title():
    text = (
        "\n\n青岩县示例档案服务站 2031 年单位预算公开\n\n"
        "第一部分 单位概况\n\n一、主要职能\n\n（一）基本职责\n\n"
        "负责全县档案的接收、整理和保管。\n\n"
        "# 附录\n\n## 名词说明\n"
    )
    doc = doc_of(text)
    assert headings(doc) == [
        (1, "青岩县示例档案服务站 2031 年单位预算公开"),
        (1, "第一部分 单位概况"),
        (2, "一、主要职能"),
        (3, "（一）基本职责"),
        (1, "附录"),
        (2, "名词说明"),
    ]
    assert paragraphs(doc) == ["负责全县档案的接收、整理和保管。"]


def test_title_over_several_lines_is_joined():
    doc = doc_of("青岩县示例档案\n服务站\n2031 年单位预算公开说明\n\n第一部分 概况\n")
    assert headings(doc)[0] == (1, "青岩县示例档案服务站2031 年单位预算公开说明")


def test_sentences_broken_across_lines_are_joined():
    text = (
        "一、工作任务\n\n"
        "一是做好馆藏档案的数字化扫描工作，按季度完成既定的扫描页数并及时校对入\n"
        "库。二是完善查档服务。\n\n"
        # a sentence cut by a blank line, as the exports do at page breaks
        "三是配合上级部门开展档案安全检查，对库房温湿度、消防设施进行定期巡查及记\n\n"
        "录。四是完成交办的其他工作。\n\n"
        "English words keep their\nspace when joined.\n"
    )
    paras = paragraphs(doc_of(text))
    assert paras[0] == "一是做好馆藏档案的数字化扫描工作，按季度完成既定的扫描页数并及时校对入库。二是完善查档服务。"
    assert paras[1] == "三是配合上级部门开展档案安全检查，对库房温湿度、消防设施进行定期巡查及记录。四是完成交办的其他工作。"
    assert paras[2] == "English words keep their space when joined."


def test_short_lines_are_not_glued_to_the_next_paragraph():
    text = "一、说明\n\n附件 3：示例申报表\n\n填报日期：2031 年 3 月 1 日\n\n本站全年计划完成档案整理两万卷，较上年增加一千卷。\n"
    paras = paragraphs(doc_of(text))
    assert "附件 3：示例申报表" in paras
    assert "填报日期：2031 年 3 月 1 日" in paras


def test_numbered_items_stay_separate_and_bullets_lose_their_dash():
    text = "二、职责\n\n1、负责档案接收。\n2、负责档案保管。\n- 3、负责档案利用。\n"
    assert paragraphs(doc_of(text)) == ["1、负责档案接收。", "2、负责档案保管。", "3、负责档案利用。"]


def test_table_of_contents_does_not_make_headings():
    text = (
        "示例单位预算\n\n目 录\n\n第一部分 概况\n\n- 一、职能\n- 二、机构\n\n第二部分 报表\n\n"
        "第一部分 概况\n\n一、职能\n\n负责示例工作。\n"
    )
    doc = doc_of(text)
    hs = headings(doc)
    assert hs.count((1, "第一部分 概况")) == 1
    assert (2, "一、职能") in hs and (2, "二、机构") not in hs
    toc = [p for p in paragraphs(doc) if "二、机构" in p]
    assert len(toc) == 1 and "\n" in toc[0]


def test_markup_and_links_in_text_are_stripped():
    text = "一、说明\n\n<p>本站<u>全年</u>无政府采购&amp;租赁。</p> 详见[附表](#)。\n"
    assert paragraphs(doc_of(text)) == ["本站全年无政府采购&租赁。 详见附表。"]


def test_form_feeds_make_pages():
    doc = doc_of("第一部分 甲\n\n正文一。\f第二部分 乙\n\n正文二。\f")
    assert [p.number for p in doc.pages] == [1, 2]
    assert doc.pages[1].blocks[0].text == "第二部分 乙"
    assert doc.pages[1].blocks[0].page == 2


# --- tab tables ----------------------------------------------------------------------------

TAB_TABLE = (
    "三、示例支出总表\n\n"
    "示例支出总表\t\t\t\t\t\n"
    "填报单位：\t\t\t\t单位：万元\t\n"
    "科目编码\t科目名称\t合计\t基本支出\t\t项目支出\n"
    "\t\t\t人员经费\t公用经费\t\n"
    "\t合计\t1,234.50\t800.00\t134.50\t300.00\n"
    "201\t示例服务支出\t1,234.50\t800.00\t134.50\t300.00\t\t\n"
    "20101\t示例事务\t34.5\t\t\t34.5\n"
    "备注：本表为示例。\t\t\t\t\t\n"
)


def test_tab_table_title_unit_header_rows():
    doc = doc_of(TAB_TABLE)
    (t,) = doc.tables()
    assert t.title == "示例支出总表"
    assert t.unit == "万元"
    assert t.header == [
        ["科目编码", "科目名称", "合计", "基本支出", "基本支出", "项目支出"],
        ["科目编码", "科目名称", "合计", "人员经费", "公用经费", "项目支出"],
    ]
    assert t.column_names() == ["科目编码", "科目名称", "合计", "基本支出/人员经费", "基本支出/公用经费", "项目支出"]
    # numbers exactly as printed, blanks kept so columns never shift, trailing tabs dropped
    assert t.rows == [
        ["", "合计", "1,234.50", "800.00", "134.50", "300.00"],
        ["201", "示例服务支出", "1,234.50", "800.00", "134.50", "300.00"],
        ["20101", "示例事务", "34.5", "", "", "34.5"],
    ]
    # the note under the table is prose after it, not a row
    assert paragraphs(doc)[-1] == "备注：本表为示例。"
    assert (2, "三、示例支出总表") in headings(doc)


def test_title_and_unit_from_lines_above_the_table():
    text = (
        "本站全年预算如下表所示。\n\n"
        "2031年示例收支预算表（按功能科目）\n\n表4\n\n编制单位：青岩县示例档案服务站\n\n金额单位：元\n\n"
        "序号\t项目\t金额\n1\t示例收入\t120000.00\n2\t示例支出\t120000.00\n"
    )
    doc = doc_of(text)
    (t,) = doc.tables()
    assert t.title == "2031年示例收支预算表（按功能科目）"
    assert t.unit == "元"
    assert t.header == [["序号", "项目", "金额"]]
    assert len(t.rows) == 2
    paras = paragraphs(doc)
    # title, label and unit lines now live on the table; the agency line stays as text
    assert not any(p in ("表4", "金额单位：元") or p.startswith("2031年示例") for p in paras)
    assert "编制单位：青岩县示例档案服务站" in paras


def test_blank_line_inside_a_tab_block_continues_the_table():
    text = "项目\t金额\n甲\t1.00\n\n乙\t2.00\n"
    (t,) = doc_of(text).tables()
    assert t.rows == [["甲", "1.00"], ["乙", "2.00"]]


def test_table_repeated_after_a_page_break_is_one_table():
    part = "示例基本支出表\n\n单位：万元\n\n科目编码\t科目名称\t合计\n"
    text = part + "301\t工资\t10.00\n302\t商品\t5.00\n\n" + part + "303\t补助\t1.00\n"
    (t,) = doc_of(text).tables()
    assert [r[0] for r in t.rows] == ["301", "302", "303"]


def test_letter_spaced_labels_and_cell_markup():
    text = "项 目\t预算数\t说明\n收 入 总 计\t5.00\t<p>已<u>审核</u></p> 1. 是 <input checked=\"checked\" type=\"checkbox\"/> 2. 否 <input type=\"checkbox\"/>\n"
    (t,) = doc_of(text).tables()
    assert t.header == [["项目", "预算数", "说明"]]
    assert t.rows == [["收入总计", "5.00", "已审核 1. 是 ☑ 2. 否 ☐"]]


# --- other table notations ----------------------------------------------------------------

def test_html_table_with_colspan_and_rowspan():
    text = (
        "示例明细表\n\n单位：万元\n\n"
        "<table><tr><th rowspan=\"2\">科目</th><th colspan=\"2\">基本支出</th><th rowspan=\"2\">合计</th></tr>\n"
        "<tr><th>人员</th><th>公用</th></tr>\n"
        "<tr><td>示例事务</td><td>1,000.00</td><td>20.5</td><td>1,020.50</td></tr>\n"
        "<tr><td rowspan=\"2\">其他</td><td>1</td><td>2</td><td>3</td></tr>\n"
        "<tr><td>4</td><td>5</td><td>9</td></tr></table>\n"
    )
    doc = doc_of(text)
    (t,) = doc.tables()
    assert t.title == "示例明细表" and t.unit == "万元"
    assert t.header == [["科目", "基本支出", "基本支出", "合计"], ["科目", "人员", "公用", "合计"]]
    # in the body a merged cell is printed once, as the tab exports do: no figure counted twice
    assert t.rows == [["示例事务", "1,000.00", "20.5", "1,020.50"], ["其他", "1", "2", "3"], ["", "4", "5", "9"]]


def test_html_table_without_th_splits_header_by_content():
    text = "<table><tr><td>项目</td><td>金额</td></tr><tr><td>甲</td><td>3.00</td></tr></table>"
    (t,) = doc_of(text).tables()
    assert t.header == [["项目", "金额"]] and t.rows == [["甲", "3.00"]]
    text = ("<table><tr><td rowspan=2>科目</td><td colspan=2>支出</td></tr><tr><td>基本</td><td>项目</td></tr>"
            "<tr><td>甲</td><td colspan=2>7.00</td></tr></table>")
    (t,) = doc_of(text).tables()
    assert t.column_names() == ["科目", "支出/基本", "支出/项目"]
    assert t.rows == [["甲", "7.00", ""]]


def test_latex_tabular_with_multicolumn():
    text = (
        "示例三公经费表\n\n"
        "\\begin{tabular}{|c|c|c|}\n\\hline\n"
        "合计 & \\multicolumn{2}{c|}{公务用车} \\\\\n"
        " & 购置 & 运行 \\\\ \\hline\n"
        "12.50 & 0 & 12.50 \\\\\n"
        "\\end{tabular}\n"
    )
    (t,) = doc_of(text).tables()
    assert t.title == "示例三公经费表"
    assert t.header == [["合计", "公务用车", "公务用车"], ["合计", "购置", "运行"]]
    assert t.rows == [["12.50", "0", "12.50"]]


def test_markdown_pipe_table():
    text = "| 项目 | 金额 |\n|---|---:|\n| 甲 | 1,000.00 |\n| 乙 | 2 |\n"
    (t,) = doc_of(text).tables()
    assert t.header == [["项目", "金额"]]
    assert t.rows == [["甲", "1,000.00"], ["乙", "2"]]


def test_json_round_trip():
    doc = doc_of(TAB_TABLE)
    assert Document.from_json(doc.to_json()) == doc


# --- kg.readers.cells helpers ------------------------------------------------------------------------

def test_detect_unit():
    assert detect_unit("单位：万元") == "万元"
    assert detect_unit("填报部门:\t单位: 元") == "元"
    assert detect_unit("金额单位：万元") == "万元"
    assert detect_unit("（单位：万元）") == "万元"
    assert detect_unit("单位名称：某某中心") is None
    assert detect_unit("单位：人") is None
    assert detect_unit(None) is None


def test_is_amount_keeps_printed_forms():
    for s in ("0", "12", "1,234.56", "-3.5", "45316.60", "(12.00)"):
        assert is_amount(s), s
    for s in ("", "2031 年", "12%", "1,23", "abc", "≥95%"):
        assert not is_amount(s), s


def test_clean_cell():
    assert clean_cell("  收 入  ") == "收入"
    assert clean_cell("2031 年") == "2031 年"
    assert clean_cell("满意度 \\geq 95\\%") == "满意度 ≥ 95%"
    assert clean_cell("$\\leq 3$ 次") == "≤ 3 次"
    assert clean_cell("45,928.08") == "45,928.08"


def test_split_header():
    rows = [["科目", "金额"], ["", "其中"], ["201", "5.00"], ["202", "6.00"]]
    assert split_header(rows) == (rows[:2], rows[2:])
    # code rows count as data even when the amounts are blank
    rows = [["编码", "名称", "金额"], ["301", "工资", ""]]
    assert split_header(rows) == (rows[:1], rows[1:])
    # a "1 2 3" column-number row is header, years are labels
    rows = [["甲", "乙", "丙"], ["1", "2", "3"], ["2030 年", "2031 年", ""], ["x", "4.0", "5.0"]]
    assert split_header(rows)[0] == rows[:3]
    # an empty table is all header
    assert split_header([["科目", "金额"]]) == ([["科目", "金额"]], [])


def test_expand_merged_header():
    header = [["收入", "", "支出", ""], ["项目", "金额", "项目", "金额"]]
    assert expand_merged_header(header) == [["收入", "收入", "支出", "支出"], ["项目", "金额", "项目", "金额"]]
    # a blank without sub-labels below is not part of a span
    header = [["名称", "", "备注"], ["", "", ""]]
    assert expand_merged_header(header)[0] == ["名称", "", "备注"]


def test_title_row_with_unit_and_labelled_caption_line():
    text = "收支预算表\t\t单位：万元\n项目\t金额\t说明\n甲\t1.00\t\n"
    (t,) = doc_of(text).tables()
    assert (t.title, t.unit, t.header) == ("收支预算表", "万元", [["项目", "金额", "说明"]])
    text = "一、说明\n\n表2：示例支出汇总表（单位：元）\n\n项目\t金额\n甲\t1.00\n"
    doc = doc_of(text)
    (t,) = doc.tables()
    assert (t.title, t.unit) == ("表2：示例支出汇总表", "元")
    assert paragraphs(doc) == []


def test_html_title_and_unit_rows_spanning_the_table():
    text = (
        "<table><tr><td colspan=\"3\">示例收支表</td></tr>"
        "<tr><td colspan=\"2\">填报单位：示例站</td><td>单位：万元</td></tr>"
        "<tr><td>项目</td><td>预算数</td><td>上年数</td></tr>"
        "<tr><td>甲</td><td>2.00</td><td>1.00</td></tr></table>"
    )
    (t,) = doc_of(text).tables()
    assert (t.title, t.unit) == ("示例收支表", "万元")
    assert t.header == [["项目", "预算数", "上年数"]] and t.rows == [["甲", "2.00", "1.00"]]


def test_section_heading_is_a_title_only_when_it_names_a_table():
    text = "（一）支出情况\n\n本站全年支出如下，较上年有所增加，主要用于档案数字化工作。\n\n项目\t金额\n甲\t1.00\n"
    assert doc_of(text).tables()[0].title is None
    text = "五、示例项目支出表\n\n项目\t金额\n甲\t1.00\n"
    assert doc_of(text).tables()[0].title == "五、示例项目支出表"


def test_labelled_lines_and_captions_are_not_glued():
    text = "一、封面\n\n单位名称：示例站\n审核情况：已审核\n\n主要职责\n负责示例档案的接收和保管，并提供查阅服务。\n"
    assert paragraphs(doc_of(text)) == [
        "单位名称：示例站", "审核情况：已审核", "主要职责", "负责示例档案的接收和保管，并提供查阅服务。"]


def test_outline_line_stating_a_figure_is_not_a_heading():
    assert heading_level("一、收入预算 120.5 万元") is None
    assert heading_level("（二）增长 12%") is None
    assert heading_level("(1)工资福利支出 233.33") is None
    assert heading_level("二、2031 年收支预算情况") == 2


def test_unclosed_table_markup_does_not_swallow_the_text_after_it():
    text = "一、说明\n\n<table><tr><td>项目</td><td>金额</td></tr><tr><td>甲</td><td>1.0</td>\n\n第二部分 其他\n\n正文。\n"
    doc = doc_of(text)
    assert doc.tables()[0].rows == [["甲", "1.0"]]
    assert (1, "第二部分 其他") in headings(doc) and paragraphs(doc) == ["正文。"]
    doc = doc_of("\\begin{tabular}{cc}\n\n二、其他\n\n正文。\n")
    assert (2, "二、其他") in headings(doc) and paragraphs(doc) == ["正文。"]


def test_sentence_and_table_continued_over_a_form_feed():
    text = (
        "一、说明\n\n本站全年完成馆藏档案数字化扫描四万页，并对其中的重点档案进行了\f"
        "修复。下一年度继续推进。\n\n示例支出表\n\n单位：万元\n\n编码\t名称\t金额\n301\t工资\t5.00\f"
        "302\t商品\t2.00\n"
    )
    doc = doc_of(text)
    assert paragraphs(doc)[0] == "本站全年完成馆藏档案数字化扫描四万页，并对其中的重点档案进行了修复。下一年度继续推进。"
    assert doc.pages[0].blocks[1].page == 1
    (t,) = doc.tables()
    assert [r[0] for r in t.rows] == ["301", "302"]
    assert t.pages == [2, 3] and t.row_pages == [2, 3]


def test_a_headless_page_narrower_than_its_table_continues_it():
    """A text export drops a page's blank right-hand columns: the rows after a form feed with no
    header and fewer cells (项目支出 blank on that page) still continue the table."""
    text = ("示例支出表\n\n单位：万元\n\n编码\t名称\t合计\t基本\t项目\n301\t工资\t5.00\t4.00\t1.00\f"
            "302\t商品\t2.00\t2.00\n303\t补助\t1.00\t1.00\n")
    (t,) = doc_of(text).tables()
    assert [r[0] for r in t.rows] == ["301", "302", "303"]
    assert t.rows[1] == ["302", "商品", "2.00", "2.00", ""]


def test_letter_spaced_lines_are_despaced_ordinary_spacing_kept():
    doc = doc_of("第 一 部 分 单 位 概 况\n\n一 、 主 要 职 能\n\n负 责 示 例 档 案 的 保 管 。\n\n第二部分 2031 年预算\n")
    assert headings(doc) == [(1, "第一部分单位概况"), (2, "一、主要职能"), (1, "第二部分 2031 年预算")]
    assert paragraphs(doc) == ["负责示例档案的保管。"]


def test_centred_title_row():
    (t,) = doc_of("\t示例收入总表\t\n项目\t本年\t上年\n甲\t1.00\t2.00\n").tables()
    assert t.title == "示例收入总表" and t.header == [["项目", "本年", "上年"]]


def test_semicolon_page_break_joins_only_long_prose():
    long_clause = "一是负责示例档案的接收、整理、鉴定和保管工作，按照规定向社会提供档案查阅利用服务；" * 3
    text = "一、职责\n\n" + long_clause + "\n\n提供复制服务。二是完成交办的其他工作。\n"
    assert paragraphs(doc_of(text)) == [long_clause + "提供复制服务。二是完成交办的其他工作。"]
    text = "一、支出\n\n工资福利支出 12.00 万元，较上年增加；\n\n商品和服务支出 3.00 万元，较上年减少；\n"
    assert len(paragraphs(doc_of(text))) == 2


def test_running_page_numbers_are_dropped_and_do_not_block_joining():
    text = ("一、职责\n\n负责示例档案的接收、整理和保管，按照规定向社会提供档案查阅利用及复制\n\n- 3 -\n\n"
            "服务，并完成交办的其他工作。\n\n第 4 页 共 9 页\n\n12\n")
    assert paragraphs(doc_of(text)) == ["负责示例档案的接收、整理和保管，按照规定向社会提供档案查阅利用及复制服务，并完成交办的其他工作。"]


def test_full_width_amounts():
    assert is_amount("４５，９２８．０８") and clean_cell("４５，９２８．０８") == "４５，９２８．０８"


def test_html_page_saved_as_text():
    text = ("<html><head><title>x</title><style>\np { color: red; }\n</style></head><body>\n"
            "<h1>第一部分 概况</h1>\n<!-- 注释 -->\n<p>本站负责示例工作。</p>\n<script>\nvar a = 1;\n</script>\n</body></html>\n")
    doc = doc_of(text)
    assert headings(doc) == [(1, "第一部分 概况")]
    assert paragraphs(doc) == ["本站负责示例工作。"]


def test_latex_multirow_and_escapes():
    text = ("\\begin{tabular}{|c|c|c|}\n\\hline\n\\multirow{2}{*}{科目} & \\multicolumn{2}{c|}{\\textbf{支出}} \\\\\n"
            " & 基本 & 项目 \\\\ \\hline\n甲 \\& 乙 & 1,000.00 & 2 \\\\\n\\end{tabular}\n")
    (t,) = doc_of(text).tables()
    assert t.column_names() == ["科目", "支出/基本", "支出/项目"]
    assert t.rows == [["甲 & 乙", "1,000.00", "2"]]


def test_markdown_emphasis_does_not_hide_headings():
    doc = doc_of("**第一部分 概况**\n\n**一、职能**\n\n本站负责__示例__工作。\n")
    assert headings(doc) == [(1, "第一部分 概况"), (2, "一、职能")]
    assert paragraphs(doc) == ["本站负责示例工作。"]


def test_date_and_filler_rows_inside_the_table_are_lifted():
    (t,) = doc_of("示例申报表\t\t\n填报日期：2031 年 1 月 2 日\t\t单位：万元\n项目\t本年\t上年\n甲\t1.00\t2.00\n").tables()
    assert (t.title, t.unit, t.header) == ("示例申报表", "万元", [["项目", "本年", "上年"]])


def test_title_cell_carrying_the_unit():
    (t,) = doc_of("示例收支总表（单位：万元）\t\t\n项目\t本年\t上年\n甲\t1.00\t2.00\n").tables()
    assert (t.title, t.unit) == ("示例收支总表", "万元")


def test_empty_table_total_row_is_body():
    rows = [["科目编码", "科目名称", "金额"], ["", "合计", ""]]
    assert split_header(rows) == (rows[:1], rows[1:])


def test_caption_on_the_page_before_the_table():
    doc = doc_of("一、说明\n\n示例支出表\n\n单位：万元\f项目\t金额\n甲\t1.00\n")
    (t,) = doc.tables()
    assert (t.title, t.unit, t.page) == ("示例支出表", "万元", 2)
    assert paragraphs(doc) == []


def test_markdown_table_whose_marked_header_is_its_title():
    text = "| 示例收支表 | | |\n|---|---|---|\n| 单位：万元 | | |\n| 项目 | 本年 | 上年 |\n| 甲 | 1.00 | 2.00 |\n"
    (t,) = doc_of(text).tables()
    assert (t.title, t.unit, t.header, t.rows) == ("示例收支表", "万元", [["项目", "本年", "上年"]], [["甲", "1.00", "2.00"]])
