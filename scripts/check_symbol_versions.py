#!/usr/bin/env python3
"""Fails when an ELF file needs a symbol version newer than Amazon Linux 2023 provides.

Lambda's provided.al2023 has glibc 2.34 and GCC 11's libstdc++/libgcc_s, so an executable or a
bundled library must not import symbols versioned GLIBC_2.35+, GLIBCXX_3.4.30+, CXXABI_1.3.14+
or GCC_12+. Reads undefined dynamic symbols with `objdump -T`, lists every offender with the
file that imports it, and exits 1 if there is any.

Usage: check_symbol_versions.py ELF...
       check_symbol_versions.py --self-test   (compiles two tiny C programs with cc: one importing
                                                hypot, versioned GLIBC_2.35 on glibc >= 2.35, must be
                                                rejected; one importing only old symbols must pass)
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile

#: The newest version Amazon Linux 2023 provides, per version family.
LIMITS = {
    "GLIBC": (2, 34),
    "GLIBCXX": (3, 4, 29),
    "CXXABI": (1, 3, 13),
    "GCC": (11, 0, 0),
}

UNDEFINED = re.compile(r"\*UND\*\s+\S+\s+(?:\()?(?P<version>[A-Z]+_[0-9.]+)(?:\))?\s+(?P<symbol>\S+)$")


def parse_version(tag: str) -> tuple[str, tuple[int, ...]] | None:
    family, _, number = tag.partition("_")
    if family not in LIMITS:
        return None
    try:
        return family, tuple(int(p) for p in number.split("."))
    except ValueError:
        return None


def too_new(path: str) -> list[tuple[str, str]]:
    """(version, symbol) pairs that `path` imports and Amazon Linux 2023 does not have."""
    out = subprocess.run(["objdump", "-T", path], capture_output=True, text=True)
    if out.returncode != 0:
        if "not a dynamic object" in out.stderr or "file format not recognized" in out.stderr:
            return []
        raise SystemExit(f"check_symbol_versions: objdump -T {path} failed: {out.stderr.strip()}")
    found = []
    for line in out.stdout.splitlines():
        m = UNDEFINED.search(line)
        if not m:
            continue
        parsed = parse_version(m["version"])
        if parsed and parsed[1] > LIMITS[parsed[0]]:
            found.append((m["version"], m["symbol"]))
    return sorted(set(found))


def self_test() -> int:
    cc = shutil.which("cc") or shutil.which("clang") or shutil.which("gcc")
    if cc is None:
        print("check_symbol_versions self-test: no C compiler, skipped")
        return 0
    glibc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    m = re.match(r"glibc (\d+)\.(\d+)", glibc)
    with tempfile.TemporaryDirectory() as tmp:
        def build(name: str, body: str) -> str:
            src, exe = os.path.join(tmp, f"{name}.c"), os.path.join(tmp, name)
            with open(src, "w") as f:
                f.write("#include <math.h>\n#include <stdio.h>\n" + body)
            subprocess.run([cc, "-O0", "-o", exe, src, "-lm"], check=True)
            return exe
        old = build("old", "int main(int c, char **v) { puts(v[0]); return c; }\n")
        ok = not too_new(old)
        if not ok:
            print("check_symbol_versions self-test: a program using only puts was rejected", file=sys.stderr)
        if m and (int(m[1]), int(m[2])) >= (2, 35):
            new = build("new", "int main(int c, char **v) { volatile double x = c; return (int)hypot(x, 2.0); }\n")
            found = too_new(new)
            if ("GLIBC_2.35", "hypot") not in found:
                ok = False
                print(f"check_symbol_versions self-test: hypot@GLIBC_2.35 not caught (found {found})", file=sys.stderr)
        else:
            print(f"check_symbol_versions self-test: {glibc} has no GLIBC_2.35 symbols, rejection case skipped")
    print(f"check_symbol_versions self-test: {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


def main(paths: list[str]) -> int:
    if paths == ["--self-test"]:
        return self_test()
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    bad = {p: too_new(p) for p in paths}
    bad = {p: v for p, v in bad.items() if v}
    limits = ", ".join(f"{k} {'.'.join(map(str, v))}" for k, v in LIMITS.items())
    if not bad:
        print(f"check_symbol_versions: {len(paths)} ELF files, nothing newer than Amazon Linux 2023 ({limits})")
        return 0
    print(f"check_symbol_versions: FAIL - symbols newer than Amazon Linux 2023 ({limits}):", file=sys.stderr)
    for path, symbols in bad.items():
        for version, symbol in symbols:
            print(f"  {path}: {symbol}@{version}", file=sys.stderr)
    print("check_symbol_versions: the function would fail to start on Lambda (symbol lookup error). "
          "See docs/DEPLOY.md, 'Symbol versions'.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
