from search.tokenize import Tokenizer, char_bigrams, exact_terms, normalize


def test_normalize_folds_width_brackets_and_export_spaces():
    assert normalize("财社【2016】101 号") == "财社〔2016〕101号"
    assert normalize("财社[2016]101号") == normalize("财社（2016）101号") == "财社〔2016〕101号"
    assert normalize("２０２４ 年预算５ 万元") == "2024年预算5万元"
    # brackets around something that is not a year stay brackets
    assert normalize("（一）主要职责") == "(一)主要职责"


def test_policy_numbers_stay_whole_terms_in_documents_and_queries():
    tk = Tokenizer()
    doc_terms = tk.terms("依据财社【2016】101 号文件规定执行")
    query_terms = tk.terms("财社〔2016〕101号")
    assert "财社〔2016〕101号" in doc_terms
    assert "财社〔2016〕101号" in query_terms
    assert "依据" in doc_terms  # the words before the number are still cut


def test_user_dictionary_keeps_graph_names_whole():
    name = "养老待遇资格认证专项"
    plain, with_dict = Tokenizer(), Tokenizer([name, "甲市医疗保障局（本级）"])
    assert name not in plain.words_of(f"安排{name}资金")
    assert name in with_dict.words_of(f"安排{name}资金")
    # a name jieba would split at its brackets is matched by the tokenizer itself
    assert "甲市医疗保障局(本级)" in with_dict.words_of("甲市医疗保障局(本级)支出")


def test_two_tokenizers_do_not_share_a_dictionary():
    a = Tokenizer(["见习岗位补贴"])
    b = Tokenizer()
    assert "见习岗位补贴" in a.words_of("发放见习岗位补贴")
    assert "见习岗位补贴" not in b.words_of("发放见习岗位补贴")
    assert a.dictionary_hash != b.dictionary_hash


def test_bigrams_let_partial_queries_match_and_skip_particles():
    assert char_bigrams("刷脸认证") == ["刷脸", "脸认", "认证"]
    assert "的时" not in char_bigrams("公开的时限")
    tk = Tokenizer()
    assert "刷脸" in tk.terms("手机远程刷脸认证")
    assert "怎么" not in tk.terms("怎么办理认证")  # question words carry no topic


def test_exact_terms_find_codes_and_policy_numbers_but_not_amounts():
    got = exact_terms("2080501 行政单位离退休 依据财社[2016]101号 支出100万元")
    assert "2080501" in got
    assert "财社〔2016〕101号" in got
    assert "100" not in got
