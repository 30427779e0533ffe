"""A real browser for the tests: Debian's Chromium, headless, driven through its own
chromedriver by Selenium. It is given both programs, so Selenium Manager (which would look for
and download a browser) never runs, and the flags that keep Chromium off the network: a page on
127.0.0.1 is all it loads.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from desktop_processes import require_modules, require_tools

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

#: No sync, no updates, no first-run pages, no background lookups: nothing leaves the machine.
QUIET_FLAGS = (
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--password-store=basic",
)


@contextlib.contextmanager
def chromium(
    profile: Path, width: int = 1100, height: int = 900, language: str = "en-GB"
) -> Iterator:
    """A headless Chromium with a new profile in ``profile``, its languages ``language`` (a
    comma-separated list, as a person sets them in Chromium's settings); quit at the end."""
    require_tools("chromium", "chromedriver")
    require_modules("selenium")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    first = language.split(",")[0]
    flags = (f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--lang={first}")
    for flag in (*QUIET_FLAGS, *flags):
        options.add_argument(flag)
    # --lang alone sets the interface's language; what the pages are asked in (Accept-Language)
    # is this preference.
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium's sandbox refuses to run as root
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def whole_page(driver, path: Path) -> Path:
    """A screenshot of the whole page (the window made as tall as the page), kept as evidence."""
    width = driver.execute_script("return document.documentElement.scrollWidth")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(max(width, 1100), height + 140)  # the window's frame, headless too
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    return path
