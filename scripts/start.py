#!/usr/bin/env python3
"""Install CareRoute into .venv and serve it on SQLite with the demo station loaded.

Needs only Python 3.11+ and pip. Extra arguments go to `careroute serve` (e.g. --port 8080).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def pdf_fonts() -> None:
    """PDFs (kitchen sheets, labels) need Pango and a CJK font: installed when this machine
    lets us (root with apt-get), otherwise said."""
    has_font = (
        shutil.which("fc-list")
        and subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip()
    )
    if has_font:
        return
    packages = ["fonts-noto-cjk", "libpango-1.0-0", "libpangoft2-1.0-0"]
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=False)
    else:
        print(f"PDF output needs a CJK font and Pango: apt-get install {' '.join(packages)}")


def main() -> None:
    if not (BIN / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(ROOT / ".venv")], check=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True, cwd=ROOT)
    subprocess.run([*pip, "-e", "."], check=True, cwd=ROOT)
    subprocess.run([str(BIN / "careroute"), "demo"], check=True, cwd=ROOT)
    pdf_fonts()
    careroute = str(BIN / "careroute")
    # The demo station plans on the streets of its own map extract.
    os.environ.setdefault(
        "CAREROUTE_MAP_EXTRACT", str(ROOT / "scripts" / "demo" / "nanjing-xinjiekou.osm.pbf")
    )
    os.execv(careroute, [careroute, "serve", *sys.argv[1:]])


if __name__ == "__main__":
    main()
