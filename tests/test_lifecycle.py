"""Lifecycle facts with their source: a pick that shuts down within 6 months says so, with the provider's
successor; a fine-tune inherits its base's date; a model whose provider stopped taking jobs is not offered for a
fine-tune (issue 33)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from knowledge.catalog import get_card
from knowledge.lifecycle import fine_tune_can_start, retirement, retiring_soon
from tools.scoring.recommend import Targets, lifecycle_reasons, recommend, verdicts
from words.catalog import render

DAY = date(2026, 12, 7)
DEPRECATIONS = "https://developers.openai.com/api/docs/deprecations"


def test_a_model_shutting_down_within_six_months_is_flagged_with_its_successor_and_source() -> None:
    soon = retiring_soon("gpt-4o-mini", DAY)
    assert soon is not None and (soon.shutdown, soon.days, soon.successor) == ("2027-01-14", 38, "gpt-6-luna")
    assert soon.source == DEPRECATIONS and soon.as_of
    assert retiring_soon("gpt-4o-mini", date(2026, 5, 1)) is None  # more than 6 months away: not yet said
    assert retiring_soon("gpt-6-luna", DAY) is None and retirement("tfidf-logreg", DAY) is None


def test_a_fine_tune_shuts_down_with_its_base_and_inherits_its_successor() -> None:
    for name in ("ft:gpt-4o-mini:stub-org::stub1", "ft:gpt-4o-mini-2024-07-18:acme::AbC123"):
        soon = retiring_soon(name, DAY)
        assert soon is not None and soon.shutdown == "2027-01-14" and soon.successor == "gpt-6-luna", name


def test_a_fine_tune_is_offered_only_where_a_job_can_start() -> None:
    mini = get_card("gpt-4o-mini")
    assert fine_tune_can_start(mini, DAY)
    assert not fine_tune_can_start(mini, date(2027, 1, 7))  # OpenAI takes no new jobs after 2027-01-06
    assert not fine_tune_can_start(get_card("gpt-4.1-nano"), DAY)  # shut down on 2026-10-23
    assert not fine_tune_can_start(get_card("gpt-6-luna"), DAY)  # its provider offers no fine-tuning


def test_the_recommendation_says_when_its_pick_retires_in_both_languages() -> None:
    targets = Targets(accuracy=0.8)
    rows = [{"candidate": "gpt-4o-mini", "technique": "zero-shot", "shots": 0, "items": 100, "errors": 0,
             "accuracy": 0.95, "accuracy_ci": [0.9, 0.98], "cost_per_1k_usd": 0.1, "latency_p95_s": 0.5}]
    rows[0]["verdicts"] = verdicts(rows[0], targets)  # type: ignore[typeddict-item]
    picked = recommend(rows, targets)  # type: ignore[arg-type]
    assert picked["candidate"] == "gpt-4o-mini"
    assert all(r in picked["reasons"] for r in lifecycle_reasons("gpt-4o-mini"))  # said the day it is decided
    said = [render(r, "en") for r in lifecycle_reasons("gpt-4o-mini", DAY)]
    assert "shuts down on 2027-01-14, in 38 days" in said[0] and DEPRECATIONS in said[0]
    assert said[1] == "Its successor, gpt-6-luna, can be measured on the same items: say *add gpt-6-luna*."
    zh = [render(r, "zh") for r in lifecycle_reasons("gpt-4o-mini", DAY)]
    assert "2027-01-14 停止服务，还有 38 天" in zh[0] and "加上 gpt-6-luna" in zh[1]
    assert lifecycle_reasons("tfidf-logreg", DAY) == []


def test_catalog_show_prints_the_lifecycle() -> None:
    exe = str(Path(sys.executable).parent / "modelpick")
    shown = subprocess.run([exe, "catalog", "show", "gpt-4o-mini", "--json"], capture_output=True, text=True,
                           timeout=180)
    assert shown.returncode == 0, shown.stderr
    card = json.loads(shown.stdout)
    assert card["deprecation_date"] == "2027-01-14" and card["lifecycle"]["successor"] == "gpt-6-luna"
    assert card["lifecycle"]["source"] == DEPRECATIONS and card["fine_tuning"]["new_jobs_until"] == "2027-01-06"
