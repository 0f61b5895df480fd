"""tools/data/evalset.py: disjoint, stratified, deterministic splits; duplicates and rare classes reported."""

from __future__ import annotations

import pytest

from tests.conftest import DATASETS
from tools.data.evalset import (
    EvalSetError,
    Item,
    items_per_arm_unpaired,
    items_to_beat,
    load_items,
    near_duplicate_keys,
    normalise_text,
    pairs_to_tell_apart,
    power_analysis,
    split,
)
from words.catalog import render


@pytest.fixture(scope="module")
def sms() -> list[Item]:
    return load_items(DATASETS / "sms_spam.csv")[0]


def test_splits_are_disjoint_even_after_normalisation(sms) -> None:
    s = split(sms, eval_size=300, seed=1)
    parts = [{normalise_text(i.text) for i in part} for part in (s.eval, s.few_shot_pool, s.train_pool)]
    assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
    assert s.dropped_duplicates > 400  # sms_spam has 414 exact duplicate texts, more once normalised
    assert len(s.eval) + len(s.few_shot_pool) + len(s.train_pool) + s.dropped_duplicates == len(sms)


def test_near_duplicate_keys_are_equal_exactly_when_the_normal_forms_are(sms) -> None:
    tricky = ["", " ", "A\tB\n\nc", "  Hello,  World!! ", "x\0y", "x y", "xy", "___", "Ünïcode — ＡＢＣ", "abc",
              "a_b-c", "a b c", "ab c", "a bc", "AB-C", "ＡＢ Ｃ", "MiXeD\r\ncase\x0b\x1f end.", "ok\u00a0nbsp",
              "ok nbsp", "oknbsp", "\x00", "中文，标点！", "中文 标点", "中文标点", "tab\tonly\t"]
    texts = tricky + [item.text for item in sms]
    keys, forms = near_duplicate_keys(texts), [normalise_text(t) for t in texts]
    # One key per normal form and one normal form per key: the keys group the texts exactly as the forms do.
    assert len(set(zip(keys, forms, strict=True))) == len(set(keys)) == len(set(forms))
    assert len(set(near_duplicate_keys(["ＡＢＣ", "abc"]))) == 1  # full-width letters meet their ASCII twin
    assert len(set(near_duplicate_keys(["ab c", "a bc", "AB-C!"]))) == 2  # same letters, other words: not one text
    assert near_duplicate_keys([]) == []


def test_stratified_and_deterministic_per_seed(sms) -> None:
    a, b, c = split(sms, eval_size=200, seed=7), split(sms, eval_size=200, seed=7), split(sms, eval_size=200, seed=8)
    assert [i.id for i in a.eval] == [i.id for i in b.eval]
    assert [i.id for i in a.eval] != [i.id for i in c.eval]
    spam_share_data = sum(i.label == "spam" for i in sms) / len(sms)
    spam_share_eval = sum(i.label == "spam" for i in a.eval) / len(a.eval)
    assert abs(spam_share_eval - spam_share_data) < 0.02
    assert {i.label for i in a.few_shot_pool} == {"ham", "spam"}


def test_near_duplicates_across_case_and_punctuation_are_dropped() -> None:
    items = [Item(0, "Win a prize now!", "spam"), Item(1, "win a PRIZE now", "spam"), Item(2, "hello", "ham"),
             Item(3, "hi there", "ham"), Item(4, "call me", "ham"), Item(5, "free money", "spam"),
             Item(6, "cash prize", "spam"), Item(7, "see you", "ham")]
    s = split(items, eval_size=4, seed=0)
    assert s.dropped_duplicates == 1


def test_rare_classes_are_reported_not_lost() -> None:
    items = [Item(i, f"common text {i}", "common") for i in range(50)] + [Item(99, "rare one", "rare")]
    s = split(items, eval_size=20, seed=0)
    assert s.rare_classes == {"rare": 1}
    assert any(i.label == "rare" for i in s.eval)


def test_eval_size_larger_than_the_data_is_a_clear_error(sms) -> None:
    with pytest.raises(EvalSetError, match="evalset.too_large"):
        split(sms, eval_size=10_000)


def test_one_class_is_a_clear_error() -> None:
    with pytest.raises(EvalSetError, match="evalset.one_class"):
        split([Item(i, f"t{i}", "x") for i in range(10)], eval_size=5)


def test_power_numbers_match_the_method_notes() -> None:
    assert items_to_beat(0.85, 0.90) == 283  # 282.2 rounded up; the notes quote ≈ 282
    assert pairs_to_tell_apart(0.05, 0.07) == 218  # 217.4 rounded up; the notes quote ≈ 217
    assert pairs_to_tell_apart(0.05, 0.15) == 469
    assert items_per_arm_unpaired(0.90, 0.85) == 686
    analysis = power_analysis(0.9, 100)
    assert round(analysis.halfwidth * 100) == 6
    english, chinese = render(analysis.reason(), "en"), render(analysis.reason(), "zh")
    assert "±6 points" in english and "283 items" in english
    assert "283 条" in chinese
