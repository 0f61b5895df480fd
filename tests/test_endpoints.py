"""An endpoint configured in the settings panel: checked before it is kept, its key in a 0600 file and nowhere
else (not the endpoint file, not a run's config, not the reply), usable by "add X" like a candidates-file entry."""

from __future__ import annotations

import asyncio
import json
import stat

from agent.settings_panel import configure_endpoint
from core import workspace
from tests.stub_server import StubConfig, StubServer
from tools.candidates.endpoints import user_entries
from tools.candidates.registry import build_candidates, can_run, configured_entries

KEY = "sk-test-0123456789abcdef"


def _panel(url: str, model: str = "stub-model", key: str = KEY, price: float | None = 0.5) -> dict:
    return {"agent_model": "", "endpoint_url": url, "endpoint_model": model, "endpoint_key": key,
            "endpoint_input_usd_per_1m": price, "endpoint_output_usd_per_1m": price}


def test_a_refused_key_or_model_is_one_sentence_and_nothing_is_kept() -> None:
    with StubServer(StubConfig(api_key=KEY)) as stub:
        reply = asyncio.run(configure_endpoint(_panel(stub.url, key="sk-wrong"), "en"))
        assert reply.startswith("The endpoint was not added:") and "sk-wrong" not in reply
        reply = asyncio.run(configure_endpoint(_panel(stub.url, model="no-such-model"), "zh"))
        assert reply.startswith("端点没有添加")
    assert user_entries() == [] and configured_entries() == []
    assert asyncio.run(configure_endpoint({"endpoint_url": "", "endpoint_model": ""}, "en")) is None
    assert "needs both" in asyncio.run(configure_endpoint({"endpoint_url": "http://x/v1"}, "en"))


def test_an_added_endpoint_keeps_its_key_apart_and_runs_like_any_candidate() -> None:
    with StubServer(StubConfig(api_key=KEY)) as stub:
        reply = asyncio.run(configure_endpoint(_panel(stub.url), "en"))
        assert "Endpoint **stub-model** added" in reply and "*add stub-model*" in reply and KEY not in reply
        folder = workspace.home() / "users" / "local"
        assert KEY not in (folder / "endpoints.yaml").read_text()
        assert json.loads((folder / "keys.json").read_text()) == {"stub-model": KEY}
        assert stat.S_IMODE((folder / "keys.json").stat().st_mode) == 0o600
        entries = configured_entries()
        assert [e["id"] for e in entries] == ["stub-model"] and can_run("stub-model", entries)
        candidate = build_candidates(["stub-model"], entries)[0]
        assert candidate.api_key == KEY
        asyncio.run(candidate.check())  # the key reaches the server
    from tools.evaluation.config import EvalConfig

    config = EvalConfig(data="x.csv", candidates=["stub-model"], candidate_entries=entries).to_dict()
    assert KEY not in json.dumps(config)  # a run's stored configuration names the endpoint, never its key
