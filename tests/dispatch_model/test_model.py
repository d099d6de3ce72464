"""The learned dispatch model (D7): training, files, bad input, CLI, determinism."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import pytest

from jiesu.dispatch import model as dm
from jiesu.dispatch.model_cli import add_dispatch_commands
from jiesu.domain.errors import InvalidInput

TOPICS = {
    "交通运输": ["公交车站点太远", "道路拥堵红绿灯", "出租车拒载乘客", "地铁线路规划"],
    "环境保护": ["工厂排放废气污染", "河道污水发臭", "噪音扰民严重", "垃圾焚烧异味"],
    "教育文体": ["学校收费不合理", "幼儿园入学难", "老师补课收费", "学生课业负担重"],
}


def rows(n_per: int = 8) -> list[dict[str, str]]:
    out = []
    for label, phrases in TOPICS.items():
        for i in range(n_per):
            p = phrases[i % len(phrases)]
            out.append(
                {
                    "标题": f"A{i}区{p}",
                    "详情": f"\n\t\t我们小区附近{p}，\n希望尽快处理。\t编号{i}",
                    "类别": label,
                }
            )
    return out


def write(path: Path, data: list[dict[str, str]], delimiter: str = ",", encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(data[0]), delimiter=delimiter)
        w.writeheader()
        w.writerows(data)
    return path


def run(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    add_dispatch_commands(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(argv)
    return args.func(args)


def test_read_csv_joins_columns_and_folds_whitespace(tmp_path):
    f = write(tmp_path / "d.csv", rows(2))
    texts, labels = dm.read_csv(f, ["标题", "详情"], "类别")
    assert len(texts) == 6 and labels[0] == "交通运输"
    assert texts[0] == "A0区公交车站点太远\n我们小区附近公交车站点太远， 希望尽快处理。 编号0"


@pytest.mark.parametrize(("delimiter", "encoding"), [("\t", "utf-8-sig"), (";", "gb18030")])
def test_read_csv_delimiters_and_encodings(tmp_path, delimiter, encoding):
    f = write(tmp_path / "d.csv", rows(2), delimiter, encoding)
    texts, labels = dm.read_csv(f, ["标题"], "类别")
    assert texts[1] == "A1区道路拥堵红绿灯" and labels[-1] == "教育文体"


def test_train_predict_top_k_scores_and_version(tmp_path):
    texts, labels = dm.read_csv(write(tmp_path / "d.csv", rows()), ["标题", "详情"], "类别")
    m = dm.train(texts, labels)
    assert m.version.startswith("dispatch-2-") and m.labels == sorted(TOPICS)
    top = m.predict("河道里的污水很臭", k=3)
    assert [s.label for s in top][0] == "环境保护"
    assert len(top) == 3 and top[0].score >= top[1].score >= top[2].score
    assert all(s.model_version == m.version for s in top)
    assert sum(s.score for s in top) == pytest.approx(1.0)
    path = dm.save(m, tmp_path / "m" / "model.joblib")
    again = dm.load(path)
    assert again.version == m.version
    assert [s.label for s in again.predict("幼儿园收费")] == [
        s.label for s in m.predict("幼儿园收费")
    ]


def test_deterministic_for_a_seed(tmp_path):
    texts, labels = dm.read_csv(write(tmp_path / "d.csv", rows()), ["标题"], "类别")
    a, b = dm.train(texts, labels, seed=7), dm.train(texts, labels, seed=7)
    assert a.version == b.version
    assert dm.train(texts, labels, seed=8).version != a.version
    probe = ["地铁太挤", "工厂废气", "补课"]
    assert a.scores(probe).tolist() == b.scores(probe).tolist()


def test_malformed_training_files(tmp_path):
    good = rows()
    f = write(tmp_path / "d.csv", good)
    with pytest.raises(InvalidInput) as e:
        dm.read_csv(f, ["标题", "内容"], "类别")
    assert e.value.code == "dispatch_model.missing_column" and e.value.details["missing"] == [
        "内容"
    ]
    with pytest.raises(InvalidInput) as e:
        dm.read_csv(f, ["标题"], "label")
    assert e.value.code == "dispatch_model.missing_column"
    with pytest.raises(InvalidInput) as e:
        dm.read_csv(tmp_path / "nope.csv", ["标题"], "类别")
    assert e.value.code == "dispatch_model.not_found"
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InvalidInput) as e:
        dm.read_csv(tmp_path / "empty.csv", ["标题"], "类别")
    assert e.value.code == "dispatch_model.empty_file"

    blank = [dict(r) for r in good]
    blank[3]["类别"] = "  "
    texts, labels = dm.read_csv(write(tmp_path / "b.csv", blank), ["标题"], "类别")
    with pytest.raises(InvalidInput) as e:
        dm.train(texts, labels)
    assert e.value.code == "dispatch_model.empty_label" and e.value.details["rows"] == [4]

    texts, labels = dm.read_csv(write(tmp_path / "s.csv", good[:3]), ["标题"], "类别")
    with pytest.raises(InvalidInput) as e:
        dm.train(texts, labels)
    assert e.value.code == "dispatch_model.too_few_rows"

    with pytest.raises(InvalidInput) as e:
        dm.train(["x"] * 20, ["a"] * 20)
    assert e.value.code == "dispatch_model.too_few_labels"


def test_load_rejects_other_files(tmp_path):
    (tmp_path / "junk.joblib").write_bytes(b"not a model")
    with pytest.raises(InvalidInput) as e:
        dm.load(tmp_path / "junk.joblib")
    assert e.value.code == "dispatch_model.bad_file"
    import joblib

    joblib.dump({"a": 1}, tmp_path / "dict.joblib")
    with pytest.raises(InvalidInput) as e:
        dm.load(tmp_path / "dict.joblib")
    assert e.value.code == "dispatch_model.bad_format"


def test_cli_train_and_evaluate_end_to_end(tmp_path, capsys):
    data = write(tmp_path / "d.csv", rows())
    out = tmp_path / "model.joblib"
    cols = ["--text-column", "标题", "--text-column", "详情", "--label-column", "类别"]
    assert run(["dispatch", "train", "--data", str(data), *cols, "--out", str(out)]) == 0
    assert out.is_file() and "dispatch-2-" in capsys.readouterr().out
    assert run(["dispatch", "evaluate", "--model", str(out), "--data", str(data), *cols]) == 0
    text = capsys.readouterr().out
    assert "accuracy" in text and "macro-F1" in text and "top-3" in text and "ms per ticket" in text
    argv = ["dispatch", "evaluate", "--model", str(out), "--data", str(data), *cols, "--json"]
    assert run(argv) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["rows"] == 24 and r["accuracy"] == 1.0 and r["macro_f1"] == 1.0
    assert r["top3_accuracy"] == 1.0 and r["ms_per_ticket_median"] > 0
    assert r["model_version"] == dm.load(out).version


def test_cli_bad_file_changes_nothing(tmp_path):
    data = write(tmp_path / "d.csv", rows()[:5])
    out = tmp_path / "model.joblib"
    argv = ["dispatch", "train", "--data", str(data), "--text-column", "标题"]
    with pytest.raises(InvalidInput) as e:
        run([*argv, "--label-column", "类别", "--out", str(out)])
    assert e.value.code == "dispatch_model.too_few_rows" and not out.exists()
    with pytest.raises(InvalidInput) as e:
        run([*argv, "--label-column", "分类", "--out", str(out)])
    assert e.value.code == "dispatch_model.missing_column" and not out.exists()


def test_one_text_margins_equal_sklearns(tmp_path):
    texts, labels = dm.read_csv(write(tmp_path / "d.csv", rows()), ["标题", "详情"], "类别")
    m = dm.train(texts, labels)
    probe = ["河道污水", "幼儿园 收费 123", "", "完全无关的话"]
    batch = m.classifier.decision_function(m._features(probe))
    for text, row in zip(probe, batch, strict=True):
        assert m.margins_one(text) == pytest.approx(row, abs=1e-9)


def test_one_long_text_margins_equal_sklearns(tmp_path):
    texts, labels = dm.read_csv(write(tmp_path / "d.csv", rows()), ["标题", "详情"], "类别")
    m = dm.train(texts, labels)
    long = "河道 污水ABC发臭，Ｉ工厂排放废气😀𠀀" * 80  # past MAX_CHARS
    probe = [
        f"工厂排放废气\n{long}",
        long.upper(),
        "\n\n  学校\t收费\n\n不合理  " * 30,
        "İ",
        "ǅ",
        "地铁线路\n",
    ]
    batch = m.classifier.decision_function(m._features(probe))
    for text, row in zip(probe, batch, strict=True):
        assert m.margins_one(text) == pytest.approx(row, abs=1e-9)
    assert dm.title("\n\n 地铁  线路 \n详情") == "地铁 线路" and dm.title("") == ""


def test_feature_keys_are_sklearns_ngrams_and_dictionary_words():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from jiesu.dispatch.features import _term_keys, char_keys, lexicon_words

    text = "ab 公交车站😀𠀀 x"
    grams = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=False)
    expected = grams.build_analyzer()(text)
    keys = _term_keys(expected, cjk=False)
    assert char_keys(text, 1, 3).tolist() == keys.tolist()
    assert len(set(keys.tolist())) == len(set(expected))
    assert char_keys("", 1, 3).tolist() == [] and len(char_keys("ab", 1, 3)) == 3
    words = lexicon_words("A市公交车站点太远，噪音扰民12")
    assert {"公交", "公交车", "车站", "站点", "噪音", "扰民"} <= set(words)
    assert all(2 <= len(w) <= 4 for w in words) and lexicon_words("abc 123") == []
