"""RAG over the user's documents: every format read, each bad document named and the rest used, passages cut to
size, and a RAG run measured like any technique — by a stub model that knows only what its passages say, so the
measured accuracy *is* the retrieval's quality."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from pathlib import Path

import pytest

from core.shapes import Technique
from core.tokens import count_tokens
from tests.stub_server import StubConfig, StubServer
from tests.test_cli_eval import _eval
from tools.candidates.chat import ChatCandidate
from tools.data import documents as documents_module
from tools.data.documents import passages, read_documents
from tools.data.evalset import Item, split
from tools.planning.forecast import prompt_tokens
from tools.prompting.passages import passage_source
from tools.prompting.prompts import parse_shots, technique_id
from tools.prompting.techniques import Documents, NoDocuments, check_documents
from tools.run.runner import Runner, RunStore
from words.catalog import render

DOCS = Path(__file__).parent / "data" / "rag"
LABELS = ["electronics", "garden", "kitchen"]
PRODUCTS = {"kitchen": ["Aurora", "Basilisk", "Cumulus", "Doria", "Ember"],
            "garden": ["Fennick", "Gorlan", "Heliad", "Istria", "Jadeon"],
            "electronics": ["Kestrel", "Lumora", "Marlow", "Nimbra", "Orsino"]}
ASKED = ["My {p} stopped working after two weeks.", "Can I return the {p}? It arrived scratched.",
         "Where do I find the manual for the {p}?", "The {p} I ordered never arrived.",
         "Is there a spare part for my {p}?", "How do I clean the {p} properly?"]


def rag_items() -> list[Item]:
    rows = [(text.format(p=product), label) for label, products in PRODUCTS.items() for product in products
            for text in ASKED]
    return [Item(n, text, label) for n, (text, label) in enumerate(rows)]


def write_rag_data(path: Path) -> Path:
    path.write_text("text,label\n" + "\n".join(f'"{i.text}",{i.label}' for i in rag_items()) + "\n")
    return path


def _product(item: Item) -> str:
    return next(p for products in PRODUCTS.values() for p in products if p in item.text)


# ---------------------------------------------------------------- reading


def test_every_format_is_read_by_its_bytes() -> None:
    found = read_documents([DOCS])
    assert found.problems == []
    names = sorted(d.name for d in found.documents)
    assert names == ["electronics-team-2.pdf", "electronics-team.docx", "garden-team.txt", "kitchen-team.md"]
    text = "\n".join(d.text for d in found.documents)
    for products in PRODUCTS.values():
        for product in products:
            assert product in text  # PDF text layer, DOCX paragraphs, Markdown and text all read
    renamed = DOCS / "electronics-team-2.pdf"
    assert read_documents([renamed], names=["notes.txt"]).documents[0].text.startswith("Electronics team")


def _pdf_without_text() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(DOCS / "electronics-team-2.pdf"))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_each_bad_document_gets_one_problem_and_the_rest_are_used(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.md").write_text("The Aurora goes to the kitchen team.")
    (folder / "empty.txt").write_text("  \n")
    (folder / "locked.pdf").write_bytes(_encrypted_pdf())
    (folder / "scan.pdf").write_bytes(_pdf_without_text())
    (folder / "broken.pdf").write_bytes((DOCS / "electronics-team-2.pdf").read_bytes()[:200])
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (folder / "big.txt").write_text("x" * 3000)
    monkeypatch.setattr(documents_module, "MAX_DOCUMENT_BYTES", 2000)
    found = read_documents([folder])
    assert [d.name for d in found.documents] == ["good.md"]
    problems = {p["values"]["name"]: p["id"] for p in found.problems}
    assert problems == {"empty.txt": "docs.empty", "locked.pdf": "docs.encrypted", "scan.pdf": "docs.no_text",
                        "broken.pdf": "docs.broken", "photo.png": "docs.not_a_document",
                        "big.txt": "docs.too_large"}
    for problem in found.problems:  # one clear sentence each, in both languages
        english, chinese = render(problem, "en"), render(problem, "zh")
        assert problem["values"]["name"] in english and problem["values"]["name"] in chinese
        assert "{" not in english + chinese


def test_a_zip_of_documents_is_unpacked_and_its_bad_members_named(tmp_path) -> None:
    archive = tmp_path / "docs.zip"
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as nested:
        nested.writestr("a.txt", "nested")
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(DOCS.iterdir()):
            z.write(path, f"team/{path.name}")
        z.writestr("__MACOSX/._kitchen-team.md", b"\x00\x05")
        z.writestr("team/more.zip", inner.getvalue())
    found = read_documents([archive])
    assert len(found.documents) == 4 and all(d.name.startswith("docs.zip/team/") for d in found.documents)
    assert [(p["id"], p["values"]["name"]) for p in found.problems] == [("docs.nested_zip", "docs.zip/team/more.zip")]


def test_passages_keep_paragraphs_and_respect_the_size(tmp_path) -> None:
    found = read_documents([DOCS])
    cut = passages(found.documents, 60)
    assert all(count_tokens(p.text) <= 60 for p in cut)
    assert any(p.text.startswith("The Basilisk is") for p in cut)  # a paragraph starts a passage
    wall = "没有标点的很长一段中文" * 3000  # one 33k-character line with no sentence end: cut by characters, fast
    long_cut = passages([documents_module.Document("wall.txt", wall)], 200)
    assert "".join(p.text for p in long_cut) == wall and all(count_tokens(p.text) <= 260 for p in long_cut)


# ---------------------------------------------------------------- the technique


def test_rag_is_a_technique_of_its_own() -> None:
    assert parse_shots("rag") == Technique("rag", 4).code and parse_shots("RAG2") == Technique("rag", 2).code
    code = parse_shots("rag3")
    assert Technique.of(code) == Technique("rag", 3) and technique_id(code) == "rag"
    assert Technique.of(code).token == "rag3" and Technique.of(code).shots == 0
    for bad in ("rag0", "ragx", "rag-1", "rag99"):
        with pytest.raises(ValueError):
            parse_shots(bad)
    with pytest.raises(NoDocuments):
        check_documents(None, [0, code])
    assert check_documents(None, [0, 3, -3]) == []


def test_rag_accuracy_is_the_retrieval_quality_and_the_forecast_is_what_is_sent(tmp_path) -> None:
    the_split = split(rag_items(), eval_size=40, seed=0)
    documents = Documents((str(DOCS),), chunk_tokens=60)
    closest = passage_source(documents.paths, documents.chunk_tokens, 2, the_split.eval)
    hits = [any(_product(item) in passage for passage in closest(item)) for item in the_split.eval]
    code = Technique("rag", 2).code
    forecast = prompt_tokens(the_split, LABELS, code, documents=documents)
    store = RunStore(tmp_path / "runs.sqlite")
    with StubServer(StubConfig(labels=tuple(LABELS), answer_from_passages=True)) as stub:
        candidate = ChatCandidate("stub", model="stub-model", base_url=stub.url)
        run_id = store.create_run({})
        asyncio.run(Runner(store).run(run_id, the_split, LABELS, [candidate], [0, code], documents=documents))
    results = store.results(run_id)
    rag, zero = results[("stub", code)], results[("stub", 0)]
    right = {r.item_id: r.prediction == r.gold for r in rag}
    assert [right[item.id] for item in the_split.eval] == hits  # right exactly where retrieval found the passage
    assert sum(hits) / len(hits) >= 0.6, sum(hits) / len(hits)  # and the offline encoder finds most of them
    assert not any(r.prediction == r.gold for r in zero)  # without the passages the model cannot tell
    assert forecast.input_tokens == pytest.approx(sum(r.input_tokens for r in rag) / len(rag), abs=1e-9)
    assert forecast.input_tokens > prompt_tokens(the_split, LABELS, 0).input_tokens + 50


def test_the_cli_runs_rag_from_docs_and_pins_it(tmp_path) -> None:
    data = write_rag_data(tmp_path / "tickets.csv")
    candidates = tmp_path / "candidates.yaml"
    home = tmp_path / "home"
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "scan.pdf").write_bytes(_pdf_without_text())
    with StubServer(StubConfig(labels=tuple(LABELS), answer_from_passages=True)) as stub:
        candidates.write_text("- " + json.dumps({"id": "stub", "base_url": stub.url, "model": "stub-model",
                                                 "input_usd_per_1m": 0.5, "output_usd_per_1m": 1.5}) + "\n")
        out = tmp_path / "out.json"
        proc = _eval("--data", str(data), "--candidates", "stub", "--candidates-file", str(candidates), "--docs",
                     str(DOCS), "--docs", str(extra / "scan.pdf"), "--chunk-tokens", "60", "--eval-size", "40",
                     "--target-accuracy", "0.6", "--json", str(out), "--compare", "stub:0,stub:rag4", home=home)
        no_docs = _eval("--data", str(data), "--candidates", "stub", "--candidates-file", str(candidates),
                        "--shots", "0,rag2", "--eval-size", "40", home=home)
        unreadable = _eval("--data", str(data), "--candidates", "stub", "--candidates-file", str(candidates),
                           "--docs", str(extra), "--eval-size", "40", home=home)
    assert proc.returncode == 0, proc.stderr
    assert "scan.pdf" in proc.stderr and "no text layer" in proc.stderr  # said, and the other documents used
    doc = json.loads(out.read_text())
    rows = doc["results"]
    assert [(r["technique"], r["shots"], r.get("passages")) for r in rows] == [("zero-shot", 0, None),
                                                                              ("rag", 0, 4)]
    assert rows[1]["accuracy"] > 0.6 > rows[0]["accuracy"]
    assert rows[1]["input_tokens_per_item"] > rows[0]["input_tokens_per_item"] + 100
    assert doc["comparison"]["better"]["candidate"] == "stub" and doc["comparison"]["b_right_a_wrong"] > 20
    assert doc["comparison"]["better"]["shots"] == 0 and doc["comparison"]["better"]["passages"] == 4
    assert doc["recommendation"]["technique"] == "rag" and doc["recommendation"]["passages"] == 4
    assert "stub (RAG, 4 passages of your documents)" in doc["recommendation"]["reasons"][0]
    assert no_docs.returncode == 1 and "RAG needs your documents" in no_docs.stderr
    assert unreadable.returncode == 1 and "None of the documents could be used" in unreadable.stderr


def test_a_resume_refuses_changed_documents(tmp_path) -> None:
    from tools.candidates.base import CandidateError
    from tools.evaluation.config import EvalConfig, resume_config

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("The Aurora goes to the kitchen team.")
    store = RunStore(tmp_path / "runs.sqlite")
    config = EvalConfig(data=str(write_rag_data(tmp_path / "d.csv")), docs=[str(docs)],
                        shots=[Technique("rag", 2).code])
    run_id = store.create_run(config.to_dict())
    assert resume_config(store, run_id).docs == [str(docs)]
    (docs / "a.md").write_text("The Aurora goes to the garden team.")
    with pytest.raises(CandidateError) as raised:
        resume_config(store, run_id)
    assert raised.value.id == "docs.changed"


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "brief", "planned", "named"), [
    ("en", "route support tickets to electronics, garden or kitchen, 80% accuracy, no cost limit, no latency limit",
     "every prompt gets all of them", "RAG, 4 passages of your documents"),
    ("zh", "把工单分到 electronics、garden 或 kitchen，准确率80%，不限成本，不限延迟",
     "每条提示都附上全部段落", "RAG，每次附 4 段文档")])
def test_documents_attached_in_the_chat_put_rag_in_the_plan_and_the_results(tmp_path, monkeypatch, lang, brief,
                                                                           planned, named) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.graph import compile_graph
    from core import workspace
    from tests.test_journey import _turn, configured_stub

    data = write_rag_data(tmp_path / "tickets.csv")
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(_pdf_without_text())
    docs = [workspace.keep_upload("journey", path, path.name) for path in [*sorted(DOCS.iterdir()), bad]]
    with configured_stub(tmp_path, monkeypatch, tuple(LABELS), answer_from_passages=True) as stub, \
            SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, brief)
        _turn(graph, "", [workspace.keep_upload("journey", data, "tickets.csv")])
        _turn(graph, "drop smollm2-135m" if lang == "en" else "去掉 smollm2-135m")
        state, reply = _turn(graph, "", docs)
        assert state["documents"]["documents"] == 4 and state["documents"]["passages"] > 0
        assert "scan.pdf" in reply and planned in reply  # the bad one named, the plan re-made with RAG
        assert state["documents"]["read"] == sorted(p.name for p in DOCS.iterdir())
        assert state["plan"]["shots"] == [0, 3, Technique("rag", 4).code]
        assert state["plan"]["rag"]["extra_tokens_per_item"] > 50
        assert stub.stats.completions == 0  # nothing is spent before "go"
        state, reply = _turn(graph, "go" if lang == "en" else "开始")
    rows = {(r["candidate"], r["technique"]): r for r in state["results"]}
    assert rows[("stub-llm", "rag")]["accuracy"] > 0.6 > rows[("stub-llm", "zero-shot")]["accuracy"]
    assert named in reply


def test_the_chat_sets_the_passages_and_says_when_there_are_no_documents(tmp_path, monkeypatch) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.graph import compile_graph
    from core import workspace
    from tests.test_journey import _turn

    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, "route tickets to electronics, garden or kitchen, 80% accuracy, no cost limit, no latency limit")
        _turn(graph, "", [workspace.keep_upload("journey", write_rag_data(tmp_path / "t.csv"), "t.csv")])
        _turn(graph, "drop smollm2-135m")
        state, reply = _turn(graph, "use 2 passages")
        assert "RAG needs your documents" in reply and all(Technique.of(c).kind != "rag" for c in state["plan"]["shots"])
        _turn(graph, "", [workspace.keep_upload("journey", DOCS / "kitchen-team.md", "kitchen-team.md")])
        state, reply = _turn(graph, "每次附 2 段")
        assert Technique("rag", 2).code in state["plan"]["shots"] and "RAG：文档只切出 1 段" in reply
