"""The product's text classifier: ranking, evidence, reference texts, persistence and its refusals."""

from __future__ import annotations

import json
import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import hstack
from sklearn.preprocessing import normalize

from aisms.domain.classify.datatypes import LabelledText
from aisms.domain.classify.model_store import ModelStoreError
from aisms.domain.classify.technique_model import NotTrainedError, TechniqueClassifier
from aisms.domain.classify.text_features import FeatureSpace, clean_text
from tests.unit.classify_samples import NOVEL_TOPICS, TOPICS, make_set


@pytest.fixture(scope="module")
def model() -> TechniqueClassifier:
    return TechniqueClassifier().fit(make_set(TOPICS), label_texts={"wiper": "Wiper malware erases disks."})


def test_ranks_the_right_label_first_with_confidences_that_sum_to_at_most_one(
    model: TechniqueClassifier,
) -> None:
    result = model.classify("an employee clicked a credential harvesting link in a phishing email", k=5)
    assert result.ranked[0].label == "phishing"
    assert len(result.ranked) == 5
    confidences = [p.confidence for p in result.ranked]
    assert confidences == sorted(confidences, reverse=True)
    assert 0.5 < confidences[0] <= 1.0
    assert sum(confidences) <= 1.0 + 1e-9
    assert not result.is_novel


def test_evidence_names_the_words_that_drove_the_label_and_a_similar_example(
    model: TechniqueClassifier,
) -> None:
    result = model.classify("the botnet traffic flood made the shop unavailable")
    top = result.ranked[0]
    assert top.label == "ddos"
    assert {"botnet", "flood"} & set(" ".join(top.evidence).split())
    assert "the" not in top.evidence
    assert top.example
    assert "flood" in top.example or "botnet" in top.example


def test_a_label_known_only_from_its_reference_text_can_be_predicted(model: TechniqueClassifier) -> None:
    assert "wiper" in model.labels
    assert model.classify("wiper malware erased the disks of every server").ranked[0].label == "wiper"


def test_inflected_words_match_their_reference_text_and_evidence_shows_the_texts_own_words() -> None:
    references = {
        "valid-accounts": "Valid Accounts. Signing in with stolen credentials of existing accounts.",
        "acquire-infrastructure": "Acquire Infrastructure: Domains. Buying look-alike domains to host pages.",
        "phishing": "Phishing. Sending deceptive emails that lure people into opening attachments.",
        "data-poisoning": "Data Poisoning. Poisoned samples are slipped into the training data.",
    }
    model = TechniqueClassifier().fit([], label_texts=references)
    result = model.classify("they registered a look-alike domain for the campaign", k=3)
    assert result.ranked[0].label == "acquire-infrastructure"
    assert "domain" in " ".join(result.ranked[0].evidence).split()  # the stem is "domain", the word shown too
    result = model.classify("the team logged in through a valid account it had bought")
    assert result.ranked[0].label == "valid-accounts"
    words = " ".join(result.ranked[0].evidence).split()
    assert "account" in words  # the text's word, not the reference's "accounts"
    assert "accounts" not in words
    assert not {"the", "it", "a"} & set(words)
    result = model.classify("attackers kept poisoning the training datasets")
    assert result.ranked[0].label == "data-poisoning"
    words = " ".join(result.ranked[0].evidence).split()
    assert "poisoning" in words  # stems drive the score; the text's words explain it
    assert "poison" not in words


def test_feature_rows_equal_what_the_fitted_vectorizers_give() -> None:
    documents = [text for texts in TOPICS.values() for text in texts] + list(NOVEL_TOPICS["deepfake"])
    space = FeatureSpace.fit(documents)
    texts = [
        *documents[:10],
        "",
        "zzzz qqqq",
        "a <b>ransom</b> note, see https://x.invalid/a - ransom ransom",
    ]
    cleaned = [clean_text(t) for t in texts]
    expected = normalize(hstack([space.word.transform(cleaned), space.char.transform(cleaned)]).tocsr())
    rows = space.transform(texts)
    assert rows.shape == expected.shape
    assert abs(rows - expected).max() < 1e-12
    assert rows[len(texts) - 3].nnz == 0  # an empty text has no features


def test_cleaning_keeps_words_and_drops_markup_urls_and_link_targets() -> None:
    text = (
        '<div style="font-family: monospace; margin-left: 50px">Ignore the rules</div> when a < b > c; '
        "see [the advisory](https://example.org/a) or https://example.org/b"
    )
    cleaned = clean_text(text).split()
    assert cleaned == [
        "Ignore",
        "the",
        "rules",
        "when",
        "a",
        "<",
        "b",
        ">",
        "c;",
        "see",
        "the",
        "advisory",
        "or",
    ]


def test_classify_many_matches_classify(model: TechniqueClassifier) -> None:
    texts = ["ransom note after files were encrypted", "union select payload in the login form"]
    assert model.classify_many(texts) == [model.classify(t) for t in texts]
    assert [r.ranked[0].label for r in model.classify_many(texts)] == ["ransomware", "sqli"]


GROUPS = {
    "phishing": ["intrusion"],
    "malware": ["intrusion"],
    "supplychain": ["intrusion"],
    "ransomware": ["disruption"],
    "ddos": ["disruption", "intrusion"],
}


def test_label_groups_lift_the_labels_of_the_texts_group_and_leave_ungrouped_labels_alone(
    model: TechniqueClassifier, tmp_path: Path
) -> None:
    grouped = TechniqueClassifier().fit(
        make_set(TOPICS), label_texts={"wiper": "Wiper malware erases disks."}, label_groups=GROUPS
    )
    texts = ["a keylogger installed by a trojan dropper", "the shop went down under a traffic flood"]
    plain_scores = model.decision_scores(texts)[1]
    scores = grouped.decision_scores(texts)[1]
    column = {label: i for i, label in enumerate(grouped.labels)}
    delta = scores - plain_scores
    # the malware text belongs to "intrusion": its members gain, the purely "disruption" label loses
    assert delta[0, column["phishing"]] > 0.01
    assert delta[0, column["supplychain"]] > 0.01
    assert delta[0, column["ransomware"]] < -0.01
    # the flood belongs to "disruption": ransomware gains against phishing
    assert delta[1, column["ransomware"]] > delta[1, column["phishing"]] + 0.01
    for label in ("sqli", "insider", "exfiltration", "wiper"):  # no group: exactly the plain model's scores
        assert np.allclose(delta[:, column[label]], 0.0, atol=1e-5)
    assert grouped.classify(texts[0]).ranked[0].label == "malware"
    grouped.save(tmp_path / "g")
    assert np.allclose(TechniqueClassifier.load(tmp_path / "g").decision_scores(texts)[1], scores, atol=1e-5)
    off = TechniqueClassifier(replace(grouped.config, group_weight=0.0))
    off.fit(make_set(TOPICS), label_texts={"wiper": "Wiper malware erases disks."}, label_groups=GROUPS)
    assert np.allclose(off.decision_scores(texts)[1], plain_scores)


def test_two_labels_and_one_label() -> None:
    two = TechniqueClassifier().fit([LabelledText("red apple", "red"), LabelledText("green leaf", "green")])
    assert two.classify("a red apple").ranked[0].label == "red"
    assert two.classify("a green leaf").ranked[0].label == "green"
    with pytest.raises(ValueError, match="two different labels"):
        TechniqueClassifier().fit([LabelledText("red apple", "red")])
    with pytest.raises(NotTrainedError):
        TechniqueClassifier().classify("anything")


def test_save_and_load_give_identical_predictions(model: TechniqueClassifier, tmp_path: Path) -> None:
    model.save(tmp_path / "m")
    loaded = TechniqueClassifier.load(tmp_path / "m")
    texts = ["keylogger installed by a malicious macro", "disgruntled employee copied customer records"]
    assert loaded.classify_many(texts) == model.classify_many(texts)
    assert loaded.labels == model.labels
    assert loaded.examples == model.examples
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["arrays.npz", "model.json"]


def test_loading_refuses_pickled_files_and_object_arrays(model: TechniqueClassifier, tmp_path: Path) -> None:
    directory = tmp_path / "m"
    model.save(directory)
    (directory / "model.pkl").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ModelStoreError, match="pickled"):
        TechniqueClassifier.load(directory)
    (directory / "model.pkl").unlink()
    arrays = dict(np.load(directory / "arrays.npz"))
    arrays["coef"] = np.array([{"evil": 1}], dtype=object)
    np.savez(directory / "arrays.npz", **arrays)  # allow_pickle defaults to True when saving
    with pytest.raises(ModelStoreError, match="damaged or holds objects"):
        TechniqueClassifier.load(directory)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="other"), "not an aisms text classifier"),
        (lambda d: d.update(format_version=1), "unsupported model format version 1 .*train the model again"),
        (lambda d: d.update(labels=["only"]), "at least two different labels"),
        (lambda d: d["word_vocabulary"].pop(), "'word_idf' has shape"),
        (lambda d: d["config"].update(temperature="hot"), "must be a number"),
    ],
)
def test_loading_refuses_malformed_model_json(
    model: TechniqueClassifier, tmp_path: Path, change, message
) -> None:
    directory = tmp_path / "m"
    model.save(directory)
    document = json.loads((directory / "model.json").read_text())
    change(document)
    (directory / "model.json").write_text(json.dumps(document))
    with pytest.raises(ModelStoreError, match=message):
        TechniqueClassifier.load(directory)


def test_loading_refuses_missing_or_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ModelStoreError, match="no such model directory"):
        TechniqueClassifier.load(tmp_path / "none")
    (tmp_path / "m").mkdir()
    with pytest.raises(ModelStoreError, match="both required"):
        TechniqueClassifier.load(tmp_path / "m")
    (tmp_path / "m" / "model.json").write_text("{not json")
    (tmp_path / "m" / "arrays.npz").write_bytes(b"junk")
    with pytest.raises(ModelStoreError, match="not valid JSON"):
        TechniqueClassifier.load(tmp_path / "m")
