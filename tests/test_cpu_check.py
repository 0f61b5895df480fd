"""The portable-build guard: it finds AVX-512 and AMX instructions where they are, and none in our llama.cpp."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tools.candidates.cpu_check import forbidden_instructions, ggml_cpu_libraries, missing_cpu_features

NATIVE_LIKE = r"""
#include <immintrin.h>
__attribute__((target("avx512f"))) void add16(float *a, const float *b) {
    _mm512_storeu_ps(a, _mm512_add_ps(_mm512_loadu_ps(a), _mm512_loadu_ps(b)));
}
__attribute__((target("amx-tile"))) void tiles(void) { _tile_zero(0); _tile_release(); }
"""


def test_a_library_with_avx512_and_amx_is_caught(tmp_path: Path) -> None:
    source = tmp_path / "native.c"
    source.write_text(NATIVE_LIKE)
    library = tmp_path / "libnative.so"
    subprocess.run([shutil.which("gcc") or "gcc", "-O2", "-shared", "-fPIC", str(source), "-o", str(library)],
                   check=True)
    found = forbidden_instructions(library)
    assert found["AVX-512"] > 0 and found["AMX"] > 0


def test_the_installed_llama_cpp_is_portable() -> None:
    libraries = ggml_cpu_libraries()
    assert any("ggml-cpu" in p.name for p in libraries)
    for library in libraries:
        assert forbidden_instructions(library) == {"AMX": 0, "AVX-512": 0}, library


def test_a_cpu_without_avx2_is_named() -> None:
    assert missing_cpu_features({"avx", "fma", "f16c", "sse4_2"}) == ["avx2"]
    assert missing_cpu_features({"avx", "avx2", "fma", "f16c"}) == []


@pytest.mark.slow
def test_the_local_candidate_refuses_to_start_on_a_cpu_without_avx2(monkeypatch) -> None:
    import asyncio

    from tools.candidates import local as candidates
    from tools.candidates.base import CandidateError
    from tools.candidates.local import LocalLLM

    monkeypatch.setattr(candidates, "missing_cpu_features", lambda: ["avx2"])
    with pytest.raises(CandidateError, match="candidate.cpu_lacks"):
        asyncio.run(LocalLLM().start(None, ["a", "b"]))  # type: ignore[arg-type]
