"""What is exported, file by file: each register's models, their natural keys and excluded fields.

Files and sections are listed in dependency order: a record only refers to records of earlier
sections (or of its own section, resolved in a second pass), to users (by user name) and to
catalogue entries (by uid).

For `aisms import --merge`, a section marked `snapshot` holds recorded snapshots or facts (approved
versions, completions, revisions): an import may add new ones but never change an existing one; a
section's `frozen` fields (a management review's input pack) may not be changed either.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SectionSpec:
    section: str  # the list's key in the YAML file
    model: str  # "app_label.ModelName"
    key: tuple[str, ...] = ()  # natural key fields; empty: a slug made from `label` (and `parent`)
    label: str = ""
    parent: str = ""
    exclude: frozenset[str] = field(default_factory=frozenset)
    singleton: bool = False
    snapshot: bool = False  # merge: an existing record may not be changed by an import
    frozen: frozenset[str] = field(default_factory=frozenset)  # merge: fields an import may not change


@dataclass(frozen=True)
class FileSpec:
    name: str
    title: str
    sections: tuple[SectionSpec, ...]


S = SectionSpec
NO_FILES = frozenset({"stored_path", "file"})

FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "context.yaml",
        "Organisation, issues, interested parties and scope (clause 4)",
        (
            S("organisation", "context.Organisation", singleton=True),
            S("issues", "context.PestelIssue", label="title"),
            S("interested_parties", "context.InterestedParty", label="name"),
            S("party_requirements", "context.PartyRequirement", label="requirement", parent="party"),
            S("scope", "context.IsmsScope", singleton=True),
            S("scope_versions", "context.ScopeVersion", key=("version",), snapshot=True),
        ),
    ),
    FileSpec(
        "assets.yaml",
        "Asset inventory with software components and dependencies",
        (
            S("assets", "assets.Asset", key=("name",)),
            S("software_components", "assets.SoftwareComponent", label="product", parent="asset"),
        ),
    ),
    FileSpec(
        "risks.yaml",
        "Risk method versions, risk register, treatment actions and FAIR inputs",
        (
            S("method_versions", "risks.RiskMethodVersion", key=("version",), snapshot=True),
            S("risks", "risks.Risk", key=("ref",)),
            S("treatment_actions", "risks.TreatmentAction", label="title", parent="risk"),
            S("quantifications", "risks.RiskQuantification", key=("risk",)),
        ),
    ),
    FileSpec(
        "soa.yaml",
        "Statement of Applicability and its approved versions",
        (
            S("controls", "controls.ControlImplementation", key=("control",)),
            S("versions", "controls.SoAVersion", key=("version",), snapshot=True),
        ),
    ),
    FileSpec(
        "people.yaml",
        "People, job roles, competences and training",
        (
            S("competences", "people.Competence", key=("name",)),
            S("job_roles", "people.JobRole", key=("name",)),
            S("role_competences", "people.RoleCompetence", key=("role", "competence")),
            S("people", "people.Person", key=("employee_id",)),
            S("training_modules", "people.TrainingModule", key=("code",)),
            S("module_assignments", "people.ModuleAssignment", key=("role", "module")),
            S("completions", "people.Completion", key=("person", "module", "completed_on"), snapshot=True),
            S("competence_records", "people.CompetenceRecord", label="competence", parent="person"),
        ),
    ),
    FileSpec(
        "suppliers.yaml",
        "Suppliers, contracts, questionnaires, answers and findings",
        (
            S("review_policy", "suppliers.ReviewPolicy", singleton=True),
            S("suppliers", "suppliers.Supplier", key=("name",)),
            S("services", "suppliers.SupplierService", label="name", parent="supplier"),
            S("data_shared", "suppliers.DataShared", label="category", parent="supplier"),
            S("certifications", "suppliers.Certification", label="name", parent="supplier"),
            S("sub_processors", "suppliers.SubProcessor", label="name", parent="supplier"),
            S("contract_clauses", "suppliers.ContractClause", key=("supplier", "key")),
            S("questionnaire_templates", "suppliers.QuestionnaireTemplate", key=("key",)),
            S(
                "questionnaire_versions",
                "suppliers.TemplateVersion",
                key=("template", "version"),
                snapshot=True,
            ),
            S(
                "assessments",
                "suppliers.Assessment",
                label="template_version",
                parent="supplier",
                exclude=frozenset({"token_hash"}),
            ),
            S(
                "answers",
                "suppliers.Answer",
                key=("assessment", "question_id"),
                exclude=NO_FILES,
                snapshot=True,
            ),
            S("findings", "suppliers.Finding", label="title", parent="supplier"),
        ),
    ),
    FileSpec(
        "evidence.yaml",
        "Evidence metadata (file name and sha256; never the file bytes)",
        (
            S("evidence", "compliance.EvidenceItem", label="title", exclude=NO_FILES),
            S(
                "revisions",
                "compliance.EvidenceRevision",
                key=("evidence", "number"),
                exclude=NO_FILES,
                snapshot=True,
            ),
        ),
    ),
    FileSpec(
        "documents.yaml",
        "Documented information with its text versions",
        (
            S("documents", "compliance.Document", key=("ref",)),
            S(
                "versions",
                "compliance.DocumentVersion",
                key=("document", "number"),
                exclude=NO_FILES,
                snapshot=True,
            ),
        ),
    ),
    FileSpec(
        "objectives.yaml",
        "Information security objectives and their measurements (clause 6.2)",
        (
            S("objectives", "compliance.Objective", label="title"),
            S("measurements", "compliance.ObjectiveMeasurement", label="measured_on", parent="objective"),
        ),
    ),
    FileSpec(
        "regulations.yaml",
        "Laws and regulations with their obligations",
        (
            S("regulations", "compliance.Regulation", label="key"),
            S("obligations", "compliance.Obligation", label="text", parent="regulation"),
        ),
    ),
    FileSpec(
        "audits.yaml",
        "Audit programme, audits, findings, nonconformities, corrective actions, management reviews",
        (
            S("programmes", "audits.AuditProgramme", label="title"),
            S("audits", "audits.Audit", key=("ref",)),
            S("checklist", "audits.ChecklistItem", key=("audit", "uid")),
            S("findings", "audits.Finding", label="text", parent="audit"),
            S("nonconformities", "audits.Nonconformity", key=("ref",)),
            S("corrective_actions", "audits.CorrectiveAction", label="description", parent="nonconformity"),
            S(
                "effectiveness_reviews",
                "audits.EffectivenessReview",
                label="reviewed_at",
                parent="nonconformity",
                snapshot=True,
            ),
            S("management_reviews", "audits.ManagementReview", label="title", frozen=frozenset({"inputs"})),
            S("review_decisions", "audits.ReviewDecision", label="decision", parent="review"),
        ),
    ),
    FileSpec(
        "threat-models.yaml",
        "Threat models (their YAML source), versions, decisions and organisation rule sets",
        (
            S("threat_models", "threatmodels.ThreatModel", key=("name",)),
            S("versions", "threatmodels.ThreatModelVersion", key=("threat_model", "number"), snapshot=True),
            S("decisions", "threatmodels.ThreatDecision", key=("threat_model", "threat_id")),
            S("rule_sets", "threatmodels.OrgRuleSet", key=("name",)),
        ),
    ),
)

USERS_FILE = "users.yaml"
MANIFEST_FILE = "manifest.yaml"
SLUG_FIELD = "slug"
USER_FIELDS = ("username", "first_name", "last_name", "email", "role")
# Bookkeeping stamps: a merge does not compare them and sets them to the import's time on an update.
STAMP_FIELDS = frozenset({"updated_at"})
