"""knowledge/store.py: a real Chroma store, built offline, rebuilt on change and after corruption."""

from __future__ import annotations

import shutil
import socket

import pytest

from knowledge import store as store_module
from knowledge.catalog import load_catalog
from knowledge.store import KnowledgeStore


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> KnowledgeStore:
    return KnowledgeStore(tmp_path_factory.mktemp("chroma"))


def test_build_from_scratch_makes_no_network_call(tmp_path, monkeypatch) -> None:
    attempts: list = []

    def refuse(self, address, *args, **kwargs):
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("/"):
            attempts.append(address)
            raise OSError(f"test forbids outbound connections: {address}")
        return real_connect(self, address, *args, **kwargs)

    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(OSError("no DNS in this test")))
    store = KnowledgeStore(tmp_path / "chroma")
    assert store.rebuilt
    hits = store.search("cheapest open-weights model", k=3)
    assert len(hits) == 3 and attempts == []


def test_every_card_and_guide_section_is_indexed(built) -> None:
    cards = len(load_catalog().all())
    sections = len(store_module.guide_sections())
    assert sections >= 8
    assert built.collection.count() == cards + sections


def test_hits_carry_citations(built) -> None:
    hit = built.search("gpt-4o-mini price", k=1)[0]
    assert hit.model_id == "gpt-4o-mini" and hit.source.startswith("https://") and hit.as_of
    assert "$0.15" in hit.text and "gpt-4o-mini" in hit.citation() or "GPT-4o mini" in hit.citation()


def test_reopening_an_unchanged_store_does_not_rebuild(built) -> None:
    again = KnowledgeStore(built.path)
    assert not again.rebuilt and again.collection.count() == built.collection.count()


def test_rebuilds_when_a_source_changes(tmp_path, monkeypatch) -> None:
    guides = tmp_path / "guides"
    shutil.copytree(store_module.GUIDES_DIR, guides)
    monkeypatch.setattr(store_module, "GUIDES_DIR", guides)
    first = KnowledgeStore(tmp_path / "chroma")
    (guides / "zz-new.md").write_text("# Extra\n\n## Quokka pricing policy\nQuokkas are billed per hop.\n")
    second = KnowledgeStore(tmp_path / "chroma")
    assert first.rebuilt and second.rebuilt
    assert second.search("how are quokkas billed?", k=1)[0].id == "guide:zz-new#quokka-pricing-policy"


def test_recovers_from_a_corrupt_store(tmp_path) -> None:
    path = tmp_path / "chroma"
    KnowledgeStore(path)
    for file in path.rglob("*"):
        if file.is_file():
            file.write_bytes(b"this is not a database" * 10)
    recovered = KnowledgeStore(path)
    assert recovered.rebuilt and len(recovered.search("few-shot cost", k=2)) == 2


def test_empty_query_is_refused(built) -> None:
    with pytest.raises(ValueError, match="store.empty_query"):
        built.search("   ")


def test_filters(built) -> None:
    hits = built.search("model", k=10, filters={"kind": "card", "open_weights": True})
    assert hits and all(load_catalog().cards[h.model_id].open_weights for h in hits)
    hits = built.search("model", k=10, filters={"kind": "card", "min_context": 1_000_000})
    assert hits and all(load_catalog().cards[h.model_id].context_window >= 1_000_000 for h in hits)
    assert built.search("model", k=3, filters={"provider": "openai", "min_context": 5_000_000}) == []
