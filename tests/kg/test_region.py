"""The region an agency's name starts with (bkg:cityOrCounty): 州 is part of a city's or
county's name when 市/县/区/旗 follows it, and a prefecture's own suffix otherwise."""

import pytest

from kg.extract.header import REGION_RE


@pytest.mark.parametrize("name, region", [
    ("祥州县卫生健康局", "祥州县"),
    ("杭州市教育局", "杭州市"),
    ("恩施州财政局", "恩施州"),
    ("徐州市铜山区财政局", "徐州市铜山区"),
    ("锡林郭勒盟财政局", "锡林郭勒盟"),
    ("青禾市人力资源和社会保障局", "青禾市"),
])
def test_region_of_a_name(name, region):
    assert REGION_RE.match(name).group(1) == region
