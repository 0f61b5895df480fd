"""The message catalog: every id in English and Chinese, with the same values; every id the code uses exists;
and no folder but words/ holds a user-facing sentence."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from core.language import detect_language
from core.problems import encode, reason
from words.catalog import MESSAGES, fields, render, say

ROOT = Path(__file__).resolve().parent.parent
# Texts with nothing to translate (placeholders and symbols only).
NO_WORDS = {"label.row", "report.date", "failure.http", "verdict.no target"}  # a dash, in every language


class Sample(float):
    """A value that formats under any spec: a number where the text asks for one (a price, `usd`, included), a word
    otherwise."""

    def __new__(cls) -> Sample:
        return super().__new__(cls, 0.5)

    def __format__(self, spec: str) -> str:
        return format(float(self), spec) if spec else "sample"


@pytest.mark.parametrize("message_id", sorted(MESSAGES))
def test_every_message_renders_in_both_languages_with_the_same_values(message_id: str) -> None:
    english, chinese = MESSAGES[message_id]
    assert english.strip() and chinese.strip()
    values = {name: Sample() for name in fields(message_id)}
    rendered = {lang: say(message_id, lang, **values) for lang in ("en", "zh")}
    assert "$0.5000" not in rendered["en"]  # a price reads as the tables show it ("$0.5"), never padded
    if message_id not in NO_WORDS:
        assert detect_language(rendered["zh"]) == "zh", rendered["zh"]
    names = [{n for _, n, _, _ in __import__("string").Formatter().parse(text) if n} for text in (english, chinese)]
    assert names[0] == names[1], message_id  # both languages need exactly the same values


def _ids_used_in_code() -> set[str]:
    """Message ids written as string literals in calls across the product's code."""
    pattern = re.compile(r"""(?:reason|encode|say|Error|Problem|NoPrice|EmptyQuery|DataError|CandidateError|"""
                         r"""EvalSetError|UnknownModel)\(\s*"([a-z_]+\.[a-z_ ]+)\"""")
    found: set[str] = set()
    for folder in ("agent", "tools", "knowledge", "cli", "core", "service", "words", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(pattern.findall(path.read_text()))
    return found


def test_every_id_the_code_uses_is_in_the_catalog() -> None:
    used = _ids_used_in_code()
    assert len(used) > 60
    assert sorted(used - set(MESSAGES)) == []


def test_ids_built_from_parts_exist() -> None:
    for what in ("pdf", "png", "jpeg", "gif", "gzip", "7z", "rar"):
        assert f"data.what_{what}" in MESSAGES
    for kind in ("sheet", "text_column", "label_column"):
        assert f"data.choose_{kind}" in MESSAGES
    for value in ("met", "marginal", "missed", "unknown", "no target", "failed"):
        assert f"verdict.{value}" in MESSAGES
    for status in ("met", "marginal", "none"):
        assert f"report.status_{status}" in MESSAGES


def test_nested_reasons_and_encoded_causes_are_phrased_in_the_language() -> None:
    cause = encode("failure.endpoint_dead", count=8, last=encode("failure.connection", detail="refused"))
    note = encode("note.failed", id="stub", cause=cause)
    assert render(note, "en") == ("stub: failed — the endpoint stopped answering (8 calls in a row failed; last: "
                                  "connection error: refused)")
    assert render(note, "zh") == "stub：失败 — 端点不再响应（连续 8 次调用失败；最后一次：连接错误：refused）"
    assert render("HTTP 500 from a proxy", "zh") == "HTTP 500 from a proxy"  # a server's own words are quoted
    label = reason("label.row", candidate="gpt-4o-mini", technique=reason("technique.k_shot", shots=3))
    assert render(label, "zh") == "gpt-4o-mini（3 个示例）"


# Strings in tools/ and knowledge/ that are not user-facing: prompts sent to models, SQL, and invariants that
# only a programmer can break.
ALLOWED = ("You are a text classifier", "Labels: {labels}", "Labels:\n<labels>", "Passages from your documents", "You extract fields",
           "Keys: {fields}", "Answer the question accurately", "An answer is RIGHT when", "You are a strict grader",
           "needs judged answers", "CREATE TABLE", "ALTER TABLE", "INSERT ", "SELECT ", "UPDATE ", "DELETE ",
           "expected accuracy must be", " is not in the price table",
           # agent/: the agent model's system prompts, and reasons kept in logs and guards (never shown)
           "You are modelpick, an assistant", "(The block above is data the user uploaded", "no JSON object in the reply",
           "the answer had a key-like string", "template: the ", "this conversation's evaluation run",
           "in this conversation yet", "the answer had numbers no tool returned", "Facts from modelpick's knowledge store",
           "template: named models", "You extract facts about a model-selection brief", "labels found in the uploaded data", "The assistant last asked about",
           # programmer errors and log lines in core/, service/ and web/
           "is not the published BPE file", "must be a postgresql:// URL", "this login is no longer valid",
           "upload could not be kept", "fine-tune status read failed")
# What users type, not what modelpick says: the intent reader's example messages.
USER_WORDS = ("EXAMPLES",)
REGEX = re.compile(r"\\[bdswWS]|\(\?:|\[\^?[^\]]*\]")
SENTENCE = re.compile(r"[A-Za-z]{2,}(?:\s+[A-Za-z']+){3,}")


# Every folder but words/ (and cli/, whose help texts are typer's): no user-facing sentence.
SENTENCE_FREE = ("tools", "knowledge", "core", "service", "agent", "web")


def test_no_user_facing_sentence_outside_words() -> None:
    found = []
    for folder in SENTENCE_FREE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text())
            docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                          if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                          and node.body and isinstance(node.body[0], ast.Expr)
                          and isinstance(node.body[0].value, ast.Constant)}
            examples = {id(c) for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign))
                        and any(getattr(t, "id", None) in USER_WORDS for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))
                        for c in ast.walk(node)}
            for node in ast.walk(tree):
                if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                        and id(node) not in examples and not REGEX.search(node.value)
                        and SENTENCE.search(node.value) and not any(a in node.value for a in ALLOWED)):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]}")
    assert found == [], "\n".join(found)


def test_the_html_report_escapes_data_and_names_its_language() -> None:
    from words.report import report_html

    html = report_html("# 报告 — <b>x</b>\n\n| a | b |\n|---|---|\n| <script>alert(1)</script> | 2 |\n", [], "zh")
    assert '<html lang="zh-CN">' in html and "<table>" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<title>报告 — &lt;b&gt;x&lt;/b&gt;</title>" in html


def test_an_adaptive_plan_gives_its_range_in_calls_and_dollars() -> None:
    from agent.state import Brief
    from core.problems import reason
    from words.speak import plan_text

    plan = {"split": {"size": 400, "eval_label_counts": {"a": 200, "b": 200}, "few_shot_pool": 16, "train_pool": 900,
                      "dropped_duplicates": 0, "dropped_empty": 0, "rare_classes": {}},
            "power_sentence": reason("report.untitled"), "candidates": ["tfidf-logreg", "gpt-4o-mini"], "shots": [0],
            "calls": 800, "expected_time": {"seconds": None, "unmeasured": []}, "shortlist": [], "excluded": [],
            "looks": [50, 100, 200, 400], "eval_config": {},
            "forecasts": [{"model_id": "tfidf-logreg", "shots": 0, "cost_per_1k_usd": 0.0, "eval_cost_usd": 0.0,
                           "monthly_usd": None, "price_source": "local:scikit-learn", "as_of": "2026-11-25"},
                          {"model_id": "gpt-4o-mini", "shots": 0, "cost_per_1k_usd": 0.1, "eval_cost_usd": 0.04,
                           "monthly_usd": None, "price_source": "https://openai.com/api/pricing", "as_of": "2026-11-25"}]}
    text = plan_text(plan, Brief(), "en", [])
    assert "between 450 and 800 calls" in text  # the baseline answers all 400; gpt-4o-mini 50 to 400
    assert "The eval costs between $0.005 (every candidate decided at the first look) and $0.04" in text
    assert "评测费用在 $0.005" in plan_text(plan, Brief(), "zh", [])
    suggested = {**plan, "candidates": ["tfidf-logreg"], "shortlist": [
        {"id": "gpt-4.1-mini", "reason": reason("report.untitled"), "runnable": False},
        {"id": "gpt-6-luna", "reason": reason("report.untitled"), "runnable": False}]}
    from knowledge.lifecycle import retiring_soon

    retiring = retiring_soon("gpt-4.1-mini")
    for lang, said in (("en", "*add gpt-6-luna*"), ("zh", "“加上 gpt-6-luna”")):
        text = plan_text(suggested, Brief(), lang, [])
        assert said in text  # the example of *add X* is a suggestion that is not about to retire
        if retiring is not None:  # a suggestion shutting down within 6 months says when (today: 2027-01-14)
            assert retiring.shutdown in text.split("gpt-4.1-mini", 1)[1].split("\n", 1)[0]


def test_the_expected_time_names_unmeasured_candidates_as_a_list_of_the_users_language() -> None:
    from words.speak import expected_time_line

    two = {"seconds": None, "unmeasured": ["tfidf-logreg", "smollm2-135m"], "probed": []}
    assert "tfidf-logreg, smollm2-135m until their first items run" in expected_time_line(two, False)
    assert expected_time_line(two, True).startswith("tfidf-logreg、smollm2-135m 还没有实测延迟")
    one = {"seconds": None, "unmeasured": ["smollm2-135m"], "probed": []}
    assert "smollm2-135m until its first items run" in expected_time_line(one, False)
    probed = {"seconds": 12.0, "unmeasured": [], "probed": ["smollm2-135m", "qwen2.5-0.5b"]}
    assert "对 smollm2-135m、qwen2.5-0.5b 的" in expected_time_line(probed, True)


def test_urls_become_links_that_end_where_the_url_does() -> None:
    from words.speak import linked_urls

    assert linked_urls("（来源 https://deepinfra.com/pricing，2026-11-25）") == \
        "（来源 <https://deepinfra.com/pricing>，2026-11-25）"  # not a link to "…pricing，2026-11-25）"
    assert linked_urls("(source https://x.com/docs/pricing).") == "(source <https://x.com/docs/pricing>)."
    assert linked_urls("see https://x.com/a_(b), then") == "see <https://x.com/a_(b)>, then"
    assert linked_urls("| https://x.com/p (2026-11-25) |") == "| <https://x.com/p> (2026-11-25) |"
    for kept in ("[x](https://x.com/p)", "`https://x.com/p`", "base_url: http://…/v1", "<https://x.com/p>，"):
        assert linked_urls(kept) == kept
    once = linked_urls("a https://x.com/p，b")
    assert linked_urls(once) == once


def test_chinese_has_no_space_inside_it_and_keeps_the_space_beside_latin_words() -> None:
    from words.catalog import dated
    from words.speak import chinese_spacing, typeset

    assert chinese_spacing("结论依次为 准确率 / 成本 / 延迟。") == "结论依次为准确率 / 成本 / 延迟。"
    assert chinese_spacing("- tfidf-logreg（训练的基线） 以最低的实测成本") == "- tfidf-logreg（训练的基线）以最低的实测成本"
    assert chinese_spacing("目标：成本 每千条 ≤ $5，x （y）") == "目标：成本每千条 ≤ $5，x（y）"
    for kept in ("达到 96.7%，高于 90% 的目标", "评测集：60 条", "- （注）", "**推荐** （x）",
                 "| 这家店 很好 | 正面 |",  # a table row quotes the user's text as it is
                 "The model (x) is good: a b.", "```\n中 文\n```"):
        assert chinese_spacing(kept) == kept
    assert typeset("来源 https://x.com/p ，见 上文") == "来源 <https://x.com/p>，见上文"
    assert dated("local:scikit-learn", "2026-11-25", "zh") == "本机运行（scikit-learn 包，$0）（2026-11-25）"
    assert dated("https://x.com/p", "2026-11-25", "en") == "https://x.com/p (2026-11-25)"
    assert dated("endpoint:mine", None, "zh") == dated("endpoint:mine", "", "zh")  # the user's own price: no date


def test_latencies_in_a_table_carry_the_users_unit() -> None:
    from words.speak import latency

    assert latency(0.0071, lang="en") == "0.007 s" and latency(0.0071, lang="zh") == "0.007 秒"
    assert latency(0.5, 1.25, lang="zh") == "0.500 / 1.250 秒"


def test_counts_take_their_nouns_number() -> None:
    from words.catalog import say

    one = say("results.adaptive", "en", calls=10, fixed=20, saved=0.5, rounds=1)
    assert "in 1 round;" in one and "round(s)" not in one
    assert "in 2 rounds;" in say("results.adaptive", "en", calls=10, fixed=20, saved=0.5, rounds=2)
    assert "Indexed 1,200 documents as" in say("docs.indexed", "en", documents=1200, passages=3, chunk=4, names="a")
    assert "共 2 轮" in say("results.adaptive", "zh", calls=10, fixed=20, saved=0.5, rounds=2)
    assert "1 passage of up to" in say("docs.indexed", "en", documents=1, passages=1, chunk=4, names="a")
    better = say("compare.better", "en", a="A", b="B", a_only=0, b_only=1, better="B", p="p = 0.5")
    assert "B is right on 1 item where A is wrong" in better
    assert "differently on 1 item:" in say("compare.table_head", "en", count=1, shown="")
    too_large = say("evalset.too_large", "en", asked=9, usable=5, duplicates=1, empty=2, few_shot=3)
    assert "removing 1 duplicate, 2 empty rows and" in too_large


def test_progress_says_starting_until_an_answer_and_counts_its_errors() -> None:
    from tools.run.runner import Progress
    from words.speak import progress_line

    assert progress_line(Progress("m", 0, 0, 100, 0, 0, 0.4), "en") == "0/100 items · starting"
    assert progress_line(Progress("m", 0, 0, 100, 0, 0, 0.4), "zh") == "0/100 条 · 正在开始"
    line = progress_line(Progress("m", 0, 10, 100, 1, 9, 2.0), "en")
    assert line.startswith("10/100 items · 5.0 items/s · 1 error · running accuracy 90%"), line
    done = progress_line(Progress("m", 0, 100, 100, 2, 90, 10.0, finished=True), "en")
    assert "2 errors" in done and done.endswith("done")


def test_a_cascade_is_shown_as_its_two_steps_and_when_it_escalates() -> None:
    from words.catalog import label, shown_candidate

    assert label("cheap:0→careful:0/unsure30", 0, "en") == "cheap → careful (cascade if unsure)"
    assert label("cheap:0→careful:3", 0, "zh") == "cheap → careful（3 个示例）（无法解析时级联）"
    assert label("a:2→org/model:0/baseline", 0, "en") == "a (2-shot) → org/model (cascade if the baseline disagrees)"
    assert shown_candidate("ft:gpt-4o-mini:acme::x:0→careful:0", "en") == "ft:gpt-4o-mini:acme::x → careful"
    for kept in ("tfidf-logreg", "org/model", "ft:gpt-4o-mini:acme::x"):
        assert shown_candidate(kept, "zh") == kept
