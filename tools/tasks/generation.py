"""Open answers: offline overlap metrics, an LLM judge — and how far the judge can be trusted, measured.

Each candidate answers the questions; every answer is scored offline against the reference (exact match, SQuAD
token F1, chrF) and judged right or wrong by a judge model with a rubric the user can edit (its reply: a verdict and
a one-line reason). The judge is itself measured before it is trusted: on rows a person marked (a human-score
column beside an answer in the data), its verdicts are compared with theirs — agreement and Cohen's κ with a 95 %
interval — and each candidate's judged accuracy is then corrected by prediction-powered inference (Angelopoulos
et al., 2023): the mean judge verdict on the candidate's answers minus the judge's mean error on the human-marked
rows, with a variance from both samples. The correction assumes the judge errs on the candidates' answers as it does
on the marked ones — the marked answers should look like the candidates' (say so when they do not).

Judging runs through the same runner as candidates (retries, cache, budget, cost counted in the run's spend): its
items are the judge prompts, its "task" reads a verdict. A candidate that is also the judge is flagged on its row.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.shapes import DatasetProfile
from tools.data.evalset import Item
from tools.data.read import Columns, DataError, profile_table
from tools.data.tables import read_table
from tools.prompting.prompts import with_passages
from tools.scoring.metrics import UNPARSEABLE, ItemResult

SYSTEM = "Answer the question accurately and concisely."
QUESTION = "Question: {text}"
RUBRIC = ("An answer is RIGHT when it states the same facts as the reference answer (wording may differ; extra "
          "correct detail is fine) and WRONG when it contradicts the reference, misses its key fact, or does not "
          "answer.")
JUDGE_SYSTEM = "You are a strict grader. {rubric} Reply with RIGHT or WRONG, then one line: the reason."
JUDGE_ASK = "Question: {question}\n\nReference answer: {reference}\n\nAnswer to grade: {answer}"
RIGHT, WRONG = "right", "wrong"
KAPPA_TRUSTED = 0.6  # under this Cohen's κ with people, a judge's verdicts are flagged (a common reading of κ)
JUDGE_PREFIX = "judge:"  # the run store keeps a judge's verdicts on a candidate as candidate "judge:<judge>:<cand>"
HUMAN_ROWS = "judge:human"  # …and its verdicts on the human-marked rows as "judge:<judge>:human"
TEXT_NAMES = ("question", "prompt", "input", "query", "text", "问题")
REFERENCE_NAMES = ("reference", "answer", "expected", "gold", "target", "output", "参考答案", "答案")
HUMAN_NAMES = ("human", "human_score", "human_mark", "human_label", "human_verdict", "人工评分", "人工")
RESPONSE_NAMES = ("response", "model_answer", "candidate_answer", "answer_to_grade", "回答")


class GenerationError(DataError):
    """Data that cannot be an open-answer set (`generation.*` message ids)."""


@dataclass(frozen=True)
class HumanMark:
    """A person's verdict on an answer in the data (the judge is measured against these)."""

    item_id: int
    question: str
    reference: str
    answer: str
    right: bool


def load_answers(path: str | Path, *, text_column: str | None = None, reference_column: str | None = None,
                 human_column: str | None = None, response_column: str | None = None, sheet: str | None = None,
                 ) -> tuple[list[Item], str, str, list[HumanMark]]:
    """Questions with their reference answers (as items), the columns used, and the human-marked answers."""
    frame = read_table(path, sheet=sheet).frame
    columns = list(frame.columns)
    name = Path(path).name
    for wanted in (text_column, reference_column, human_column, response_column):
        if wanted is not None and wanted not in columns:
            raise GenerationError("generation.no_column", name=name, column=wanted, columns=", ".join(columns))
    reference_column = reference_column or _named(columns, REFERENCE_NAMES, exclude=(text_column,))
    text_column = text_column or _named(columns, TEXT_NAMES, exclude=(reference_column,))
    if reference_column is None or text_column is None:
        raise GenerationError("generation.no_reference", name=name, columns=", ".join(columns))
    marks: list[HumanMark] = []
    if human_column is not None:
        response_column = response_column or _named(columns, RESPONSE_NAMES,
                                                    exclude=(text_column, reference_column, human_column))
        if response_column is None:
            raise GenerationError("generation.no_response", name=name, column=human_column)
        for i, row in enumerate(frame[[text_column, reference_column, response_column, human_column]].fillna("")
                                .itertuples(index=False)):
            verdict = human_verdict(str(row[3]))
            if verdict is not None and str(row[2]).strip():
                marks.append(HumanMark(i, str(row[0]), str(row[1]), str(row[2]), verdict))
    items = [Item(i, str(q), str(r).strip()) for i, (q, r) in
             enumerate(zip(frame[text_column].fillna(""), frame[reference_column].fillna(""), strict=True))]
    return items, text_column, reference_column, marks


def _named(columns: list[str], names: tuple[str, ...], exclude: tuple[str | None, ...]) -> str | None:
    for wanted in names:
        for column in columns:
            if column not in exclude and column.strip().lower() == wanted:
                return column
    return None


def human_verdict(value: str) -> bool | None:
    """A person's mark: 1/0, yes/no, right/wrong, correct/incorrect, true/false, 对/错, ✓/✗; None when blank."""
    text = value.strip().lower()
    if text in ("1", "1.0", "yes", "y", "right", "correct", "true", "pass", "good", "对", "正确", "是", "✓", "✔"):
        return True
    if text in ("0", "0.0", "no", "n", "wrong", "incorrect", "false", "fail", "bad", "错", "错误", "否", "✗", "✘"):
        return False
    return None


def profile_answers(path: str | Path, *, display_name: str | None = None, sheet: str | None = None,
                    text_column: str | None = None) -> DatasetProfile:
    """The upload's profile as open-answer data: questions, the reference column, and a person's marks on
    answers when a column of them is there (found by its name: human, human_score, 人工评分…)."""
    name = display_name or Path(path).name
    table = read_table(path, sheet=sheet, display_name=name)
    human = _named(list(table.frame.columns), HUMAN_NAMES, exclude=(text_column,))
    items, text, reference, marks = load_answers(path, text_column=text_column, human_column=human, sheet=sheet)
    profile = profile_table(table, Columns(text, None), name=name, path=str(path))
    profile.update({"task": "generation", "reference_column": reference, "label_counts": {}, "classes": 0,
                    "human_column": human, "human_marks": len(marks)})
    return profile


# ---------------------------------------------------------------- prompts and answers


def build_messages(text: str, shots: Sequence[Item] = (), passages: Sequence[str] = ()) -> list[dict]:
    messages = [{"role": "system", "content": SYSTEM}]
    for shot in shots:
        messages += [{"role": "user", "content": QUESTION.format(text=shot.text)},
                     {"role": "assistant", "content": shot.label}]
    messages.append({"role": "user", "content": with_passages(QUESTION.format(text=text), passages)})
    return messages


def parse_answer(raw: str | None) -> str:
    """The answer as given (an empty reply is no answer)."""
    text = (raw or "").strip()
    return text if text else UNPARSEABLE


def judge_messages(question: str, reference: str, answer: str, rubric: str = RUBRIC) -> list[dict]:
    return [{"role": "system", "content": JUDGE_SYSTEM.format(rubric=rubric)},
            {"role": "user", "content": JUDGE_ASK.format(question=question, reference=reference, answer=answer)}]


def parse_verdict(raw: str | None) -> str:
    """RIGHT / WRONG (or correct / incorrect, 对 / 错) as the reply's first word; else UNPARSEABLE."""
    text = unicodedata.normalize("NFKC", raw or "").strip().lstrip("*#>`\"' ").lower()
    if re.match(r"(?:verdict:\s*)?(?:right|correct|yes|pass|对|正确)\b", text) or text.startswith(("对", "正确")):
        return RIGHT
    if re.match(r"(?:verdict:\s*)?(?:wrong|incorrect|no|fail|错|错误)\b", text) or text.startswith(("错",)):
        return WRONG
    return UNPARSEABLE


def judge_reason(raw: str | None) -> str:
    """The judge's one-line reason (what follows the verdict)."""
    lines = [line.strip() for line in (raw or "").strip().splitlines() if line.strip()]
    if not lines:
        return ""
    first = re.sub(r"^\W*(?:verdict:\s*)?(?:right|wrong|correct|incorrect)\b\W*", "", lines[0], flags=re.I)
    return (first or (lines[1] if len(lines) > 1 else "")).strip()[:300]


# ---------------------------------------------------------------- offline metrics


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    words: list[str] = []
    for chunk in re.findall(r"[\u4e00-\u9fff]|\w+", text):  # Chinese: one character per token
        words.append(chunk)
    return words


def exact_match(answer: str, reference: str) -> float:
    return float(_tokens(answer) == _tokens(reference))


def token_f1(answer: str, reference: str) -> float:
    """SQuAD's token F1: overlap of normalised words (characters for Chinese)."""
    a, r = _tokens(answer), _tokens(reference)
    common = sum((Counter(a) & Counter(r)).values())
    if not a or not r or not common:
        return float(a == r)
    precision, recall = common / len(a), common / len(r)
    return 2 * precision * recall / (precision + recall)


def chrf(answer: str, reference: str, n: int = 6, beta: float = 2.0) -> float:
    """chrF (Popović 2015): character n-gram F-score, n = 1..6, recall weighted by β = 2, spaces ignored."""
    a, r = "".join(answer.split()), "".join(reference.split())
    precisions, recalls = [], []
    for size in range(1, n + 1):
        grams_a = Counter(a[i:i + size] for i in range(len(a) - size + 1))
        grams_r = Counter(r[i:i + size] for i in range(len(r) - size + 1))
        if not grams_a or not grams_r:
            continue
        common = sum((grams_a & grams_r).values())
        precisions.append(common / sum(grams_a.values()))
        recalls.append(common / sum(grams_r.values()))
    if not precisions:
        return float(a == r)
    p, rec = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    return (1 + beta**2) * p * rec / (beta**2 * p + rec) if p + rec else 0.0


def overlap_scores(results: Sequence[ItemResult]) -> dict[str, float]:
    """Mean exact match, token F1 and chrF over the answered items (no answer scores 0)."""
    answered = [r for r in results if r.error is None]
    if not answered:
        return {"exact_match": 0.0, "token_f1": 0.0, "chrf": 0.0}
    texts = [(r.prediction if r.prediction not in (None, UNPARSEABLE) else "", r.gold) for r in answered]
    return {"exact_match": sum(exact_match(a, g) for a, g in texts) / len(texts),
            "token_f1": sum(token_f1(a, g) for a, g in texts) / len(texts),
            "chrf": sum(chrf(a, g) for a, g in texts) / len(texts)}


# ---------------------------------------------------------------- the judge, measured


def cohen_kappa(pairs: Sequence[tuple[bool, bool]]) -> tuple[float, tuple[float, float]]:
    """Cohen's κ between two raters' yes/no verdicts, with a 95 % interval (the large-sample standard error of
    Fleiss, Cohen & Everitt 1969, simplified form)."""
    n = len(pairs)
    if n == 0:
        return 0.0, (-1.0, 1.0)
    observed = sum(a == b for a, b in pairs) / n
    yes_a, yes_b = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
    expected = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    if expected >= 1.0:
        return (1.0 if observed == 1.0 else 0.0), (-1.0, 1.0)
    kappa = (observed - expected) / (1 - expected)
    se = math.sqrt(max(observed * (1 - observed), 0.0) / (n * (1 - expected) ** 2))
    return kappa, (max(-1.0, kappa - 1.96 * se), min(1.0, kappa + 1.96 * se))


def ppi_accuracy(judged: Sequence[bool], judge_on_marked: Sequence[bool], human_on_marked: Sequence[bool],
                 ) -> tuple[float, tuple[float, float]]:
    """Prediction-powered estimate of the share of right answers: the judge's share on the candidate's N answers,
    corrected by the judge's mean error on the n human-marked answers; 95 % interval from both variances."""
    big_n, n = len(judged), len(human_on_marked)
    if big_n == 0 or n == 0:
        raise ValueError("needs judged answers and human-marked ones")
    mean_j = sum(judged) / big_n
    rectifier = [float(j) - float(h) for j, h in zip(judge_on_marked, human_on_marked, strict=True)]
    mean_r = sum(rectifier) / n
    var_j = sum((float(j) - mean_j) ** 2 for j in judged) / max(1, big_n - 1)
    var_r = sum((x - mean_r) ** 2 for x in rectifier) / max(1, n - 1)
    estimate = mean_j - mean_r
    half = 1.96 * math.sqrt(var_j / big_n + var_r / n)
    return min(1.0, max(0.0, estimate)), (max(0.0, estimate - half), min(1.0, estimate + half))


def judge_key(judge: str, candidate: str) -> str:
    return f"{JUDGE_PREFIX}{judge}:{candidate}"
