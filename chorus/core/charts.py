"""Draw Vega-Lite charts on the server, so pages need no JavaScript and load nothing from elsewhere.

vl-convert runs Vega in-process and writes SVG (pages) or PNG (reports). Drawing takes tens to
hundreds of milliseconds, so SVGs are kept in memory keyed by chart, language and a digest of the
figures drawn: the same figures are drawn once per process.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.utils import translation

VEGA_LITE_VERSION = "6.4"
CACHE_SIZE = 256
ACCENT = "#7a1f5c"

_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
_URL = re.compile(r"(?:https?:)?//[^\s\"'<>)]+")
_PATH_DATA = re.compile(r'\bd="([^"]*)"')
_LONG_DECIMAL = re.compile(r"(\d\.\d)\d+")

_cache: OrderedDict[tuple[str, str, str], str] = OrderedDict()
_cache_lock = threading.Lock()


class UnsafeChart(ValueError):
    """A rendered chart could load or run something; it is never served."""


def _shorten_path(match: re.Match) -> str:
    return 'd="' + _LONG_DECIMAL.sub(r"\1", match.group(1)) + '"'


def _shorten_paths(svg: str) -> str:
    # Vega writes coordinates to a thousandth of a pixel; a tenth looks the same and makes a map
    # a fifth lighter.
    return _PATH_DATA.sub(_shorten_path, svg)


def check_self_contained(svg: str) -> str:
    """Return the SVG unchanged, or raise UnsafeChart if it could load or run anything."""
    lowered = svg.lower()
    if "<script" in lowered or "<foreignobject" in lowered or "href=" in lowered:
        raise UnsafeChart("a chart contains a script, foreign content or a link")
    if set(_URL.findall(svg)) - _NAMESPACES:
        raise UnsafeChart("a chart refers to another site")
    return svg


def render_svg(spec: dict) -> str:
    """Render a Vega-Lite spec to a self-contained SVG."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION)
    return check_self_contained(_shorten_paths(svg))


def chart_png(spec: dict) -> bytes:
    """Render a Vega-Lite spec to a PNG at twice its size, for reports and PDFs."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(spec, scale=2, vl_version=VEGA_LITE_VERSION)


def cached_svg(name: str, data, build_spec: Callable[[], dict]) -> str:
    """Return the chart `name` drawn from `data`, drawing it only if these figures are new."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = (name, language, hashlib.sha256(repr(data).encode()).hexdigest())
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    # Drawn outside the lock: two first requests may both draw, which is harmless.
    svg = render_svg(build_spec())
    with _cache_lock:
        _cache[key] = svg
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return svg


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
