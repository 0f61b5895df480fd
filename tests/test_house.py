"""The house's rules, checked on the code itself (../shared/ARCHITECTURE.md): arrows point only down, the
orchestrator sits on top of the work, the words live in one room and Chainlit stays in the browser door."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = ("core", "service", "knowledge", "tools", "words", "agent", "web", "cli")
# Who may import whom (besides itself): the rooms below a room, never above it.
MAY_IMPORT = {
    "core": set(),
    "service": {"core"},
    "knowledge": {"core"},
    "tools": {"core", "knowledge"},
    "words": {"core", "knowledge", "tools"},
    "agent": {"core", "service", "knowledge", "tools", "words"},
    "web": {"core", "service", "knowledge", "tools", "words", "agent"},
    "cli": {"core", "service", "knowledge", "tools", "words", "agent"},
}
UI = ("chainlit",)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, deferred imports included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def files(room: str) -> list[Path]:
    return sorted((ROOT / room).rglob("*.py"))


def test_every_arrow_points_down() -> None:
    wrong = []
    for room, allowed in MAY_IMPORT.items():
        for path in files(room):
            for module in imports_of(path):
                top = module.split(".")[0]
                if top in OURS and top != room and top not in allowed:
                    wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == [], "\n".join(wrong)


def test_chainlit_stays_in_the_browser_door_and_the_service() -> None:
    wrong = [f"{path.relative_to(ROOT)} imports {module}" for room in OURS if room not in ("web", "service")
             for path in files(room) for module in imports_of(path) if module.split(".")[0] in UI]
    assert wrong == [], "\n".join(wrong)


def test_nothing_in_the_work_imports_the_orchestrator() -> None:
    wrong = [str(path.relative_to(ROOT)) for path in files("tools") if "evaluation" not in path.parts
             and any(m.startswith("tools.evaluation") for m in imports_of(path))]
    assert wrong == []


def test_the_entry_point_stays_two_lines_and_every_module_says_why() -> None:
    code = [line for line in (ROOT / "app.py").read_text().splitlines() if line.strip()]
    assert len(code) == 2 and code[1].startswith("from web import handlers")
    undocumented = [str(path.relative_to(ROOT)) for room in OURS for path in files(room)
                    if path.stat().st_size and ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None]
    assert undocumented == []
