"""A Chinese conversation from greeting to export, through the real graph: no English sentence anywhere — not in
the replies, not in the exported report — other than model names, units and the user's own data."""

from __future__ import annotations

import random
import re
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver

from agent.graph import compile_graph, new_replies, turn_input
from core import workspace

# Three English words in a row is a sentence (or a piece of one); names like "tfidf-logreg" are one word.
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ]+[A-Za-z][A-Za-z'’-]*){2,}")
TURNS = ["你好", "我们想把用户评论分成正面和负面，准确率要九成", "每千条不超过5美元", "2秒内", "每天一万条", "没有",
         "/upload", "去掉本地模型", "跑吧", "为什么不用 gpt-4o？", "看看错例", "总结一下", "下载报告"]


def _reviews(path: Path) -> Path:
    rng = random.Random(0)
    good = ["这家店的菜很好吃", "服务很周到，下次还来", "质量不错，物流也快", "非常满意，推荐", "性价比很高"]
    bad = ["太难吃了", "服务态度很差", "质量很差，退货了", "再也不来了", "等了一个小时还没上菜"]
    rows = ["文本,标签"] + [f"{rng.choice(good if i % 2 == 0 else bad)}，第{i}条,{'正面' if i % 2 == 0 else '负面'}"
                           for i in range(300)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# "推荐: x" or "…（2026-11-25)." reads as a half-translated line: Chinese takes the full-width colon and full stop.
# A bare URL that runs into Chinese text: Markdown links it to a page that does not exist ("…/pricing，2026-11-25）").
URL_INTO_CHINESE = re.compile(r"(?<!<)https?://[^\s<>]*[^\x00-\x7f]")
ENGLISH_COLON_AFTER_CHINESE = re.compile(r"[\u4e00-\u9fff]: |: [\u4e00-\u9fff]|[\u4e00-\u9fff）]\.(?:\s|$)", re.MULTILINE)
# "结论依次为 准确率", "（训练的基线） 达到": an English template's space left inside Chinese (table rows quote the data).
SPACE_INSIDE_CHINESE = re.compile(r"^(?!\s*\|).*[\u4e00-\u9fff（）：，。] +[\u4e00-\u9fff]")


def _misset(line: str) -> bool:
    return bool(ENGLISH_COLON_AFTER_CHINESE.search(line) or URL_INTO_CHINESE.search(line)
                or SPACE_INSIDE_CHINESE.search(line))


def test_a_chinese_conversation_has_no_english_sentence(tmp_path) -> None:
    data = _reviews(tmp_path / "评论.csv")
    english: list[tuple[str, str]] = []
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        for turn in TURNS:
            files = [workspace.keep_upload("zh", data, data.name)] if turn == "/upload" else []
            state = graph.invoke(turn_input("" if files else turn, files), {"configurable": {"thread_id": "zh"}})
            reply = "\n".join(m.content for m in new_replies(state))
            assert reply.strip(), turn
            english += [(turn, run) for run in ENGLISH_RUN.findall(reply)]
            english += [(turn, line) for line in reply.splitlines() if _misset(line)]
    assert state["language"] == "zh" and state["recommendation"]["candidate"] == "tfidf-logreg"
    report = Path(state["exports"]["report.md"]).read_text(encoding="utf-8")
    assert report.startswith("# modelpick 报告 — ") and "## 推荐" in report
    english += [("report.md", run) for run in ENGLISH_RUN.findall(report)]
    english += [("report.md", line) for line in report.splitlines() if _misset(line)]
    assert english == [], "\n".join(f"{turn}: {line}" for turn, line in english)
    assert str(workspace.home()) not in report  # no server path in what the user takes away
