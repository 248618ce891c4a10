"""Finding a font that can set Chinese in a PDF.

PDF viewers have no Chinese glyphs of their own that we may rely on, so the file's PDF embeds a
subset of a CJK font. No font ships with the package (a usable one is 10-20 MB); the platform
uses ``QIXIANG_PDF_FONT`` when set (a .ttf/.otf/.ttc path, ``path#index`` for a face of a
collection), else the first of the usual Debian fonts (``fonts-noto-cjk``,
``fonts-wqy-microhei``, ``fonts-wqy-zenhei``; ``scripts/install-services.sh`` installs Noto), else
whatever fontconfig lists for Chinese. In a collection the Simplified Chinese face is chosen.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


class NoCjkFont(RuntimeError):
    """No font able to set Chinese was found; the message says how to install one."""


@dataclass(frozen=True, slots=True)
class Font:
    path: Path
    index: int = 0  # face within a .ttc collection


def _simplified_face(path: Path) -> int:
    """Index of the Simplified Chinese face in a collection (Noto names it '... SC')."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            family = font["name"].getDebugName(1) or ""
            if family.endswith(" SC") or "SC " in family or "GB" in family:
                return index
    finally:
        collection.close()
    return 0


def _fontconfig() -> list[str]:
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True,
                             timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())


@functools.lru_cache(maxsize=4)
def _find(configured: str) -> Font:
    if configured:
        path, _sep, index = configured.partition("#")
        if not Path(path).is_file():
            raise NoCjkFont(f"QIXIANG_PDF_FONT={configured!r}: no such font file")
        return Font(Path(path), int(index) if index else
                    (_simplified_face(Path(path)) if path.endswith(".ttc") else 0))
    for candidate in (*CANDIDATES, *_fontconfig()):
        path = Path(candidate)
        if path.is_file() and path.suffix.lower() in (".ttf", ".otf", ".ttc"):
            return Font(path, _simplified_face(path) if path.suffix.lower() == ".ttc" else 0)
    raise NoCjkFont("no font for Chinese text was found: install the Debian package "
                    "fonts-noto-cjk (scripts/install-services.sh does) or set QIXIANG_PDF_FONT "
                    "to a .ttf/.otf/.ttc file")


def cjk_font() -> Font:
    """The font to embed; raises :class:`NoCjkFont` when there is none."""
    return _find(getattr(settings, "QIXIANG_PDF_FONT", ""))
