"""The threat model: components, data flows and trust boundaries, with the kinds and properties that
drive threat generation."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class DfdType(StrEnum):
    """The classic data-flow-diagram element types STRIDE-per-element is defined on."""

    EXTERNAL_ENTITY = "external_entity"
    PROCESS = "process"
    DATA_STORE = "data_store"
    DATA_FLOW = "data_flow"


class ComponentKind(StrEnum):
    # ordinary systems
    USER = "user"
    WEB_APP = "web_app"
    API = "api"
    DATABASE = "database"
    QUEUE = "queue"
    IDENTITY_PROVIDER = "identity_provider"
    EXTERNAL_SERVICE = "external_service"
    # AI systems
    DATA_SOURCE = "data_source"
    DATASET = "dataset"
    LABELLING = "labelling"
    TRAINING_PIPELINE = "training_pipeline"
    FEATURE_STORE = "feature_store"
    MODEL_REGISTRY = "model_registry"
    MODEL = "model"
    INFERENCE_ENDPOINT = "inference_endpoint"
    LLM_APPLICATION = "llm_application"
    PROMPT_TEMPLATE = "prompt_template"
    RETRIEVAL_STORE = "retrieval_store"
    AGENT = "agent"
    TOOL = "tool"
    THIRD_PARTY_MODEL_API = "third_party_model_api"
    MCP_SERVER = "mcp_server"


KIND_INFO: dict[ComponentKind, tuple[str, DfdType, bool]] = {
    # kind: (label, DFD element type, is an AI component)
    ComponentKind.USER: ("User", DfdType.EXTERNAL_ENTITY, False),
    ComponentKind.WEB_APP: ("Web application", DfdType.PROCESS, False),
    ComponentKind.API: ("API", DfdType.PROCESS, False),
    ComponentKind.DATABASE: ("Database", DfdType.DATA_STORE, False),
    ComponentKind.QUEUE: ("Queue", DfdType.DATA_STORE, False),
    ComponentKind.IDENTITY_PROVIDER: ("Identity provider", DfdType.PROCESS, False),
    ComponentKind.EXTERNAL_SERVICE: ("External service", DfdType.EXTERNAL_ENTITY, False),
    ComponentKind.DATA_SOURCE: ("Data source", DfdType.EXTERNAL_ENTITY, True),
    ComponentKind.DATASET: ("Data set", DfdType.DATA_STORE, True),
    ComponentKind.LABELLING: ("Labelling", DfdType.PROCESS, True),
    ComponentKind.TRAINING_PIPELINE: ("Training pipeline", DfdType.PROCESS, True),
    ComponentKind.FEATURE_STORE: ("Feature store", DfdType.DATA_STORE, True),
    ComponentKind.MODEL_REGISTRY: ("Model registry", DfdType.DATA_STORE, True),
    ComponentKind.MODEL: ("Model", DfdType.PROCESS, True),
    ComponentKind.INFERENCE_ENDPOINT: ("Inference endpoint", DfdType.PROCESS, True),
    ComponentKind.LLM_APPLICATION: ("LLM application", DfdType.PROCESS, True),
    ComponentKind.PROMPT_TEMPLATE: ("Prompt template / system prompt", DfdType.DATA_STORE, True),
    ComponentKind.RETRIEVAL_STORE: ("Retrieval store (RAG)", DfdType.DATA_STORE, True),
    ComponentKind.AGENT: ("Agent", DfdType.PROCESS, True),
    ComponentKind.TOOL: ("Tool / plug-in", DfdType.PROCESS, True),
    ComponentKind.THIRD_PARTY_MODEL_API: ("Third-party model API", DfdType.EXTERNAL_ENTITY, True),
    ComponentKind.MCP_SERVER: ("MCP server", DfdType.PROCESS, True),
}


class ComponentProperty(StrEnum):
    PUBLIC_FACING = "public_facing"
    HANDLES_PERSONAL_DATA = "handles_personal_data"
    HANDLES_SENSITIVE_DATA = "handles_sensitive_data"
    TRAINED_ON_USER_DATA = "trained_on_user_data"
    RETRIEVES_UNTRUSTED_CONTENT = "retrieves_untrusted_content"
    CAN_ACT = "can_act"
    EXECUTES_CODE = "executes_code"
    MODEL_WEIGHTS_EXPOSED = "model_weights_exposed"
    OUTPUT_SHOWN_TO_USERS = "output_shown_to_users"
    OUTPUT_TO_SYSTEMS = "output_to_systems"
    THIRD_PARTY = "third_party"
    USES_THIRD_PARTY_ARTIFACTS = "uses_third_party_artifacts"
    HOLDS_SECRETS = "holds_secrets"
    HAS_MEMORY = "has_memory"
    HUMAN_IN_THE_LOOP = "human_in_the_loop"
    PAY_PER_USE = "pay_per_use"
    SAFETY_CRITICAL = "safety_critical"
    AUTHENTICATES_USERS = "authenticates_users"


COMPONENT_PROPERTY_HELP: dict[ComponentProperty, str] = {
    ComponentProperty.PUBLIC_FACING: "Reachable from the internet or by people outside the organisation.",
    ComponentProperty.HANDLES_PERSONAL_DATA: "Stores, processes or sees personal data.",
    ComponentProperty.HANDLES_SENSITIVE_DATA: "Holds special-category (e.g. health) or confidential data.",
    ComponentProperty.TRAINED_ON_USER_DATA: "Trained or fine-tuned on data that users or outsiders supply.",
    ComponentProperty.RETRIEVES_UNTRUSTED_CONTENT: "Reads content outsiders can write: web pages, mail, "
    "uploads, user messages kept in a store.",
    ComponentProperty.CAN_ACT: "Can take actions outside the answer: send mail, book, pay, write.",
    ComponentProperty.EXECUTES_CODE: "Runs code or commands, including code the model writes.",
    ComponentProperty.MODEL_WEIGHTS_EXPOSED: "Model weights or artefacts can be read or copied by others.",
    ComponentProperty.OUTPUT_SHOWN_TO_USERS: "Model output is shown to people (in a UI, by mail).",
    ComponentProperty.OUTPUT_TO_SYSTEMS: "Model output is fed to other systems (SQL, shell, APIs, HTML).",
    ComponentProperty.THIRD_PARTY: "Operated by a supplier, not by the organisation.",
    ComponentProperty.USES_THIRD_PARTY_ARTIFACTS: "Uses pre-trained models, data sets, packages or tools "
    "from outside.",
    ComponentProperty.HOLDS_SECRETS: "Holds credentials or API keys (e.g. in its configuration).",
    ComponentProperty.HAS_MEMORY: "Keeps conversation or agent memory between sessions.",
    ComponentProperty.HUMAN_IN_THE_LOOP: "A person approves consequential outputs or actions before effect.",
    ComponentProperty.PAY_PER_USE: "Costs money per request or token.",
    ComponentProperty.SAFETY_CRITICAL: "Its output can affect the health, safety or rights of people.",
    ComponentProperty.AUTHENTICATES_USERS: "Requires its callers to authenticate.",
}


class FlowProperty(StrEnum):
    ENCRYPTED = "encrypted"
    AUTHENTICATED = "authenticated"
    CARRIES_PERSONAL_DATA = "carries_personal_data"
    CARRIES_CREDENTIALS = "carries_credentials"
    CARRIES_PROMPTS = "carries_prompts"
    CARRIES_MODEL_OUTPUT = "carries_model_output"
    CARRIES_TRAINING_DATA = "carries_training_data"
    CARRIES_MODEL_ARTIFACTS = "carries_model_artifacts"
    UNTRUSTED_CONTENT = "untrusted_content"


FLOW_PROPERTY_HELP: dict[FlowProperty, str] = {
    FlowProperty.ENCRYPTED: "Encrypted in transit (TLS or equivalent).",
    FlowProperty.AUTHENTICATED: "Both ends authenticate each other or the caller is authenticated.",
    FlowProperty.CARRIES_PERSONAL_DATA: "Carries personal data.",
    FlowProperty.CARRIES_CREDENTIALS: "Carries credentials, tokens or API keys.",
    FlowProperty.CARRIES_PROMPTS: "Carries prompts to a model.",
    FlowProperty.CARRIES_MODEL_OUTPUT: "Carries a model's output.",
    FlowProperty.CARRIES_TRAINING_DATA: "Carries training or fine-tuning data.",
    FlowProperty.CARRIES_MODEL_ARTIFACTS: "Carries model weights or other model artefacts.",
    FlowProperty.UNTRUSTED_CONTENT: "Carries content outsiders can write.",
}


@dataclass(frozen=True)
class Boundary:
    id: str
    name: str
    description: str = ""
    parent: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    kind: ComponentKind
    boundary: str | None = None
    properties: frozenset[ComponentProperty] = frozenset()
    asset: str | None = None
    description: str = ""
    line: int | None = None

    @property
    def dfd_type(self) -> DfdType:
        return KIND_INFO[self.kind][1]

    @property
    def is_ai(self) -> bool:
        return KIND_INFO[self.kind][2]


@dataclass(frozen=True)
class Flow:
    id: str
    source: str
    target: str
    label: str = ""
    properties: frozenset[FlowProperty] = frozenset()
    line: int | None = None


@dataclass(frozen=True)
class ThreatModel:
    name: str
    description: str = ""
    owner: str = ""
    boundaries: tuple[Boundary, ...] = ()
    components: tuple[Component, ...] = ()
    flows: tuple[Flow, ...] = ()
    version: int = 1
    extra: dict[str, str] = field(default_factory=dict)

    def component(self, component_id: str) -> Component:
        for c in self.components:
            if c.id == component_id:
                return c
        raise KeyError(component_id)

    def boundary(self, boundary_id: str) -> Boundary:
        for b in self.boundaries:
            if b.id == boundary_id:
                return b
        raise KeyError(boundary_id)

    def boundary_chain(self, boundary_id: str | None) -> list[str]:
        """The boundary and its ancestors, innermost first."""
        chain: list[str] = []
        by_id = {b.id: b for b in self.boundaries}
        current = boundary_id
        while current is not None and current in by_id and current not in chain:
            chain.append(current)
            current = by_id[current].parent
        return chain

    def crossed_boundaries(self, flow: Flow) -> list[str]:
        """Trust boundaries a flow crosses: those around exactly one of its two ends."""
        src = set(self.boundary_chain(self.component(flow.source).boundary))
        dst = set(self.boundary_chain(self.component(flow.target).boundary))
        return sorted(src ^ dst)

    def element_name(self, element_id: str) -> str:
        for c in self.components:
            if c.id == element_id:
                return c.name
        for f in self.flows:
            if f.id == element_id:
                return f.label or f"{self.component(f.source).name} → {self.component(f.target).name}"
        return element_id
