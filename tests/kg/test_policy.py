"""Document-number recognition and normalization, titles, laws (kg.policy)."""

import pytest

from kg.policy import find_citations, find_numbers, is_law_title, normalize_number


@pytest.mark.parametrize("printed, number, issuer, year, serial", [
    ("财社【2016】101 号", "财社〔2016〕101号", "财社", 2016, 101),
    ("财社〔2016〕101号", "财社〔2016〕101号", "财社", 2016, 101),
    ("沪商规（2024）2号", "沪商规〔2024〕2号", "沪商规", 2024, 2),
    ("沪商规(2024)2号", "沪商规〔2024〕2号", "沪商规", 2024, 2),
    ("晋财农发[2014]37号", "晋财农发〔2014〕37号", "晋财农发", 2014, 37),
    ("国卫基层发［２０１７］５６ 号", "国卫基层发〔2017〕56号", "国卫基层发", 2017, 56),
    ("鄂财社发 【 2020 】 105 号", "鄂财社发〔2020〕105号", "鄂财社发", 2020, 105),
    ("天人社文〔2017〕第74号", "天人社文〔2017〕74号", "天人社文", 2017, 74),
    ("普投资规范〔2023〕1号", "普投资规范〔2023〕1号", "普投资规范", 2023, 1),
])
def test_every_bracket_form_normalizes(printed, number, issuer, year, serial):
    [n] = find_numbers(printed)
    assert (n.number, n.issuer, n.year, n.serial) == (number, issuer, year, serial)
    assert normalize_number(printed) == number


def test_issuer_excludes_the_words_before_it():
    [n] = find_numbers("依据天人社文【2017】74 号文件关于要求解决人员工资的请示")
    assert n.issuer == "天人社文"
    [n] = find_numbers("按照闽卫健发〔2015〕7号的要求")
    assert n.issuer == "闽卫健发"


def test_not_a_number():
    assert find_numbers("2024 年预算 45928.08 万元，增长 19.15%") == []
    assert normalize_number("第三部分 2024 年部门预算") is None


def test_title_before_number_in_brackets():
    [c] = find_citations("1、《普陀区服务企业发展工作实施意见》（普投资规范〔2023〕1号）。")
    assert c.number.number == "普投资规范〔2023〕1号"
    assert c.title == "普陀区服务企业发展工作实施意见"


def test_title_whose_opening_bracket_is_missing():
    text = "项目的政策依据：鄂财社发【2020】105 号；财政部、人力资源社会保障部关于机关事业单位基本养老保险基金财务管理有关问题的通知》（财社【2016】101 号）文件规定"
    cites = find_citations(text)
    assert [c.number.number for c in cites] == ["鄂财社发〔2020〕105号", "财社〔2016〕101号"]
    assert cites[0].title is None
    assert cites[1].title == "财政部、人力资源社会保障部关于机关事业单位基本养老保险基金财务管理有关问题的通知"


def test_title_after_number():
    [c] = find_citations("依据闽卫健发【2015】7号《关于进一步加强公共场所卫生监督工作的通知》文件测算")
    assert c.number.number == "闽卫健发〔2015〕7号"
    assert c.title == "关于进一步加强公共场所卫生监督工作的通知"


def test_laws_cited_without_number():
    cites = find_citations("根据《中华人民共和国预算法》、《中华人民共和国政府信息公开条例》及《地方预决算公开操作规程》等有关规定")
    assert [c.title for c in cites] == ["中华人民共和国预算法", "中华人民共和国政府信息公开条例", "地方预决算公开操作规程"]
    assert all(c.number is None for c in cites)


def test_tables_and_reports_are_not_laws():
    assert not is_law_title("部门收支总表")
    assert not is_law_title("2024年部门预算公开报告")
    assert is_law_title("党政机关厉行节约反对浪费条例")
    assert is_law_title("上海市预算绩效管理实施办法")
