"""Save and load a trained classifier as a directory of JSON and numpy arrays - never pickle.

``model.json`` holds the format marker, configuration, labels, vocabularies, training examples and
reference texts; ``arrays.npz`` holds the IDF weights and the SVM coefficients. Arrays are read with
``allow_pickle=False`` and every shape is checked against the JSON, so loading a model directory cannot
run code, and a damaged or foreign directory is refused with a clear reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from aisms.domain.classify.datatypes import LabelledText
from aisms.domain.classify.technique_model import ModelConfig, TechniqueClassifier
from aisms.domain.classify.text_features import FeatureSpace

FORMAT = "aisms-text-classifier"
FORMAT_VERSION = 2  # 2: word features are Snowball stems, no stop words removed
MODEL_JSON = "model.json"
ARRAYS = "arrays.npz"
_EXPECTED_ARRAYS = {"word_idf", "char_idf", "coef", "profiles", "intercept"}
_MAX_JSON_BYTES = 200_000_000
_REFUSED_SUFFIXES = (".pkl", ".pickle", ".joblib", ".dill")


class ModelStoreError(ValueError):
    """A model directory that is missing, damaged, of another format or holds pickled data."""


def save_model(model: TechniqueClassifier, directory: Path) -> None:
    features = model.features
    if features is None:
        raise ModelStoreError("cannot save a classifier that has not been trained")
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "config": model.config.as_dict(),
        "labels": model.labels,
        "word_vocabulary": features.word_terms,
        "char_vocabulary": features.char_terms,
        "examples": [{"text": e.text, "label": e.label, "group": e.group} for e in model.examples],
        "label_texts": model.label_texts,
    }
    _atomic_write(directory / MODEL_JSON, json.dumps(document, ensure_ascii=False).encode("utf-8"))
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".npz")
    os.close(handle)
    np.savez_compressed(
        temporary,
        word_idf=np.asarray(features.word.idf_, dtype=np.float64),
        char_idf=np.asarray(features.char.idf_, dtype=np.float64),
        coef=model.coef.astype(np.float32),
        profiles=model.profiles.astype(np.float32),
        intercept=model.intercept.astype(np.float64),
    )
    Path(temporary).replace(directory / ARRAYS)


def _atomic_write(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    Path(temporary).replace(path)


def model_fingerprint(directory: Path) -> str:
    """SHA-256 over the model files, to tell two saved models apart."""
    digest = hashlib.sha256()
    for name in (MODEL_JSON, ARRAYS):
        digest.update((directory / name).read_bytes())
    return digest.hexdigest()


def _fail(directory: Path, reason: str) -> ModelStoreError:
    return ModelStoreError(f"{directory}: {reason}")


def _string_list(document: dict[str, Any], key: str, directory: Path) -> list[str]:
    value = document.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(directory, f"{MODEL_JSON}: '{key}' must be a list of strings")
    return value


def _read_document(directory: Path) -> dict[str, Any]:
    if not directory.is_dir():
        raise _fail(directory, "no such model directory")
    pickled = sorted(p.name for p in directory.iterdir() if p.name.lower().endswith(_REFUSED_SUFFIXES))
    if pickled:
        raise _fail(directory, f"refusing a model directory holding pickled files ({', '.join(pickled)})")
    path = directory / MODEL_JSON
    if not path.is_file() or not (directory / ARRAYS).is_file():
        raise _fail(directory, f"not a saved model: {MODEL_JSON} and {ARRAYS} are both required")
    if path.stat().st_size > _MAX_JSON_BYTES:
        raise _fail(directory, f"{MODEL_JSON} is too large")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(directory, f"{MODEL_JSON} is not valid JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _fail(directory, f"{MODEL_JSON} is not an aisms text classifier")
    if document.get("format_version") != FORMAT_VERSION:
        raise _fail(
            directory,
            f"unsupported model format version {document.get('format_version')!r} (this aisms reads "
            f"version {FORMAT_VERSION}); train the model again with `aisms ai train`",
        )
    return document


def _read_arrays(directory: Path) -> dict[str, np.ndarray[Any, Any]]:
    try:
        with np.load(directory / ARRAYS, allow_pickle=False) as archive:
            names = set(archive.files)
            if names != _EXPECTED_ARRAYS:
                raise _fail(directory, f"{ARRAYS} must hold exactly {sorted(_EXPECTED_ARRAYS)}")
            arrays = {name: archive[name] for name in names}
    except ModelStoreError:
        raise
    except (ValueError, OSError, EOFError) as exc:  # allow_pickle=False raises ValueError on objects
        raise _fail(directory, f"{ARRAYS} is damaged or holds objects ({exc})") from exc
    for name, array in arrays.items():
        if array.dtype.kind != "f":
            raise _fail(directory, f"{ARRAYS}: '{name}' must be a floating-point array")
        if not np.all(np.isfinite(array)):
            raise _fail(directory, f"{ARRAYS}: '{name}' holds non-finite values")
    return arrays


def _config(document: dict[str, Any], directory: Path) -> ModelConfig:
    raw = document.get("config")
    if not isinstance(raw, dict):
        raise _fail(directory, f"{MODEL_JSON}: 'config' must be an object")
    defaults = ModelConfig().as_dict()
    values: dict[str, Any] = {}
    for key, default in defaults.items():
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(directory, f"{MODEL_JSON}: config '{key}' must be a number")
        values[key] = type(default)(value)
    if values["temperature"] <= 0 or values["c"] <= 0:
        raise _fail(directory, f"{MODEL_JSON}: config 'temperature' and 'c' must be positive")
    return ModelConfig(**values)


def _examples(document: dict[str, Any], directory: Path) -> list[LabelledText]:
    raw = document.get("examples", [])
    if not isinstance(raw, list):
        raise _fail(directory, f"{MODEL_JSON}: 'examples' must be a list")
    out = []
    for item in raw:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k, ""), str) for k in ("text", "label", "group")
        ):
            raise _fail(directory, f"{MODEL_JSON}: every example needs string 'text', 'label' and 'group'")
        out.append(
            LabelledText(str(item.get("text", "")), str(item.get("label", "")), str(item.get("group", "")))
        )
    return out


def _label_texts(document: dict[str, Any], directory: Path) -> dict[str, list[str]]:
    raw = document.get("label_texts", {})
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(t, str) for t in v) for v in raw.values()
    ):
        raise _fail(directory, f"{MODEL_JSON}: 'label_texts' must map labels to lists of strings")
    return {str(k): list(v) for k, v in raw.items()}


def load_model(directory: Path) -> TechniqueClassifier:
    """Load a saved model; raise ModelStoreError (naming the directory and the problem) if it is unusable."""
    document = _read_document(directory)
    labels = _string_list(document, "labels", directory)
    word_vocabulary = _string_list(document, "word_vocabulary", directory)
    char_vocabulary = _string_list(document, "char_vocabulary", directory)
    if len(labels) < 2 or len(set(labels)) != len(labels):
        raise _fail(directory, f"{MODEL_JSON}: 'labels' must list at least two different labels")
    arrays = _read_arrays(directory)
    n_features = len(word_vocabulary) + len(char_vocabulary)
    expected = {
        "word_idf": (len(word_vocabulary),),
        "char_idf": (len(char_vocabulary),),
        "coef": (len(labels), n_features),
        "profiles": (len(labels), n_features),
        "intercept": (len(labels),),
    }
    for name, shape in expected.items():
        if arrays[name].shape != shape:
            raise _fail(directory, f"{ARRAYS}: '{name}' has shape {arrays[name].shape}, expected {shape}")
    features = FeatureSpace.from_state(
        word_vocabulary,
        arrays["word_idf"].astype(np.float64),
        char_vocabulary,
        arrays["char_idf"].astype(np.float64),
    )
    model = TechniqueClassifier(_config(document, directory))
    model._set_state(
        features,
        labels,
        arrays["coef"].astype(np.float32),
        arrays["profiles"].astype(np.float32),
        arrays["intercept"].astype(np.float64),
        _examples(document, directory),
        _label_texts(document, directory),
    )
    return model
