"""Find fonts for PDF letters on this machine, so Chinese is drawn, not boxes.

A PDF embeds (a subset of) its fonts, so the reader needs nothing installed; the machine that
*makes* the PDF needs a font with Chinese glyphs. Search order:

1. ``HOSTCLAIM_CJK_FONT`` / ``HOSTCLAIM_FONT`` — a path, optionally ``path#face-index``;
2. fonts shipped in ``hostclaim/data/fonts/``;
3. well-known system locations (Debian/Ubuntu, Fedora, Arch, macOS, Windows);
4. the PyPI package ``noto-cjk-sans-otc``;
5. fontconfig (``fc-match``), when installed.

TrueType-outline fonts (WenQuanYi Micro Hei, Droid Sans Fallback) come before CFF-outline ones
(Noto Sans CJK): every PDF text extractor reads them back, including pdfminer/pdfplumber.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError

from hostclaim.errors import InvalidInput, NotFound

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "fonts"
PROBE_HAN = "投诉函贵司服务"
PROBE_LATIN = "Aa€–’"
# In a collection, the face made for Simplified Chinese.
_SC_HINTS = (" SC", "GB", "Hans", "CN", "Micro Hei", "Zen Hei", "YaHei", "SimSun", "SimHei")


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int = 0
    name: str = ""

    def covers(self, text: str) -> bool:
        cmap = _cmap(self.path, self.index)
        return all(ord(ch) in cmap for ch in text if not ch.isspace())

    def missing(self, text: str) -> set[str]:
        cmap = _cmap(self.path, self.index)
        return {ch for ch in text if not ch.isspace() and ord(ch) not in cmap}


@dataclass(frozen=True)
class FontSet:
    """Fonts of one PDF: the body font (regular, maybe bold), and a Chinese font for the rest."""

    regular: FontFace
    bold: FontFace | None = None
    cjk: FontFace | None = None


# (regular, bold) in order of preference; paths relative to a font root.
_CJK_SYSTEM: tuple[tuple[str, str | None], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
    ("/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc", None),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", None),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None),
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ),
    (
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    ),
    (
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    ),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", None),
    ("/System/Library/Fonts/Hiragino Sans GB.ttc", None),
    ("/System/Library/Fonts/STHeiti Light.ttc", "/System/Library/Fonts/STHeiti Medium.ttc"),
    ("/System/Library/Fonts/Supplemental/Songti.ttc", None),
    ("/Library/Fonts/Arial Unicode.ttf", None),
    ("{windir}/Fonts/msyh.ttc", "{windir}/Fonts/msyhbd.ttc"),
    ("{windir}/Fonts/simhei.ttf", None),
    ("{windir}/Fonts/simsun.ttc", None),
)
_LATIN_SYSTEM: tuple[tuple[str, str | None], ...] = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf",
    ),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    ),
    (
        "/System/Library/Fonts/Supplemental/Arial.ttf",
        "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
    ),
    ("/Library/Fonts/Arial.ttf", "/Library/Fonts/Arial Bold.ttf"),
    ("{windir}/Fonts/arial.ttf", "{windir}/Fonts/arialbd.ttf"),
)


@cache
def _cmap(path: Path, index: int) -> frozenset[int]:
    font = _open(path, index)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def _open(path: Path, index: int) -> TTFont:
    if path.suffix.lower() in (".ttc", ".otc"):
        return TTFont(path, fontNumber=index, lazy=True)
    return TTFont(path, lazy=True)


def _faces(path: Path) -> list[FontFace]:
    """Every face of a font file, with its full name."""
    if path.suffix.lower() in (".ttc", ".otc"):
        collection = TTCollection(path, lazy=True)
        try:
            return [
                FontFace(path, i, str(font["name"].getDebugName(4) or ""))
                for i, font in enumerate(collection.fonts)
            ]
        finally:
            collection.close()
    font = TTFont(path, lazy=True)
    try:
        return [FontFace(path, 0, str(font["name"].getDebugName(4) or ""))]
    finally:
        font.close()


def _pick(path: Path, index: int | None, probe: str, prefer: tuple[str, ...]) -> FontFace | None:
    """The face of ``path`` that draws ``probe``; a preferred face of a collection first."""
    try:
        faces = _faces(path)
    except (OSError, TTLibError, KeyError, AssertionError):
        return None
    if index is not None:
        faces = [f for f in faces if f.index == index]
    usable = [f for f in faces if f.covers(probe)]
    preferred = [f for f in usable if any(hint in f.name for hint in prefer)]
    best = preferred or usable
    return best[0] if best else None


def _expand(template: str) -> Path:
    return Path(template.format(windir=os.environ.get("WINDIR", r"C:\Windows")))


def _from_env(variable: str, probe: str, prefer: tuple[str, ...]) -> FontFace | None:
    value = os.environ.get(variable, "").strip()
    if not value:
        return None
    raw, _, face = value.partition("#")
    path = Path(raw).expanduser()
    if not path.is_file():
        raise InvalidInput(
            "error.letters.bad_font", path=raw, problem="no such file", variable=variable
        )
    found = _pick(path, int(face) if face.isdigit() else None, probe, prefer)
    if found is None:
        raise InvalidInput(
            "error.letters.bad_font",
            path=raw,
            problem=f"it cannot draw {probe!r}",
            variable=variable,
        )
    return found


def _pypi_cjk() -> Iterator[tuple[Path, Path | None]]:
    spec = importlib.util.find_spec("noto_cjk_sans_otc")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            yield Path(folder) / "NotoSansCJK-Regular.ttc", None


def _fontconfig(lang: str) -> Iterator[tuple[Path, Path | None]]:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return
    try:
        out = subprocess.run(
            [fc_match, "-f", "%{file}", f":lang={lang}"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return
    if out:
        yield Path(out), None


def search(
    candidates: Iterable[tuple[Path, Path | None]], probe: str, prefer: tuple[str, ...] = ()
) -> tuple[FontFace, FontFace | None] | None:
    """The first candidate (regular, bold) whose regular face draws ``probe``."""
    for regular, bold in candidates:
        if not regular.is_file():
            continue
        face = _pick(regular, None, probe, prefer)
        if face is None:
            continue
        bold_face = _pick(bold, None, probe, prefer) if bold and bold.is_file() else None
        return face, bold_face
    return None


def _shipped() -> Iterator[tuple[Path, Path | None]]:
    if SHIPPED.is_dir():
        for path in sorted(SHIPPED.iterdir()):
            if (
                path.suffix.lower() in (".ttf", ".otf", ".ttc", ".otc")
                and "bold" not in path.name.lower()
            ):
                yield path, None


def cjk_candidates() -> Iterator[tuple[Path, Path | None]]:
    yield from _shipped()
    for regular, bold in _CJK_SYSTEM:
        yield _expand(regular), _expand(bold) if bold else None
    yield from _pypi_cjk()
    yield from _fontconfig("zh-cn")


def latin_candidates() -> Iterator[tuple[Path, Path | None]]:
    for regular, bold in _LATIN_SYSTEM:
        yield _expand(regular), _expand(bold) if bold else None


@cache
def find_cjk() -> tuple[FontFace, FontFace | None] | None:
    env = _from_env("HOSTCLAIM_CJK_FONT", PROBE_HAN, _SC_HINTS)
    if env is not None:
        return env, None
    return search(cjk_candidates(), PROBE_HAN, _SC_HINTS)


@cache
def find_latin() -> tuple[FontFace, FontFace | None] | None:
    env = _from_env("HOSTCLAIM_FONT", PROBE_LATIN, ())
    if env is not None:
        return env, None
    return search(latin_candidates(), PROBE_LATIN)


def fonts_for(lang: str) -> FontSet:
    """The fonts a letter in ``lang`` is set in; a clear error when the machine has none."""
    cjk = find_cjk()
    if lang == "zh":
        if cjk is None:
            raise NotFound("error.letters.no_font")
        return FontSet(regular=cjk[0], bold=cjk[1], cjk=cjk[0])
    latin = find_latin()
    if latin is not None:
        return FontSet(regular=latin[0], bold=latin[1], cjk=cjk[0] if cjk else None)
    if cjk is not None:
        return FontSet(regular=cjk[0], bold=cjk[1], cjk=cjk[0])
    raise NotFound("error.letters.no_latin_font")


def clear_cache() -> None:
    """Forget what was found (after installing a font, or in tests)."""
    find_cjk.cache_clear()
    find_latin.cache_clear()
