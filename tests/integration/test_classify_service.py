"""The built-in technique classifier trained from the stored catalogue: ranking, cache, feedback."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aisms.apps.catalogue import technique_classifier as service
from aisms.apps.catalogue.models import CatalogueEntry, LabelledExample
from aisms.apps.catalogue.tasks import RETRAIN_JOB
from aisms.apps.jobs.models import Job
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PROMPT_INJECTION = {"atlas:AML.T0051", "owasp-llm:2025:LLM01"}


@pytest.fixture(scope="module")
def models_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared = tmp_path_factory.getbasetemp() / "aisms-classify-data"  # one catalogue model per session
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(autouse=True)
def _data_dir(settings, models_root: Path) -> None:
    settings.DATA_DIR = models_root


def test_training_data_covers_atlas_parents_and_owasp_entries() -> None:
    data = service.training_data()
    assert "atlas:AML.T0051" in data.label_texts
    assert "atlas:AML.T0051.001" not in data.label_texts
    assert any("Indirect" in t for t in data.label_texts["atlas:AML.T0051"])  # sub-technique folded in
    assert "owasp-llm:2025:LLM01" in data.label_texts
    assert "owasp-ml:2023:ML01" in data.label_texts
    assert not any(label.startswith("iso") for label in data.label_texts)
    assert data.names["atlas:AML.T0051"] == "LLM Prompt Injection"


def test_prompt_injection_text_ranks_prompt_injection_with_evidence() -> None:
    result = service.classify_text(
        "a user typed a prompt telling the chatbot to ignore its previous instructions"
    )
    labels = [p.label for p in result.ranked]
    assert len(labels) == 5
    assert PROMPT_INJECTION & set(labels)
    hit = next(p for p in result.ranked if p.label in PROMPT_INJECTION)
    assert {"prompt", "instructions", "ignore"} & set(" ".join(hit.evidence).split())
    assert hit.name in {"LLM Prompt Injection", "Prompt Injection"}
    assert all(p.name for p in result.ranked)
    assert service.entry_names(["atlas:AML.T0051"]) == {"atlas:AML.T0051": "LLM Prompt Injection"}


def test_other_threats_rank_their_techniques() -> None:
    leak = [
        p.label for p in service.classify_text("the model leaked personal data from its training set").ranked
    ]
    assert "owasp-llm:2025:LLM02" in leak
    patch = [
        p.label for p in service.classify_text("an adversarial patch on a stop sign fooled the camera").ranked
    ]
    assert "atlas:AML.T0008" in patch or "owasp-ml:2023:ML01" in patch or "atlas:AML.T0043" in patch


def test_model_is_cached_on_disk_and_retrained_after_feedback(models_root: Path) -> None:
    first, _ = service.builtin_model()
    again, _ = service.builtin_model()
    assert again is first  # same data: same model object from memory
    directory = models_root / "models" / "builtin"
    digest = (directory / "training-hash.txt").read_text().strip()
    service.clear_cache()
    from_disk, _ = service.builtin_model()
    assert from_disk is not first
    assert from_disk.labels == first.labels

    editor = make_user("contributor")
    text = "attacker planted hidden instructions in a web page that the assistant later retrieved and obeyed"
    example = service.record_feedback(editor, text, "owasp-llm:2025:LLM01", correct=False)
    assert (example.origin, example.technique.uid, example.text) == ("user", "owasp-llm:2025:LLM01", text)
    retrained, data = service.builtin_model()
    assert retrained is not from_disk
    assert (directory / "training-hash.txt").read_text().strip() != digest
    assert any(e.text == text and e.label == "owasp-llm:2025:LLM01" for e in data.examples)
    similar = service.classify_text("hidden instructions in a web page the assistant retrieved")
    assert "owasp-llm:2025:LLM01" in [p.label for p in similar.ranked]


def test_committed_feedback_queues_a_retraining_job_so_the_next_classification_finds_the_model_current(
    django_capture_on_commit_callbacks,
) -> None:
    service.builtin_model()  # current for the data so far
    editor = make_user("contributor")
    text = "the intruders copied the deployed model's weights out of the inference server's storage bucket"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        service.record_feedback(editor, text, "atlas:AML.T0024", correct=True)
    assert len(callbacks) == 1  # queued only once the example is committed
    job = Job.objects.get(name=RETRAIN_JOB)  # the tests' backend runs a job as soon as it is queued
    assert (job.status, job.created_by, job.result["trained"]) == ("succeeded", editor, True)
    assert f"{editor.username} confirmed an example as atlas:AML.T0024" in job.log
    model, data, trained = service.refresh_builtin_model()
    assert not trained  # the job left it current: nobody waits for training on the next classification
    assert any(e.text == text for e in data.examples)
    assert model is service.builtin_model()[0]


def test_feedback_is_checked_and_denied_feedback_changes_nothing() -> None:
    before = LabelledExample.objects.count()
    with pytest.raises(PermissionDenied):
        service.record_feedback(make_user("auditor"), "some text", "atlas:AML.T0051", correct=True)
    editor = make_user("risk_owner")
    with pytest.raises(ValidationError):
        service.record_feedback(editor, "   ", "atlas:AML.T0051", correct=True)
    with pytest.raises(ValidationError):
        service.record_feedback(editor, "text", "iso27002:2022:5.7", correct=True)
    with pytest.raises(ValidationError):
        service.record_feedback(editor, "text", "atlas:AML.TA0002", correct=True)  # a tactic, not a technique
    assert LabelledExample.objects.count() == before


def test_model_names_are_validated(models_root: Path) -> None:
    assert service.model_dir("ok-name-1") == models_root / "models" / "ok-name-1"
    for bad in ["../x", "Upper", "", "a" * 41, "a/b"]:
        with pytest.raises(ValidationError):
            service.model_dir(bad)


# A tiny upstream release: the description of AML.T0999 and of the sub-technique AML.T0000.000 are written
# for this test; the import keeps them as the entries' upstream descriptions.
SMALL_ATLAS = """\
id: ATLAS
name: ATLAS
version: 9.9.1
matrices:
- id: ATLAS
  name: ATLAS Matrix
  tactics:
  - id: AML.TA0002
    name: Reconnaissance
  techniques:
  - id: AML.T0000
    name: Search Technical Databases
    tactics:
    - AML.TA0002
  - id: AML.T0000.000
    name: Journals and Conference Proceedings
    subtechnique-of: AML.T0000
    description: Adversaries read zebrafish-themed proceedings to learn the victim's methods.
  - id: AML.T0999
    name: Probe Test Endpoints
    description: Adversaries send quokka probes to staging endpoints to learn which models answer.
    tactics:
    - AML.TA0002
  mitigations: []
case-studies:
- id: AML.CS9999
  name: Test Case Study
  procedure:
  - technique: AML.T0000.000
    description: The attacker read the victim's conference papers.
"""


def test_an_atlas_import_adds_upstream_descriptions_and_case_study_steps_to_the_training_data() -> None:
    from aisms.apps.catalogue.services import import_atlas

    import_atlas(SMALL_ATLAS, "ATLAS.yaml", actor=make_user("isms_manager"))
    data = service.training_data()
    # upstream descriptions are reference texts of their parent technique's label
    assert any("quokka probes" in t for t in data.label_texts["atlas:AML.T0999"])
    assert any("zebrafish-themed" in t for t in data.label_texts["atlas:AML.T0000"])
    # every case-study step is an example of the parent technique, grouped by its case study
    steps = [e for e in data.examples if e.group == "AML.CS9999"]
    assert [(e.text, e.label) for e in steps] == [
        ("The attacker read the victim's conference papers.", "atlas:AML.T0000")
    ]
    # the built-in model trained on that data ranks the described technique for a text in its words
    ranked = [p.label for p in service.classify_text("quokka probes hit the staging endpoints").ranked]
    assert ranked[0] == "atlas:AML.T0999"


def test_the_novelty_threshold_follows_the_training_regime() -> None:
    """Trained on the catalogue texts alone the model scores everything lower, so it flags novelty from
    0.835; with case-study examples imported it uses the case-study calibration (0.80)."""
    model, data = service.builtin_model()
    assert len(data.examples) < 100
    assert model.config.novelty_threshold == pytest.approx(0.835)
    technique = CatalogueEntry.objects.get(uid="atlas:AML.T0020")
    LabelledExample.objects.bulk_create(
        LabelledExample(
            technique=technique,
            text=f"poisoned batch {i} of claims slipped into training",
            origin="atlas-case-study",
            case_study=f"CS{i % 20}",
        )
        for i in range(100)
    )
    model, data = service.builtin_model()
    assert len(data.examples) == 100
    assert model.config.novelty_threshold == pytest.approx(0.80)
