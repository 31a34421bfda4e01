"""scripts/check_packages: every Debian package the build and the tests use is named in setup.

A fresh machine has only what scripts/setup installs, so a file the build reads from a package
that setup does not name works here by accident and fails there. This check collects the
files the builds and tools really use, finds each file's Debian package (dpkg's own file
lists, like `dpkg -S`) and fails, naming the package and the file, when that package is
neither named in scripts/packages/apt-*.txt nor installed with one that is (Depends and
Pre-Depends, as apt installs them with --no-install-recommends) nor part of every Debian
system (Essential or Priority required). Two scopes, because scripts/run installs less:

- run (apt-run.txt): the release build and the runtime Python packages of requirements.txt;
- test (apt-run.txt + apt-test.txt): the dev, asan, fuzz and bench builds, the test-only
  Python packages and the tools scripts/test and bench/ run.

Evidence from a build directory: the headers each object was compiled from (`ninja -t deps`),
every file each link read (`link-deps/*.d`, written by the linker: libraries and the
compiler's sanitizer and fuzzer runtimes), the shared libraries each linked program loads
(`ldd`) and the compiler (CMakeCache.txt). Files outside Debian's packages (the repository,
the venv's own wheels, /usr/local) are not Debian's to install and are skipped.

Run it through the scripts/check_packages wrapper; it needs only the standard library.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DPKG = Path("/var/lib/dpkg")

# Builds and the scope whose packages they may use.
BUILD_SCOPES = {"release": "run", "dev": "test", "asan": "test", "fuzz": "test", "bench": "test"}

# Commands the scripts run, by scope (the compilers come from each build's CMakeCache.txt).
COMMANDS = {
    "run": ["cmake", "ninja", "git", "curl", "make", "node", "npm"],
    "test": ["clang-format", "clang-tidy", "clang++-14", "chromium", "wrk", "haproxy",
             "systemd-analyze", "pkg-config", "bc", "time", "java", "promtool", "prometheus"],
}


@dataclass
class Use:
    """One file the build or a tool uses, and how (for the message)."""

    scope: str
    path: str
    how: str


@dataclass
class Installed:
    """What dpkg says of one installed package."""

    depends: list[list[str]] = field(default_factory=list)  # alternatives per dependency
    provides: list[str] = field(default_factory=list)
    base: bool = False  # Essential or Priority required: on every Debian system


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/check_packages",
        description="Fail when the build or the tests use a Debian package that "
        "scripts/setup's lists (scripts/packages/apt-run.txt, apt-test.txt) do not name.",
    )
    parser.add_argument("--run-list", type=Path, default=REPO / "scripts/packages/apt-run.txt",
                        help="packages scripts/run needs (default: %(default)s)")
    parser.add_argument("--test-list", type=Path, default=REPO / "scripts/packages/apt-test.txt",
                        help="packages scripts/test adds (default: %(default)s)")
    parser.add_argument("--build-root", type=Path, default=REPO / "build",
                        help="folder of the preset builds (default: %(default)s)")
    parser.add_argument("--venv", type=Path, default=REPO / ".venv",
                        help="the Python venv (default: %(default)s)")
    parser.add_argument("--require", nargs="*", default=[], metavar="PRESET",
                        help="builds that must exist (e.g. release dev asan fuzz)")
    parser.add_argument("--scope", choices=["run", "test"], action="append",
                        help="check only what scripts/run (run) or scripts/test (test) uses; "
                        "default both")
    args = parser.parse_args(argv)
    scopes = set(args.scope or ["run", "test"])

    problems: list[str] = []
    named = {"run": read_list(args.run_list, problems), "test": read_list(args.test_list, problems)}
    installed = read_dpkg_status()
    for scope, names in named.items():
        for name, where in names.items():
            if name not in installed:
                problems.append(f"{where} names '{name}', which is not installed: run "
                                "scripts/setup --test, or correct the name")

    uses, checked = collect_uses(args.build_root, args.venv, args.require, scopes, problems)
    owners = file_owners({use.path for use in uses})
    base = closure({name for name, pkg in installed.items() if pkg.base}, installed)
    allowed = {"run": closure(set(named["run"]), installed) | base}
    allowed["test"] = closure(set(named["run"]) | set(named["test"]), installed) | base
    test_only = allowed["test"] - allowed["run"]

    missing: dict[tuple[str, str], list[Use]] = defaultdict(list)
    used_packages: set[str] = set()
    for use in uses:
        package = owners.get(use.path)
        if package is None:
            continue  # not from a Debian package: the repository, a wheel, /usr/local
        used_packages.add(package)
        if package not in allowed[use.scope]:
            missing[(package, use.scope)].append(use)

    for (package, scope), evidence in sorted(missing.items()):
        # A link or a command says more than one of many headers.
        first = next((use for use in evidence if "compiles" not in use.how), evidence[0])
        more = f" (and {len(evidence) - 1} more files)" if len(evidence) > 1 else ""
        if scope == "run" and package in test_only:
            remedy = (f"move '{package}' (or the package it comes with) from {args.test_list.name} "
                      f"to {args.run_list.name}: scripts/run needs it")
        else:
            target = args.run_list if scope == "run" else args.test_list
            remedy = f"add '{package}' to {display(target)} with a comment saying why"
        problems.append(f"Debian package {package} is used but scripts/setup"
                        f"{' --test' if scope == 'test' else ''} does not install it: "
                        f"{first.how} {first.path}{more}. To fix: {remedy}.")

    if problems:
        print(f"check_packages: {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"check_packages: {len(uses)} files used by {', '.join(checked)} come from "
          f"{len(used_packages)} Debian packages, every one installed by scripts/setup")
    return 0


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def read_list(path: Path, problems: list[str]) -> dict[str, str]:
    """Package names of a list file (first word of a line; '#' starts a comment) → 'file:line'."""
    names: dict[str, str] = {}
    try:
        lines = path.read_text().splitlines()
    except OSError as error:
        problems.append(f"cannot read the package list {path}: {error.strerror}")
        return names
    for number, line in enumerate(lines, start=1):
        words = line.split("#", 1)[0].split()
        if words:
            names[words[0]] = f"{display(path)}:{number}"
    return names


def read_dpkg_status() -> dict[str, Installed]:
    """Installed packages with their dependencies, from dpkg's status file."""
    installed: dict[str, Installed] = {}
    for stanza in (DPKG / "status").read_text(errors="replace").split("\n\n"):
        fields = parse_stanza(stanza)
        if "install ok installed" not in fields.get("Status", ""):
            continue
        package = Installed(
            depends=[alternatives(group)
                     for key in ("Pre-Depends", "Depends")
                     for group in split_relations(fields.get(key, ""))],
            provides=[names[0] for names in map(alternatives, split_relations(
                fields.get("Provides", "")))],
            base=fields.get("Essential") == "yes" or fields.get("Priority") == "required",
        )
        installed[fields["Package"]] = package
    return installed


def parse_stanza(stanza: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = ""
    for line in stanza.splitlines():
        if line[:1] in (" ", "\t") and key:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value.strip()
    return fields


def split_relations(value: str) -> list[str]:
    return [group for group in (part.strip() for part in value.split(",")) if group]


def alternatives(group: str) -> list[str]:
    """'libc6 (>= 2.34) | libc6.1:any' → ['libc6', 'libc6.1'] (versions and arch dropped)."""
    return [re.split(r"[\s(:\[]", choice.strip(), maxsplit=1)[0] for choice in group.split("|")]


def closure(names: set[str], installed: dict[str, Installed]) -> set[str]:
    """The packages apt installs with `names`: Depends and Pre-Depends, recursively. Of each
    set of alternatives the first one installed here counts; a virtual package counts as its
    installed providers."""
    providers: dict[str, list[str]] = defaultdict(list)
    for name, package in installed.items():
        for virtual in package.provides:
            providers[virtual].append(name)
    result: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in result:
            continue
        result.add(name)
        if name not in installed:
            todo.extend(providers.get(name, []))
            continue
        for group in installed[name].depends:
            chosen = next((alt for alt in group if alt in installed or alt in providers), None)
            if chosen is not None:
                todo.append(chosen)
    return result


def collect_uses(build_root: Path, venv: Path, required: list[str], scopes: set[str],
                 problems: list[str]) -> tuple[list[Use], list[str]]:
    uses: list[Use] = []
    checked: list[str] = []
    for preset, scope in BUILD_SCOPES.items():
        if scope not in scopes:
            continue
        build = build_root / preset
        if not (build / "build.ninja").exists():
            if preset in required:
                problems.append(f"{display(build)} is not built: run scripts/build {preset}")
            continue
        checked.append(display(build))
        uses += build_uses(build, scope, problems)
    if venv.is_dir():
        checked.append(display(venv))
        uses += [use for use in venv_uses(venv, problems) if use.scope in scopes]
    for scope, commands in COMMANDS.items():
        if scope not in scopes:
            continue
        for command in commands:
            found = shutil.which(command)
            if found is None:
                problems.append(f"command {command} is not on PATH: run scripts/setup"
                                f"{' --test' if scope == 'test' else ''}")
                continue
            uses += [Use(scope, path, f"the scripts run `{command}`:")
                     for path in resolved_paths(found)]
    return uses, checked


def build_uses(build: Path, scope: str, problems: list[str]) -> list[Use]:
    name = display(build)
    uses: list[Use] = []
    deps = subprocess.run(["ninja", "-C", str(build), "-t", "deps"], capture_output=True,
                          text=True, check=False)
    headers = {line.strip() for line in deps.stdout.splitlines()
               if line.startswith("    /")}
    uses += [Use(scope, header, f"{name} compiles with") for header in sorted(headers)
             if is_system_file(header)]

    link_deps = sorted((build / "link-deps").glob("*.d"))
    if not link_deps:
        problems.append(f"{name} has no link records (link-deps/*.d): its build predates them; "
                        f"rebuild it: rm -r {name} && scripts/build {build.name}")
    programs: set[str] = set()
    for depfile in link_deps:
        target, inputs = parse_depfile(depfile)
        if target:
            programs.add(str((build / target) if not os.path.isabs(target) else Path(target)))
        uses += [Use(scope, path, f"{name} links") for path in inputs if is_system_file(path)]
    for program in sorted(programs):
        uses += shared_library_uses(program, scope, f"{name}'s {Path(program).name} loads",
                                    problems)

    cache = build / "CMakeCache.txt"
    match = re.search(r"^CMAKE_CXX_COMPILER:\w+=(.+)$", cache.read_text(), re.MULTILINE)
    if match:
        uses += [Use(scope, path, f"{name} compiles with") for path in
                 resolved_paths(match.group(1))]
    return uses


def parse_depfile(path: Path) -> tuple[str, list[str]]:
    """A make-style dependency file ('target: a b \\\\ c') → (target, inputs)."""
    text = path.read_text().replace("\\\n", " ")
    target, _, rest = text.partition(":")
    return target.strip(), [word.replace("\\ ", " ") for word in re.split(r"(?<!\\)\s+", rest)
                            if word]


def shared_library_uses(binary: str, scope: str, how: str, problems: list[str],
                        bundled: set[str] | None = None) -> list[Use]:
    """Uses of the shared libraries `binary` loads; a library not found is a problem unless
    its name is in `bundled` (a wheel's own copies, which its modules find through their
    RPATH, not through the copy's own)."""
    result = subprocess.run(["ldd", binary], capture_output=True, text=True, check=False)
    uses: list[Use] = []
    for line in result.stdout.splitlines():
        if "not found" in line:
            library = line.split("=>")[0].strip()
            if bundled and library in bundled:
                continue
            problems.append(f"{display(Path(binary))} needs {library}, which is not on this "
                            "machine: find its package (apt-file search) and add it to "
                            "scripts/packages/")
            continue
        match = re.search(r"(/\S+) \(0x", line)
        if match and is_system_file(match.group(1)):
            uses += [Use(scope, path, how) for path in resolved_paths(match.group(1))]
    return uses


def venv_uses(venv: Path, problems: list[str]) -> list[Use]:
    """Shared libraries the venv's compiled modules load: run scope for requirements.txt's
    distributions, test scope for those only requirements-test.txt names."""
    test_only = {normalise(line.split("==")[0]) for line in
                 (REPO / "requirements-test.txt").read_text().splitlines()
                 if "==" in line and not line.startswith("#")}
    bundled = {library.name for library in venv.glob("lib/python*/site-packages/**/*.so*")}
    uses: list[Use] = []
    for record in venv.glob("lib/python*/site-packages/*.dist-info/RECORD"):
        distribution = normalise(record.parent.name.split("-")[0])
        scope = "test" if distribution in test_only else "run"
        site = record.parent.parent
        for line in record.read_text().splitlines():
            member = line.split(",")[0]
            if re.search(r"\.so(\.\d+)*$", member):
                uses += shared_library_uses(str(site / member), scope,
                                            f"Python package {distribution} loads", problems,
                                            bundled)
    return uses


def normalise(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def is_system_file(path: str) -> bool:
    return path.startswith("/") and not path.startswith(
        (str(REPO) + "/", "/usr/local/", "/root/", "/home/", "/tmp/"))


def resolved_paths(path: str) -> list[str]:
    """The path and, if different, the file it finally points to: a symlink and its target
    can belong to different packages (libfoo.so in libfoo-dev, libfoo.so.1 in libfoo1)."""
    real = os.path.realpath(path)
    return [path] if real == path else [path, real]


def usrmerge_forms(path: str) -> list[str]:
    """Debian's merged /usr: /lib/x.so and /usr/lib/x.so are one file, listed by dpkg under
    the name the package ships."""
    forms = [path, os.path.normpath(path)]
    for top in ("/lib", "/lib64", "/bin", "/sbin"):
        if path.startswith(top + "/"):
            forms.append("/usr" + path)
        if path.startswith("/usr" + top + "/"):
            forms.append(path[len("/usr"):])
    return forms


def file_owners(paths: set[str]) -> dict[str, str]:
    """Each path's package, read from dpkg's per-package file lists (what `dpkg -S` reads)."""
    wanted: dict[str, str] = {}
    for path in paths:
        for form in usrmerge_forms(path):
            wanted.setdefault(form, path)
    owners: dict[str, str] = {}
    for listing in (DPKG / "info").glob("*.list"):
        package = listing.name[: -len(".list")].split(":")[0]
        for line in listing.read_text(errors="replace").splitlines():
            original = wanted.get(line)
            if original is not None:
                owners.setdefault(original, package)
    return owners


if __name__ == "__main__":
    sys.exit(main())
