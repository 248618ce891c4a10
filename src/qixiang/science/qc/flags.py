"""The CMA quality-control codes and how the checks' verdicts combine into one code per value.

Every stored value carries one CMA code. A check gives each value 0 (passed), 1 (suspect), 2
(wrong) or 9 (the check could not apply to it: no neighbours, no history, no table row). The
value's code is the most severe verdict of the checks that applied (2 > 1 > 0), 8 when the value
is missing, and 9 only when no check could apply at all. Codes 3 and 4 are set later by people
(订正 corrected, 修改 modified), never by an automatic check.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

import numpy as np


class Flag(IntEnum):
    CORRECT = 0  # 正确
    SUSPECT = 1  # 可疑
    WRONG = 2  # 错误
    CORRECTED = 3  # 订正数据
    MODIFIED = 4  # 修改数据
    RESERVED_5 = 5  # 预留
    RESERVED_6 = 6  # 预留
    NO_TASK = 7  # 无观测任务
    MISSING = 8  # 缺测
    NOT_CHECKED = 9  # 未作质量控制


LABELS: dict[Flag, tuple[str, str]] = {
    Flag.CORRECT: ("正确", "correct"),
    Flag.SUSPECT: ("可疑", "suspect"),
    Flag.WRONG: ("错误", "wrong"),
    Flag.CORRECTED: ("订正数据", "corrected"),
    Flag.MODIFIED: ("修改数据", "modified"),
    Flag.RESERVED_5: ("预留", "reserved"),
    Flag.RESERVED_6: ("预留", "reserved"),
    Flag.NO_TASK: ("无观测任务", "no observation task"),
    Flag.MISSING: ("缺测", "missing"),
    Flag.NOT_CHECKED: ("未作质量控制", "not checked"),
}


def label(flag: int, language: str = "zh-hans") -> str:
    """The CMA label of a code, Chinese by default, English when ``language`` starts with en."""
    zh, en = LABELS[Flag(flag)]
    return en if language.startswith("en") else zh


def combine(verdicts: Sequence[np.ndarray], missing: np.ndarray) -> np.ndarray:
    """One CMA code per value from the checks' verdicts (each 0, 1, 2 or 9 per value).

    The most severe verdict among the checks that applied; 8 where ``missing``; 9 where no check
    applied.
    """
    missing = np.asarray(missing, dtype=bool)
    out = np.full(missing.shape, Flag.NOT_CHECKED, dtype=np.uint8)
    worst = np.full(missing.shape, -1, dtype=np.int16)
    for verdict in verdicts:
        applied = verdict != Flag.NOT_CHECKED
        worst = np.where(applied, np.maximum(worst, verdict.astype(np.int16)), worst)
    out[worst >= 0] = worst[worst >= 0]
    out[missing] = Flag.MISSING
    return out
