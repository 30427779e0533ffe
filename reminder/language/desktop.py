"""The desktop's language, as each system keeps it.

Everywhere the environment first, as gettext reads it (``LANGUAGE``, a list such as 'de:fr',
then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``): the first that is set decides, so a terminal's
``LANG=de_DE.UTF-8 psoas status`` speaks German. The locale needs not be installed: psoas reads
its own catalogues and never calls setlocale. Where none is set, Windows says the user's display
language (``GetUserDefaultUILanguage``) and macOS the preferred languages of System Settings
(``CFLocaleCopyPreferredLanguages``), both through ctypes.
"""

from __future__ import annotations

import locale
import os
import sys
from collections.abc import Mapping
from typing import Any

#: The variables gettext reads, in the order it reads them.
VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def desktop_languages(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> list[str]:
    """The user's languages, most wanted first (maybe none: then English)."""
    environ = os.environ if environ is None else environ
    for name in VARIABLES:
        value = environ.get(name, "")
        if value:
            return [code for code in value.split(":") if code]
    platform = sys.platform if platform is None else platform
    try:
        if platform == "win32":
            import ctypes  # here: Linux, where the environment says it, never loads ctypes

            return windows_languages(ctypes.windll.kernel32)  # type: ignore[attr-defined]
        if platform == "darwin":
            return macos_languages(_core_foundation())
    except (OSError, AttributeError, ValueError):
        pass
    return []


def windows_languages(kernel32: Any) -> list[str]:
    """The display language Windows shows this user, as a locale name ('de_DE'), from its
    LANGID (0x0407) by the standard library's own table."""
    langid = int(kernel32.GetUserDefaultUILanguage())
    name = locale.windows_locale.get(langid)
    return [name] if name else []


def _core_foundation() -> Any:
    import ctypes
    import ctypes.util

    path = ctypes.util.find_library("CoreFoundation")
    if not path:
        raise OSError("CoreFoundation not found")
    cf = ctypes.cdll.LoadLibrary(path)
    cf.CFLocaleCopyPreferredLanguages.restype = ctypes.c_void_p
    cf.CFArrayGetCount.restype = ctypes.c_long
    cf.CFArrayGetCount.argtypes = (ctypes.c_void_p,)
    cf.CFArrayGetValueAtIndex.restype = ctypes.c_void_p
    cf.CFArrayGetValueAtIndex.argtypes = (ctypes.c_void_p, ctypes.c_long)
    cf.CFStringGetCString.restype = ctypes.c_bool
    cf.CFStringGetCString.argtypes = (
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_long,
        ctypes.c_uint32,
    )
    cf.CFRelease.argtypes = (ctypes.c_void_p,)
    return cf


#: kCFStringEncodingUTF8
_UTF8 = 0x08000100


def macos_languages(cf: Any) -> list[str]:
    """System Settings' preferred languages, first first ('de-DE', 'fr'), from CoreFoundation:
    an array of strings, each copied out as UTF-8, the array released after."""
    import ctypes

    array = cf.CFLocaleCopyPreferredLanguages()
    if not array:
        return []
    try:
        codes = []
        for index in range(cf.CFArrayGetCount(array)):
            buffer = ctypes.create_string_buffer(64)
            if cf.CFStringGetCString(cf.CFArrayGetValueAtIndex(array, index), buffer, 64, _UTF8):
                codes.append(buffer.value.decode("utf-8"))
        return codes
    finally:
        cf.CFRelease(array)
