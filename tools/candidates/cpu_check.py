"""Does the installed llama.cpp run on this CPU — and on any x86-64 CPU with AVX2?

A llama.cpp built with `-march=native` on a CPU that advertises AMX or AVX-512 carries those instructions; on a
machine (or VM) without them the server dies with SIGILL on its first completion. The Makefile builds a
portable target and refuses an installed build that is not portable; the local
candidate asks `missing_cpu_features()` before starting, so an unsuitable CPU gets one clear sentence instead of
a crash. `python -m cli.build_check` (run by `make install`) prints the verdict.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

# What the portable build needs (see the Makefile's LLAMA_CMAKE_ARGS).
REQUIRED_FEATURES = ("avx", "avx2", "fma", "f16c")
# Instructions a portable build must not contain: AMX tiles and AVX-512 (zmm registers, opmask registers).
FORBIDDEN = {
    "AMX": re.compile(r"\b(tilezero|tileloadd|tileloaddt1|tilestored|ldtilecfg|sttilecfg|tdpb\w+|tilerelease)\b"),
    "AVX-512": re.compile(r"%zmm\d+|%k[1-7]\b"),
}


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str] | None:
    """The CPU's feature flags (None where /proc/cpuinfo is not available, e.g. not Linux)."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return None


def missing_cpu_features(flags: set[str] | None = None) -> list[str]:
    """The features the portable llama.cpp build needs that this CPU lacks ([] when unknown or all present)."""
    flags = cpu_flags() if flags is None else flags
    if flags is None:
        return []
    return [feature for feature in REQUIRED_FEATURES if feature not in flags]


def ggml_cpu_libraries() -> list[Path]:
    """The llama.cpp CPU back-end libraries of the installed llama_cpp package."""
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(spec.submodule_search_locations[0])
    return sorted(p for p in root.rglob("lib*ggml*.so*") if p.is_file())


def forbidden_instructions(library: Path) -> dict[str, int]:
    """How many AMX / AVX-512 instructions a shared library contains (disassembled with objdump)."""
    objdump = shutil.which("objdump")
    if objdump is None:
        raise FileNotFoundError("objdump")
    listing = subprocess.run([objdump, "-d", "--no-show-raw-insn", str(library)], capture_output=True, text=True,
                             check=True).stdout
    return {name: len(pattern.findall(listing)) for name, pattern in FORBIDDEN.items()}
