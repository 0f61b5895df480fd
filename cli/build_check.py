"""`python -m cli.build_check`: refuse an installed llama.cpp that is not portable (run by `make install`).

A developer-facing check, in English: it prints one line and exits 1 when the build carries AVX-512 or AMX
instructions (which crash with SIGILL on a CPU or VM without them).
"""

from __future__ import annotations

import shutil
import sys

from tools.candidates.cpu_check import forbidden_instructions, ggml_cpu_libraries, missing_cpu_features


def main() -> int:
    libraries = ggml_cpu_libraries()
    if not libraries:
        print("cpu_check: llama_cpp is not installed, or has no ggml library", file=sys.stderr)
        return 1
    if shutil.which("objdump") is None:
        print("cpu_check: objdump not found (install binutils); the build was not inspected", file=sys.stderr)
        return 0
    bad = {}
    for library in libraries:
        found = {k: v for k, v in forbidden_instructions(library).items() if v}
        if found:
            bad[library.name] = found
    if bad:
        print(f"cpu_check: the installed llama.cpp is not portable — {bad}. Remove the wheelhouse named in the "
              "Makefile (WHEELHOUSE) and run `make install` again.", file=sys.stderr)
        return 1
    missing = missing_cpu_features()
    note = f"; this CPU lacks {', '.join(missing)}, so the local model cannot run here" if missing else ""
    print(f"cpu_check: llama.cpp build is portable (no AMX, no AVX-512 in {len(libraries)} libraries){note}")
    return 0




if __name__ == "__main__":
    sys.exit(main())
