import numpy as np

from qixiang.science.qc.flags import Flag, combine, label


def test_combined_code_is_the_most_severe_verdict_of_the_checks_that_applied():
    range_check = np.array([0, 0, 2, 9, 9], dtype=np.uint8)
    buddy = np.array([0, 1, 1, 1, 9], dtype=np.uint8)
    missing = np.zeros(5, dtype=bool)
    assert combine([range_check, buddy], missing).tolist() == [0, 1, 2, 1, 9]


def test_missing_values_get_8_whatever_the_checks_say():
    verdict = np.array([9, 0], dtype=np.uint8)
    assert combine([verdict], np.array([True, True])).tolist() == [8, 8]


def test_no_checks_at_all_means_not_checked():
    assert combine([], np.array([False])).tolist() == [9]


def test_labels_follow_the_cma_scheme_in_chinese_and_english():
    assert label(Flag.SUSPECT) == "可疑"
    assert label(2, "en") == "wrong"
    assert label(8) == "缺测"
    assert label(9, "en-gb") == "not checked"
