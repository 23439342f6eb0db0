"""aisms threat modelling next to OWASP pytm 1.4.0 on equivalent LLM applications.

Two systems are modelled in both tools: Helixa's Triage Assistant
(docs/examples/triage-assistant.threatmodel.yaml,
an LLM application with retrieval, a hosted foundation model and a booking tool) and an IT service-desk agent
(tests/data/threatmodels/service-desk-agent.yaml: an agent with a third-party MCP server and a script runner).
The pytm models set pytm's LLM and Agent attributes from the same facts as the aisms properties (no control
claimed in either tool). Each AI finding of pytm (threat ids LLM01..LLM09) is mapped by an explicit table to
the catalogue ids aisms must report on the corresponding elements; the bench asserts that aisms finds every
one and lists which AI threats aisms adds. Needs `pip install -e .[bench]`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aisms.catalogue.threatmodel_rules import builtin_engine
from aisms.domain.threatmodel.analysis import Analysis
from aisms.domain.threatmodel.model_file import parse_model

REPO = Path(__file__).resolve().parents[1]

# pytm AI threat id -> (what it is, aisms catalogue ids; aisms must report at least one of them).
MAPPING: dict[str, tuple[str, set[str]]] = {
    "LLM01": ("Direct prompt injection", {"atlas:AML.T0051.000"}),
    "LLM02": ("Indirect prompt injection via retrieved content", {"atlas:AML.T0051.001"}),
    "LLM03": ("Sensitive data leakage to a third-party provider", {"owasp-llm:2025:LLM02"}),
    "LLM04": ("Training data poisoning", {"atlas:AML.T0020", "owasp-llm:2025:LLM04"}),
    "LLM05": ("Excessive agency via unauthorised tool use", {"owasp-llm:2025:LLM06"}),
    "LLM06": ("Arbitrary code execution via an LLM agent", {"atlas:AML.T0050"}),
    "LLM07": ("Jailbreaking and safety bypass", {"atlas:AML.T0054"}),
    "LLM08": ("Sensitive information disclosure through output", {"owasp-llm:2025:LLM02", "atlas:AML.T0057"}),
    "LLM09": ("Untrusted tool launch configuration", {"atlas:AML.T0110", "atlas:AML.T0010.005"}),
}


@dataclass(frozen=True)
class Scenario:
    name: str
    model_file: Path
    build_pytm: Callable[[], object]
    # pytm element name -> aisms element ids where its findings must appear
    elements: dict[str, set[str]]


def _triage_pytm() -> object:
    from pytm import LLM, TM, Actor, Agent, Boundary, Dataflow, Datastore, Server

    TM.reset()
    tm = TM("Triage Assistant")
    internet, prod, vendor = Boundary("Internet"), Boundary("Helixa production"), Boundary("Nimbus AI EU")
    patient = Actor("Patient", inBoundary=internet)
    portal = Server("Patient portal", inBoundary=prod)
    app = Agent("Triage Assistant", inBoundary=prod, usesExternalTools=False)  # the booking tool is in-house
    store = Datastore("Clinical guideline vector store", inBoundary=prod)
    nimbus = LLM(
        "Nimbus foundation model API",
        inBoundary=vendor,
        isThirdParty=True,
        processesPersonalData=True,
        hasAgentCapabilities=True,
        hasAccessToSensitiveSystems=True,
        executesCode=False,
        hasContentFiltering=False,
        hasSystemPrompt=True,
        processesUntrustedInput=True,
        hasRAG=True,
        hasFineTuning=False,
    )
    Dataflow(patient, portal, "Symptom chat")
    Dataflow(portal, app, "Chat turn")
    Dataflow(store, app, "Retrieved guideline passages")
    Dataflow(app, nimbus, "Prompt")
    Dataflow(nimbus, app, "Completion")
    tm.resolve()
    return tm


def _service_desk_pytm() -> object:
    from pytm import LLM, TM, Actor, Agent, Boundary, Dataflow, Datastore, Server

    TM.reset()
    tm = TM("IT service desk agent")
    corp, saas = Boundary("Corporate network"), Boundary("SaaS providers")
    staff = Actor("Staff member", inBoundary=corp)
    chat = Server("Service desk chat", inBoundary=corp)
    agent = Agent(
        "Service desk agent", inBoundary=corp, usesExternalTools=True, validatesToolLaunchConfig=False
    )
    memory = Datastore("Agent memory store", inBoundary=corp)
    llm = LLM(
        "Hosted model API",
        inBoundary=saas,
        isThirdParty=True,
        processesPersonalData=True,
        hasAgentCapabilities=True,
        hasAccessToSensitiveSystems=True,
        executesCode=True,
        hasContentFiltering=False,
        hasSystemPrompt=True,
        processesUntrustedInput=True,
        hasRAG=False,
        hasFineTuning=False,
    )
    Dataflow(staff, chat, "Request")
    Dataflow(chat, agent, "Conversation")
    Dataflow(agent, llm, "Prompt")
    Dataflow(agent, memory, "Memory writes")
    tm.resolve()
    return tm


SCENARIOS = [
    Scenario(
        "Triage Assistant (LLM application with RAG)",
        REPO / "docs" / "examples" / "triage-assistant.threatmodel.yaml",
        _triage_pytm,
        {
            "Nimbus foundation model API": {
                "nimbus",
                "triage-app",
                "llm-call",
                "system-prompt",
                "guideline-store",
            },
            "Triage Assistant": {"triage-app", "callback-tool"},
        },
    ),
    Scenario(
        "IT service desk agent (agent with MCP and code execution)",
        REPO / "tests" / "data" / "threatmodels" / "service-desk-agent.yaml",
        _service_desk_pytm,
        {
            "Hosted model API": {"llm", "agent", "runner", "prompt-out", "prompt"},
            "Service desk agent": {"agent", "mcp", "runner"},
        },
    ),
]


@dataclass
class Result:
    scenario: str
    pytm_ai: list[tuple[str, str]]  # (threat id, element)
    missed: list[str]
    added: list[str]
    pytm_total: int
    aisms_total: int
    aisms_ai: int
    pytm_ms: float
    aisms_ms: float


def _aisms(path: Path) -> tuple[Analysis, float]:
    engine = builtin_engine()
    start = time.perf_counter()
    analysis = engine.analyze(parse_model(path.read_text(encoding="utf-8"), path.name))
    return analysis, (time.perf_counter() - start) * 1000


def run(scenario: Scenario) -> Result:
    start = time.perf_counter()
    tm = scenario.build_pytm()
    pytm_ms = (time.perf_counter() - start) * 1000
    findings = list(tm.findings)  # type: ignore[attr-defined]
    ai = sorted({(f.threat_id, f.target) for f in findings if f.threat_id in MAPPING})
    analysis, aisms_ms = _aisms(scenario.model_file)
    missed = []
    covered: set[str] = set()
    for threat_id, target in ai:
        wanted = MAPPING[threat_id][1]
        places = scenario.elements.get(target, set())
        hits = [t for t in analysis.threats if t.element_id in places and wanted & set(t.catalogue_ids)]
        if not hits:
            missed.append(f"{threat_id} on {target}")
        for t in hits:
            covered.add(t.id)
    added = sorted({t.title for t in analysis.threats if t.is_ai and t.id not in covered})
    return Result(
        scenario.name,
        ai,
        missed,
        added,
        len(findings),
        len(analysis.threats),
        analysis.counts()["ai"],
        pytm_ms,
        aisms_ms,
    )


def main() -> int:
    try:
        import pytm  # noqa: F401 - only to check that the bench extra is installed
    except ImportError:
        print("pytm is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    results = [run(s) for s in SCENARIOS]
    print(
        "| System | pytm findings (AI) | aisms threats (AI) | pytm AI findings matched by aisms "
        "| AI threats aisms adds | pytm time | aisms time |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        matched = len(r.pytm_ai) - len(r.missed)
        print(
            f"| {r.scenario} | {r.pytm_total} ({len(r.pytm_ai)}) | {r.aisms_total} ({r.aisms_ai}) | "
            f"{matched} of {len(r.pytm_ai)} | {len(r.added)} | {r.pytm_ms:.0f} ms | {r.aisms_ms:.0f} ms |"
        )
    for r in results:
        print(f"\n### {r.scenario}\n")
        print(
            "pytm AI findings and the aisms threats that cover them: "
            + ", ".join(f"{tid} {MAPPING[tid][0]} ({target})" for tid, target in r.pytm_ai)
        )
        if r.missed:
            print("\nMISSED by aisms: " + ", ".join(r.missed))
        print("\nAI threats aisms adds (no pytm counterpart): " + "; ".join(r.added))
    return 1 if any(r.missed for r in results) else 0


if __name__ == "__main__":
    code = main()
    if code:
        sys.exit(code)
