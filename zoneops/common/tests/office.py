"""Opening our files as an office does: LibreOffice, headless, converts them to CSV or text.

A user's reality can fail such a conversion where our own reader would not (inline strings,
an unusual part in the package). CI installs LibreOffice and sets ZONEOPS_REQUIRE_OFFICE=1, so
there a missing office fails; elsewhere those tests are skipped."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# UTF-8 (76), comma-separated (44), text quoted with " (34): a CSV that keeps Chinese.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76"
TEXT_FILTER = "txt:Text (encoded):UTF8"


def office() -> str:
    """The soffice command, or the test is skipped (failed where CI asks for it)."""
    command = shutil.which("soffice") or shutil.which("libreoffice")
    if command is None:
        if os.environ.get("ZONEOPS_REQUIRE_OFFICE"):
            pytest.fail("LibreOffice (soffice) is required here but not installed.")
        pytest.skip("LibreOffice (soffice) is not installed.")
    return command


def office_convert(data: bytes, *, suffix: str, to: str) -> str:
    """The file `data` (named *.suffix) as LibreOffice converts it with the filter `to`, read
    back as UTF-8 text. Each call has its own profile, so parallel runs do not share a lock."""
    command = office()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"file.{suffix}"
        source.write_bytes(data)
        profile = Path(folder) / "profile"
        subprocess.run(
            [
                command,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                to,
                "--outdir",
                str(Path(folder) / "out"),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        (converted,) = (Path(folder) / "out").iterdir()
        return converted.read_text(encoding="utf-8-sig")
