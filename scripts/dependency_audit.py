"""Known vulnerabilities in the locked requirements: pip-audit over `uv export` (run by .ci/run).

Every locked package of every group (the product, the dev tools, the benchmark's comparison) is
looked up in PyPI's advisory data (the PyPA advisory database, through PyPI's JSON API). A
package with a known vulnerability fails the run; so does one that could not be looked up
(--strict), and so does an advisory service that cannot be reached: the check fails with a
clear message rather than pass without having looked. Where the network has no route to the
advisory data at all (this project's CI machine: PyPI's JSON API answers 404, osv.dev does not
resolve), `--when-unreachable warn` prints that the audit was NOT done and goes on; a reachable
service with a known vulnerability still fails.

    uv run python scripts/dependency_audit.py [--when-unreachable warn] [--ignore-vuln ID ...]

An advisory that does not apply (no fix yet, code path unused) is passed with --ignore-vuln and a
reason beside it in .ci/run.
"""

import json
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE = "https://pypi.org/pypi/{name}/{version}/json"  # pip-audit's default service (pypi)
TIMEOUT = 30


def locked_requirements() -> str:
    """The lock as a hashed requirements file, every group, without the project itself."""
    return subprocess.run(  # noqa: S603
        [
            shutil.which("uv") or "uv",
            "export",
            "--format",
            "requirements-txt",
            "--locked",
            "--all-groups",
            "--no-emit-project",
            "--quiet",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def first_pin(requirements: str) -> tuple[str, str]:
    for line in requirements.splitlines():
        if "==" in line and not line.lstrip().startswith(("#", "-")):
            name, version = line.split(";")[0].split("\\")[0].strip().split("==")
            return name, version
    raise SystemExit("dependency audit: the lock exported no pinned requirement")


def service_reachable(name: str, version: str) -> str | None:
    """None when the advisory service answers for a locked package, else why not."""
    url = SERVICE.format(name=name, version=version)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # nosec B310 # noqa: S310  a constant https URL
            answer = json.load(response)
    except urllib.error.HTTPError as error:
        return f"{url} answered HTTP {error.code}"
    except (OSError, ValueError) as error:
        return f"{url}: {error}"
    if "vulnerabilities" not in answer:
        return f"{url} answered without advisory data"
    return None


def main() -> int:
    arguments = sys.argv[1:]
    warn_only = False
    if "--when-unreachable" in arguments:
        at = arguments.index("--when-unreachable")
        warn_only = arguments[at + 1 : at + 2] == ["warn"]
        del arguments[at : at + 2]
    requirements = locked_requirements()
    name, version = first_pin(requirements)
    problem = service_reachable(name, version)
    if problem:
        print(
            f"dependency audit {'NOT DONE' if warn_only else 'FAILED'}: the advisory service "
            "cannot be reached, so the locked requirements were not checked for known "
            f"vulnerabilities.\n  {problem}\n"
            "Run it again where https://pypi.org/pypi/<name>/<version>/json answers.",
            file=sys.stderr,
        )
        return 0 if warn_only else 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "requirements.txt"
        path.write_text(requirements, encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--strict",
            "--disable-pip",
            "--require-hashes",
            "--progress-spinner",
            "off",
            "--timeout",
            str(TIMEOUT),
            "-r",
            str(path),
            *arguments,
        ]
        return subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
