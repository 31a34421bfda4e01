"""scripts/setup installs every Debian package the build and the tests use, in two sets.

scripts/check_packages reads what the builds really used (headers, linker inputs, loaded
libraries, compilers, tools) and maps each file to its Debian package. These tests take a
package out of setup's lists, as a careless change would, and expect the check to fail naming
the package, the file that needs it and the list to put it in: the class of bug that once let
CI pass on a machine that happened to have libclang-rt-14-dev while a fresh one failed.
They need the release and fuzz builds, which scripts/test builds before the end-to-end tests.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECK = REPO / "scripts/check_packages"
RUN_LIST = REPO / "scripts/packages/apt-run.txt"
TEST_LIST = REPO / "scripts/packages/apt-test.txt"


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHECK), "--require", "release", "fuzz", *args],
                          capture_output=True, text=True, timeout=300, check=False)


def list_without(source: Path, package: str, tmp_path: Path) -> Path:
    lines = source.read_text().splitlines()
    kept = [line for line in lines if line.split("#")[0].split()[:1] != [package]]
    assert len(kept) == len(lines) - 1, f"{package} is not named in {source}"
    out = tmp_path / source.name
    out.write_text("\n".join(kept) + "\n")
    return out


def packages(source: Path) -> set[str]:
    return {line.split("#")[0].split()[0] for line in source.read_text().splitlines()
            if line.split("#")[0].split()}


def test_setups_lists_cover_everything_the_builds_and_tools_use() -> None:
    result = check()
    assert result.returncode == 0, result.stderr
    assert "every one installed by scripts/setup" in result.stdout


def test_a_missing_fuzzer_runtime_fails_naming_its_package_and_list(tmp_path: Path) -> None:
    without = list_without(TEST_LIST, "libclang-rt-14-dev", tmp_path)
    result = check("--test-list", str(without))
    assert result.returncode == 1
    assert "Debian package libclang-rt-14-dev is used but scripts/setup --test" in result.stderr
    assert "build/fuzz links /usr/lib/llvm-14/lib/clang/" in result.stderr
    assert f"add 'libclang-rt-14-dev' to {without}" in result.stderr


@pytest.mark.parametrize(("package", "evidence"), [
    ("libxgboost-dev", "build/release"),         # a header and a library of the engine
    ("libcurl4-openssl-dev", "build/release"),   # the MLflow client's library
    ("curl", "the scripts run `curl`"),          # a command scripts/run_mlflow_server.sh runs
])
def test_a_package_scripts_run_needs_fails_when_setup_drops_it(
        package: str, evidence: str, tmp_path: Path) -> None:
    result = check("--run-list", str(list_without(RUN_LIST, package, tmp_path)))
    assert result.returncode == 1
    assert f"Debian package {package} is used but scripts/setup does not" in result.stderr
    assert evidence in result.stderr


def test_a_package_scripts_run_needs_may_not_hide_in_the_test_list(tmp_path: Path) -> None:
    run_list = list_without(RUN_LIST, "libspdlog-dev", tmp_path)
    test_list = tmp_path / "apt-test-plus.txt"
    test_list.write_text(TEST_LIST.read_text() + "libspdlog-dev\n")
    result = check("--run-list", str(run_list), "--test-list", str(test_list))
    assert result.returncode == 1
    assert "move 'libspdlog-dev' (or the package it comes with) from apt-test-plus.txt to " \
           "apt-run.txt: scripts/run needs it" in result.stderr


def test_a_listed_package_that_is_not_installed_is_named_with_its_line(tmp_path: Path) -> None:
    test_list = tmp_path / "apt-test.txt"
    test_list.write_text(TEST_LIST.read_text() + "leadscore-no-such-package  # typo\n")
    line = len(test_list.read_text().splitlines())
    result = check("--test-list", str(test_list))
    assert result.returncode == 1
    assert f"{test_list}:{line} names 'leadscore-no-such-package', which is not installed" \
        in result.stderr


def test_scripts_run_needs_nothing_from_the_test_set() -> None:
    # What a user who only wants scores installs: the release build and the runtime Python
    # packages use no package of apt-test.txt.
    result = check("--scope", "run", "--test-list", "/dev/null")
    assert result.returncode == 0, result.stderr
    test_only = {"chromium", "clang-format", "clang-tidy", "clang-14", "libclang-rt-14-dev",
                 "wrk", "libgtest-dev", "libbenchmark-dev"}
    assert test_only <= packages(TEST_LIST)
    assert not test_only & packages(RUN_LIST)
    runtime_python = (REPO / "requirements.txt").read_text().lower()
    for tool in ("pytest==", "schemathesis==", "ruff==", "xgboost=="):
        assert tool not in runtime_python
        assert tool in (REPO / "requirements-test.txt").read_text().lower()


def test_setup_refuses_an_unknown_argument() -> None:
    result = subprocess.run([str(REPO / "scripts/setup"), "--tests"], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "unknown argument '--tests'; use no argument (what scripts/run needs) or --test" \
        in result.stderr
