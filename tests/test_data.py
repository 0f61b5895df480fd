"""tools/data/read.py: every bad input gets its specific message; good files of every format are read right."""

from __future__ import annotations

import pytest

from core.language import detect_language
from tests.conftest import DATASETS
from tools.data.read import DataError, NeedsChoice, neutralise_cell
from tools.data.tables import read_dataset, read_table
from words.catalog import render


@pytest.mark.parametrize(("name", "code", "says"), [
    ("empty.csv", "empty", "is empty"),
    ("header_only.csv", "header_only", "no data rows"),
    ("binary.csv", "binary", "binary file"),
    ("image.csv", "binary_kind", "PNG image"),
    ("undecodable.csv", "undecodable", "not text in any common encoding"),
    ("one_class.csv", "one_class", "one class only ('ham')"),
    ("ragged.csv", "ragged", "line 3 has 3"),
    ("bomb.xlsx", "zip_bomb", "was not opened"),
    ("plain_zip.xlsx", "not_xlsx", "not an Excel workbook"),
    ("bad_line.jsonl", "bad_json_line", "Line 2"),
])
def test_bad_input_gets_one_specific_message(samples, name, code, says) -> None:
    with pytest.raises(DataError) as caught:
        read_dataset(samples[name])
    assert caught.value.code == code
    english, chinese = render(caught.value, "en"), render(caught.value, "zh")
    assert says in english
    assert name in english and name in chinese  # the message names the file the user sent, in both languages
    assert detect_language(chinese) == "zh"


def test_over_the_size_limit(samples, monkeypatch) -> None:
    monkeypatch.setenv("MODELPICK_MAX_UPLOAD_MB", "0.00001")
    with pytest.raises(DataError) as caught:
        read_dataset(samples["formula.csv"])
    assert caught.value.code == "too_large" and "upload limit" in render(caught.value, "en")


def test_over_the_row_limit(samples, monkeypatch) -> None:
    monkeypatch.setenv("MODELPICK_MAX_ROWS", "3")
    with pytest.raises(DataError) as caught:
        read_dataset(samples["formula.csv"])
    assert caught.value.code == "too_many_rows_at_least"  # read no further than the limit
    assert "has more than 3 rows, the limit" in render(caught.value, "en")


def test_several_sheets_asks_which_then_reads_the_chosen_one(samples) -> None:
    with pytest.raises(NeedsChoice) as caught:
        read_dataset(samples["sheets.xlsx"])
    assert caught.value.kind == "sheet" and caught.value.options == ["Train", "Test"]
    profile = read_dataset(samples["sheets.xlsx"], sheet="Test")
    assert profile["sheet"] == "Test" and profile["rows"] == 2


def test_single_sheet_xlsx_keeps_formulas_as_text(samples) -> None:
    profile = read_dataset(samples["single.xlsx"])
    assert profile["rows"] == 3 and profile["format"] == "xlsx"
    assert profile["formula_like_cells"] == 1


@pytest.mark.parametrize(("name", "encoding", "labels"), [
    ("gbk.csv", "gb18030", {"正面": 2, "负面": 2}),
    ("latin1.csv", "cp1252", {"pos": 2, "neg": 2}),
])
def test_encodings_are_detected(samples, name, encoding, labels) -> None:
    profile = read_dataset(samples[name])
    assert profile["encoding"] == encoding
    assert profile["label_counts"] == labels


def test_chinese_data_is_profiled_as_chinese(samples) -> None:
    profile = read_dataset(samples["gbk.csv"])
    assert profile["language"] == "zh" and profile["text_column"] == "文本"


def test_formula_cells_are_kept_as_text_and_neutralised_on_export(samples) -> None:
    profile = read_dataset(samples["formula.csv"])
    assert profile["rows"] == 5 and profile["formula_like_cells"] == 4
    assert neutralise_cell("=1+1") == "'=1+1"
    assert neutralise_cell("@home") == "'@home"
    assert neutralise_cell("plain") == "plain"


def test_no_label_column_is_unlabelled_data_not_an_error(samples) -> None:
    profile = read_dataset(samples["no_label.csv"])
    assert profile["label_column"] is None and profile["label_counts"] == {}
    assert any("No label column" in render(w, "en") for w in profile["warnings"])


def test_a_file_is_read_by_content_when_its_extension_lies(samples) -> None:
    profile = read_dataset(samples["jsonl_named.csv"])
    assert profile["format"] == "jsonl" and profile["rows"] == 2
    assert any("named .csv but its content is JSONL" in render(w, "en") for w in profile["warnings"])


@pytest.mark.parametrize(("name", "fmt"), [("data.jsonl", "jsonl"), ("data.json", "json"), ("data.tsv", "tsv")])
def test_formats(samples, name, fmt) -> None:
    profile = read_dataset(samples[name])
    assert profile["format"] == fmt and profile["text_column"] == "text" and profile["label_column"] == "label"
    assert profile["label_counts"] == {"pos": 1, "neg": 1}


def test_ambiguous_label_column_asks_and_the_user_can_name_it(samples) -> None:
    with pytest.raises(NeedsChoice) as caught:
        read_dataset(samples["two_labels.csv"])
    assert caught.value.kind == "label_column" and set(caught.value.options) == {"topic", "priority"}
    profile = read_dataset(samples["two_labels.csv"], label_column="topic")
    assert profile["text_column"] == "body" and profile["label_counts"] == {"card": 2, "transfer": 2}


def test_unknown_column_name_lists_the_columns(samples) -> None:
    with pytest.raises(DataError) as caught:
        read_dataset(samples["two_labels.csv"], label_column="kind")
    assert "no column named 'kind'; its columns are: body, topic, priority" in render(caught.value, "en")


@pytest.mark.parametrize(("name", "rows", "classes", "top"), [
    ("sms_spam.csv", 5574, 2, ("ham", 4827)),
    ("sentiment_uci_labelled_sentences.csv", 3000, 2, None),
    ("banking77.csv", 3080, 77, None),
])
def test_column_detection_on_the_shared_datasets(name, rows, classes, top) -> None:
    profile = read_dataset(DATASETS / name)
    assert (profile["text_column"], profile["label_column"]) == ("text", "label")
    assert profile["rows"] == rows and profile["classes"] == classes
    if top:
        assert profile["label_counts"][top[0]] == top[1]
    assert profile["text_tokens"]["max"] > profile["text_tokens"]["mean"] > 0


def test_hostile_shapes_get_one_sentence_each(tmp_path) -> None:
    """Inputs that used to crash: an over-long cell, delimiters only, JSON nested 10k deep (array and object)."""
    from tools.data.read import DataError

    cases = {
        "long_cell.csv": ("text,label\n\"" + "x" * 200_000 + "\",a\nhello,b\n", "longer than 100,000 characters"),
        "delimiters.csv": (",,,,\n" * 50, "only delimiters"),
        "deep_array.json": ("[" * 10_000 + "]" * 10_000, "nested too deeply"),
        "deep_object.json": ('{"a":' * 10_000 + "1" + "}" * 10_000, "nested too deeply"),
        "deep_line.jsonl": ('{"text": "ok", "label": "a"}\n' + '{"a":' * 10_000 + "1" + "}" * 10_000 + "\n",
                            "nested too deeply"),
    }
    for name, (content, words) in cases.items():
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(DataError) as caught:
            read_dataset(str(path), display_name=name)
        assert words in render(caught.value, "en"), name


def test_a_ten_thousand_column_file_gets_a_short_message(tmp_path) -> None:
    from words.speak import choice_question

    header = ",".join(f"c{i}" for i in range(10_000))
    row = ",".join(("a fairly long free text here " * 3) if i < 3 else "x" for i in range(10_000))
    path = tmp_path / "wide.csv"
    path.write_text(header + "\n" + "\n".join([row] * 5) + "\n")
    with pytest.raises((DataError, NeedsChoice)) as caught:
        read_dataset(str(path), label_column="missing")
    message = render(caught.value, "en")
    assert "no column named 'missing'" in message and len(message) < 400
    with pytest.raises(NeedsChoice) as choice:
        read_dataset(str(path))
    question = choice_question(render(choice.value, "en"), choice.value.options, "en")
    assert len(question) < 2_000


def test_utf16_without_bom_a_stray_nul_and_json_nan_are_read_right(tmp_path) -> None:
    rows = "text,label\n" + "".join(f"message number {i} is fine,{'ham' if i % 2 else 'spam'}\n" for i in range(20))
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(rows.encode(encoding))  # no byte-order mark
        profile = read_dataset(str(path))
        assert profile["rows"] == 20 and profile["label_counts"] == {"ham": 10, "spam": 10}, encoding
    path = tmp_path / "nul.csv"
    path.write_bytes(rows.encode().replace(b"number 3", b"number\x00 3"))
    profile = read_dataset(str(path))
    assert profile["rows"] == 20 and any("NUL byte" in render(w, "en") for w in profile["warnings"])
    path = tmp_path / "nan.jsonl"
    path.write_text("".join(f'{{"text": "message {i}", "label": {"NaN" if i == 0 else ("Infinity" if i == 1 else chr(97 + i % 2))}}}\n'
                            for i in range(12)).replace('"label": a', '"label": "a"').replace('"label": b', '"label": "b"'))
    profile = read_dataset(str(path))
    assert set(profile["label_counts"]) == {"a", "b"} and profile["missing_labels"] == 2  # never "nan" / "inf"


def test_a_utf8_file_with_a_few_lines_in_another_encoding_is_read_and_says_which(tmp_path) -> None:
    rows = "".join(f"café numéro {i},{'bon' if i % 2 else 'mauvais'}\n" for i in range(20))
    path = tmp_path / "mixed.csv"
    path.write_bytes(("text,label\n" + rows).encode() + "Crème brûlée,bon\n".encode("latin-1"))
    profile = read_dataset(str(path))
    assert profile["rows"] == 21 and profile["label_counts"] == {"bon": 11, "mauvais": 10}
    warning = next(w for w in profile["warnings"] if w["id"] == "data.mixed_encoding")
    assert warning["values"]["lines"] == "22"  # the header is line 1
    assert "except 1 line (22)" in render(warning, "en") and "第 22 行" in render(warning, "zh")
    assert read_table(str(path)).frame["text"].iloc[-1] == "Crème brûlée"  # not mojibake like "CafÃ©"
    assert read_table(str(path)).frame["text"].iloc[0] == "café numéro 0"


def test_a_file_deleted_by_the_retention_period_says_attach_it_again(tmp_path) -> None:
    with pytest.raises(DataError) as error:
        read_dataset(str(tmp_path / "gone.csv"), display_name="reviews.csv")
    assert error.value.id == "data.gone" and "attach it again" in render(error.value, "en")


@pytest.mark.parametrize(("name", "raw"), [
    ("plain.csv", b"text,label\nhello there,a\nhow are you,b\n"),
    ("bom_crlf.csv", "\ufefftext,label\r\nhello there,a\r\nhow are you,b\r\n".encode()),
    ("cjk_emoji_rtl.csv", "文本,标签\n你好 😀,正面\nمرحبا بك,负面\n  spaced  ,正面\n".encode()),
    ("blank_lines.tsv", b"text\tlabel\n\nfirst\tx\n\nsecond\ty\n\n"),
    ("latin1.csv", "text,label\ncafé crème,a\nnaïve,b\n".encode("latin-1")),  # not UTF-8: read from the text
    ("nul.csv", b"text,label\nfir\x00st,a\nsecond,b\n"),  # a NUL removed: the file's bytes are not the text
])
def test_the_fast_reader_gives_the_careful_readers_table(tmp_path, monkeypatch, name, raw) -> None:
    """The C parser reads a well-formed file (from the file itself when its bytes are the text's UTF-8) into the
    very table the csv-module reader makes of it."""
    from tools.data import read as data

    path = tmp_path / name
    path.write_bytes(raw)
    fast_reads: list[tuple[object, object]] = []
    original = data._read_delimited_fast

    def spy(text, delimiter, plain=None):
        fast_reads.append((plain, original(text, delimiter, plain)))
        return fast_reads[-1][1]

    monkeypatch.setattr(data, "_read_delimited_fast", spy)
    fast = data.load_table(path).frame
    [(plain, frame)] = fast_reads
    assert frame is not None  # the fast reader read it
    assert (plain == path) == (name in ("plain.csv", "bom_crlf.csv", "cjk_emoji_rtl.csv", "blank_lines.tsv"))
    monkeypatch.setattr(data, "_read_delimited_fast", lambda text, delimiter, plain=None: None)
    careful = data.load_table(path).frame
    assert fast.columns.tolist() == careful.columns.tolist() and fast.values.tolist() == careful.values.tolist()


def test_an_unquoted_file_over_the_row_limit_is_refused_and_one_at_it_is_read(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MODELPICK_MAX_ROWS", "50")
    path = tmp_path / "rows.csv"
    path.write_text("text,label\n" + "".join(f"message {i},{'ab'[i % 2]}\n" for i in range(50)))
    assert read_table(path).frame.shape == (50, 2)
    path.write_text("text,label\n" + "".join(f"message {i},{'ab'[i % 2]}\n" for i in range(51)))
    with pytest.raises(DataError) as caught:
        read_table(path)
    assert caught.value.code in ("too_many_rows", "too_many_rows_at_least")
