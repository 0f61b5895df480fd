"""Score the brief reader and the intent reader on a corpus half (see SPEC.md): per-field accuracy, failures.

Each brief case goes through the graph's own `intake` turn by turn (the door every UI uses), with the field
the assistant had asked as the pending question, so the score is the product's, not a helper's.

    .venv/bin/python -m tests.corpus.score brief_tune        # per-field accuracy and every failure
    .venv/bin/python -m tests.corpus.score brief_heldout --summary
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NUMERIC = {"accuracy_target": 0.001, "max_latency_s": 0.01, "volume_per_day": 0.02,
           "value_per_correct_usd": 0.02, "cost_per_error_usd": 0.02}
ALWAYS = ("accuracy_target", "max_cost_per_1k", "max_latency_s", "volume_per_day", "eval_budget",
          "value_per_correct_usd", "cost_per_error_usd", "waived")


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (HERE / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def read_case(case: dict) -> dict[str, Any]:
    """The state after every turn of a case, through the graph's intake."""
    from langchain_core.messages import HumanMessage

    from agent.graph import intake

    state: dict[str, Any] = {"messages": [], "brief": {}, "waived": [], "facts": {}}
    for turn in case["turns"]:
        asked = {"max_cost_per_1k": "max_cost_per_1k_usd"}.get(turn.get("asked"), turn.get("asked"))  # SPEC's name
        state["pending"] = {"kind": "field", "field": asked} if asked else None
        state["messages"] = [*state["messages"], HumanMessage(turn["say"])]
        out = intake(state, {})  # type: ignore[arg-type]
        state.update({k: v for k, v in out.items() if k in ("brief", "waived", "facts", "language", "update")})
    return state


def _close(a: float | None, b: float | None, tolerance: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tolerance * max(abs(b), 1e-9) or abs(a - b) < 1e-9


def _money(expected: Any, usd: float | None, other: dict | None) -> bool:
    if expected is None:
        return usd is None and not other
    if isinstance(expected, dict):
        (currency, amount), = expected.items()
        return bool(other) and other["currency"] == currency and _close(other["amount"], amount, 0.02)
    return _close(usd, float(expected), 0.02)


def check(case: dict, state: dict) -> dict[str, tuple[bool, Any, Any]]:
    """field → (right, read, expected) for every field the case scores."""
    brief, facts = state["brief"], state.get("facts") or {}
    expect = case["expect"]
    out: dict[str, tuple[bool, Any, Any]] = {}
    for key in (*ALWAYS, *[k for k in expect if k not in ALWAYS]):
        wanted = expect.get(key)
        if key in NUMERIC:
            got = brief.get(key)
            out[key] = (_close(got, wanted, NUMERIC[key]), got, wanted)
        elif key == "max_cost_per_1k":
            got = brief.get("max_cost_per_1k_usd"), facts.get("cost_in")
            out[key] = (_money(wanted, *got), got, wanted)
        elif key == "eval_budget":
            budget = facts.get("eval_budget")
            got_usd = budget["amount"] if budget and budget["currency"] == "USD" else None
            other = budget if budget and budget["currency"] != "USD" else None
            out[key] = (_money(wanted, got_usd, other), budget, wanted)
        elif key == "waived":
            got = sorted(state.get("waived") or [])
            out[key] = (got == sorted(wanted or []), got, wanted)
        elif key == "labels":
            got = brief.get("labels") or []
            norm = lambda xs: sorted(str(x).strip().lower() for x in xs)  # noqa: E731
            out[key] = (norm(got) == norm(wanted or []), got, wanted)
        elif key == "constraints":
            got = sorted(brief.get("constraints") or [])
            out[key] = (got == sorted(wanted or []), got, wanted)
        elif key == "use_case":
            got = brief.get("use_case")
            if wanted is None:
                out[key] = (got is None, got, wanted)
            else:
                out[key] = (got is not None and all(p.lower() in got.lower() for p in wanted["contains"]), got, wanted)
        elif key == "task_type":
            out[key] = (brief.get("task_type") == wanted, brief.get("task_type"), wanted)
    # Fields that are absent in both count as right only where a wrong reading was possible: the numeric ones
    # and waivers; a case is "fully right" when every scored field is.
    return out


def _counted(key: str, case: dict, result: tuple[bool, Any, Any]) -> bool:
    """A field counts when the case states it, or when the reader read something the case does not state."""
    right, got, wanted = result
    if key in case["expect"]:
        return True
    return not right


def score(name: str) -> dict[str, Any]:
    per_field: Counter[str] = Counter()
    right_field: Counter[str] = Counter()
    failures, full = [], 0
    cases = load(name)
    for case in cases:
        results = check(case, read_case(case))
        counted = {k: r for k, r in results.items() if _counted(k, case, r)}
        for key, (right, _, _) in counted.items():
            per_field[key] += 1
            right_field[key] += right
        wrong = {k: r for k, r in counted.items() if not r[0]}
        full += not wrong
        if wrong:
            failures.append((case, wrong))
    total, right = sum(per_field.values()), sum(right_field.values())
    return {"cases": len(cases), "fully_right": full, "fields": total, "fields_right": right,
            "per_field": {k: (right_field[k], per_field[k]) for k in sorted(per_field)}, "failures": failures}


def main(argv: list[str]) -> None:
    name = argv[0]
    report = score(name)
    print(f"{name}: {report['fully_right']}/{report['cases']} cases fully right, "
          f"{report['fields_right']}/{report['fields']} fields ({report['fields_right'] / report['fields']:.1%})")
    for key, (right, total) in report["per_field"].items():
        print(f"  {key:24} {right}/{total}")
    if "--summary" in argv:
        return
    for case, wrong in report["failures"]:
        print("\n" + case["id"], " | ".join(t["say"].replace("\n", " / ") + (f" [asked {t['asked']}]"
                                                                             if t.get("asked") else "")
                                          for t in case["turns"]))
        for key, (_, got, wanted) in wrong.items():
            print(f"    {key}: read {got!r}, expected {wanted!r}")




# ---------------------------------------------------------------- questions and commands

# The conversation every asks case is set in (SPEC.md): four candidates and how each was measured.
ROWS = [("tfidf-logreg", "trained", 0), ("smollm2-135m", "zero-shot", 0), ("gpt-4o-mini", "zero-shot", 0),
        ("gpt-4o-mini", "retrieved-k-shot", 3), ("gpt-4o", "k-shot", 3)]
TARGETED = ("why_not", "errors", "compare", "add", "drop")


_COMMAND_INTENT = {"why": "why_pick", "why_not": "why_not", "errors": "errors", "compare": "compare",
                   "what_happened": "what_happened", "export": "export", "add": "add", "drop": "drop", "go": "go"}
_ANSWER_INTENT = {"summary": "summary", "help": "help", "plan": "plan", "next_step": "next_step",
                  "question": "method_question", "off_topic": "off_topic", "confirm_go": "go"}


def ask_state(stage: str) -> dict[str, Any]:
    """The conversation of SPEC.md at a stage: the four candidates planned, and measured after a run."""
    state: dict[str, Any] = {"brief": {"use_case": "route support tickets", "task_type": "classification",
                                       "labels": ["billing", "bugs", "sales"], "accuracy_target": 0.9},
                             "waived": [], "facts": {}, "messages": []}
    if stage in ("plan", "results"):
        state["plan"] = {"candidates": ["tfidf-logreg", "smollm2-135m", "gpt-4o-mini", "gpt-4o"], "shots": [0, 3, -3],
                         "forecasts": [{"model_id": "gpt-4o-mini", "cost_per_1k_usd": 0.27},
                                       {"model_id": "gpt-4o", "cost_per_1k_usd": 4.5}]}
    if stage == "results":
        prices = {"tfidf-logreg": 0.0, "smollm2-135m": 0.0, "gpt-4o-mini": 0.27, "gpt-4o": 4.5}
        state["results"] = [{"candidate": c, "technique": t, "shots": k, "cost_per_1k_usd": prices[c]}
                            for c, t, k in ROWS]
    return state


def read_ask(case: dict) -> tuple[str | None, list[str]]:
    """What the graph's intake makes of the message: the command it becomes, or the answer's intent."""
    from langchain_core.messages import HumanMessage

    from agent.graph import intake

    state = ask_state(case["stage"])
    state["messages"] = [HumanMessage(case["say"])]
    update = intake(state, {})["update"]  # type: ignore[arg-type]
    command = update.get("command")
    if command:
        targets = [t.partition(":")[0] for t in (command.get("model"), command.get("other")) if t]
        return _COMMAND_INTENT.get(command["name"], command["name"]), targets
    return _ANSWER_INTENT.get(update.get("intent"), update.get("intent")), []


def score_asks(name: str) -> dict[str, Any]:
    cases = load(name)
    right, failures = 0, []
    per_intent: Counter[str] = Counter()
    per_intent_right: Counter[str] = Counter()
    for case in cases:
        intent, targets = read_ask(case)
        ok = intent == case["intent"] and (case["intent"] not in TARGETED or
                                           sorted(targets) == sorted(case.get("targets") or []))
        per_intent[case["intent"]] += 1
        per_intent_right[case["intent"]] += ok
        right += ok
        if not ok:
            failures.append((case, intent, targets))
    return {"cases": len(cases), "right": right, "failures": failures,
            "per_intent": {k: (per_intent_right[k], per_intent[k]) for k in sorted(per_intent)}}


def main_asks(argv: list[str]) -> None:
    report = score_asks(argv[0])
    print(f"{argv[0]}: {report['right']}/{report['cases']} ({report['right'] / report['cases']:.1%})")
    for key, (right, total) in report["per_intent"].items():
        print(f"  {key:16} {right}/{total}")
    if "--summary" in argv:
        return
    for case, intent, targets in report["failures"]:
        print(f"{case['id']} [{case['stage']}] {case['say']!r}: read {intent} {targets}, expected {case['intent']} "
              f"{case.get('targets')}")


if __name__ == "__main__":
    (main_asks if sys.argv[1].startswith("asks") else main)(sys.argv[1:])
