"""The LLM path of the words: the node decides what to say; the agent model only phrases it.

A numbers guard checks every number in the model's text against the facts it was given (or a plain
derivation: 0.9 ↔ 90 %); one invented number and the template reply is sent instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.llm import AgentLLM, LLMError
from knowledge.catalog import load_catalog

PHRASE_SYSTEM = (
    "You are modelpick, an assistant that helps teams choose an LLM by measuring candidates on their own data. "
    "Rewrite the FACTS below as a short, friendly reply in {language}. Keep every number, price, model name and "
    "question exactly as given. Do not add any number, price, model or claim that is not in the FACTS. Keep "
    "markdown emphasis. No preamble.")
LANGUAGE = {"en": "English", "zh": "Simplified Chinese"}
_NUMBER = re.compile(r"(?<![\w.])\$?\d[\d,]*(?:\.\d+)?\s*(?:%|k\b|m\b)?|(?<![\w.])\.\d+")


def numbers_in(text: str) -> list[tuple[float, bool]]:
    """(value, is_money_or_percent) for every number written in `text`."""
    found = []
    for match in _NUMBER.finditer(text):
        raw = match.group(0).strip()
        marked = raw.startswith("$") or raw.endswith("%")
        digits = raw.lstrip("$").rstrip("%").strip()
        scale = 1.0
        if digits.endswith(("k", "m")):
            scale = 1e3 if digits.endswith("k") else 1e6
            digits = digits[:-1].strip()
        try:
            found.append((float(digits.replace(",", "")) * scale, marked))
        except ValueError:
            continue
    return found


def numbers_guard(text: str, facts: str) -> list[float]:
    """Numbers in `text` that the facts do not contain (nor imply as % ↔ fraction); empty means safe."""
    allowed = [v for v, _ in numbers_in(facts)]
    derived = allowed + [v * 100 for v in allowed] + [v / 100 for v in allowed]
    invented = []
    for value, marked in numbers_in(text):
        if not marked and value.is_integer() and 0 <= value <= 10:
            continue  # counting words ("2 models", "step 3") carry no claim
        if not any(abs(value - a) <= 1e-9 + 0.005 * abs(a) for a in derived):
            invented.append(value)
    return invented


def models_guard(text: str, facts: str) -> list[str]:
    """Catalog models the text names that the facts do not: a phrasing may not bring in a model."""
    lowered, known = text.lower(), facts.lower()
    named = []
    for card in load_catalog().all():
        for name in {card.id, card.display_name.lower()}:
            pattern = r"(?<![\w.-])" + re.escape(name.lower()) + r"(?![\w-]|\.\w)"
            if re.search(pattern, lowered) and not re.search(pattern, known):
                named.append(card.id)
                break
    return named


SECRET_LIKE = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_-]{8,}|\bapi[ _-]?key\b|\bAuthorization:|\bBearer\s+\S{8,}",
                         re.IGNORECASE)


def secrets_guard(text: str, facts: str) -> list[str]:
    """Key-like strings and prompt echoes in a model's text that its facts did not contain: never shown or kept."""
    return [m.group(0) for m in SECRET_LIKE.finditer(text) if m.group(0).lower() not in facts.lower()]


def phrase(agent: AgentLLM, facts: str, lang: str, on_token: Callable[[str], None] | None = None) -> tuple[str, str]:
    """(text, how): the model's phrasing when it passes the guard ('llm'), else the facts ('template: why')."""
    try:
        text = agent.stream([{"role": "system", "content": PHRASE_SYSTEM.format(language=LANGUAGE.get(lang, "English"))},
                             {"role": "user", "content": f"FACTS:\n{facts}"}], on_token)
    except LLMError as error:
        return facts, f"template: {error}"
    invented = numbers_guard(text, facts)
    if invented:
        return facts, f"template: invented numbers {invented[:3]}"
    if secrets_guard(text, facts):
        return facts, "template: a key-like string"
    models = models_guard(text, facts)
    if models:
        return facts, f"template: named models not in the facts {models[:3]}"
    if ("?" in facts or "？" in facts) and not ("?" in text or "？" in text):
        return facts, "template: the question was lost"
    if "FACTS" in text:
        return facts, "template: the prompt leaked into the reply"
    return text, "llm"
