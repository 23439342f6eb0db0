"""An administrator uploads a broken ATLAS release: the error says where, and nothing changes.

Only malformed files are uploaded here: a valid partial release would withdraw techniques that the other
e2e tests sharing the server rely on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, login, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# Well-formed YAML with every part the schema requires, but the technique (line 11) names a tactic the file
# does not define.
UNKNOWN_TACTIC = """\
id: ATLAS
name: Adversarial Threat Landscape for AI Systems
version: 9.9.9
matrices:
- id: ATLAS
  name: ATLAS Matrix
  tactics:
  - id: AML.TA0002
    name: Reconnaissance
  techniques:
  - id: AML.T0000
    name: Renamed By A Broken Upload
    tactics:
    - AML.TA9999
  mitigations:
  - id: AML.M0000
    name: Limit Public Release of Information
    techniques:
    - id: AML.T0000
case-studies:
- id: AML.CS0000
  name: A case study
  procedure:
  - technique: AML.T0000
    description: The adversary searched public databases.
"""


def test_malformed_atlas_upload_names_file_and_line_and_changes_nothing(
    page: Page, aisms_server: AismsServer, tmp_path: Path
) -> None:
    # Given admin opens "Import an ATLAS release" from the catalogue page
    login(page, aisms_server, "admin")
    open_from_menu(page, "Catalogue")
    page.get_by_role("link", name="Import an ATLAS release").click()
    expect(page).to_have_url(aisms_server.url("/catalogue/import-atlas/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Import an ATLAS release")

    # When he uploads a file whose technique refers to an unknown tactic
    upload = tmp_path / "bad-atlas.yaml"
    upload.write_text(UNKNOWN_TACTIC, encoding="utf-8")
    page.get_by_label("ATLAS distribution file").set_input_files(upload)
    page.get_by_role("button", name="Import").click()

    # Then the error names the file, the line and the field, and says nothing was changed
    error = page.locator(".errorlist")
    expect(error).to_have_text(
        "Nothing was changed. bad-atlas.yaml, line 11, field 'tactics': "
        "refers to 'AML.TA9999', which is not defined in this file"
    )
    expect(page).to_have_url(aisms_server.url("/catalogue/import-atlas/"))
    expect(page.get_by_text("None yet: the catalogue holds the release shipped with aisms.")).to_be_visible()

    # And the catalogue is unchanged: the technique keeps its name and the matrix still has 16 tactics
    page.goto(aisms_server.url("/catalogue/entry/atlas:AML.T0000/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("AML.T0000 Search Open Technical Databases")
    page.goto(aisms_server.url("/catalogue/atlas/"))
    matrix = page.get_by_role("region", name=re.compile(r"^ATLAS matrix"))
    expect(matrix.get_by_role("heading", level=3)).to_have_count(16)
    expect(matrix.get_by_role("link", name="Search Open Technical Databases")).to_have_count(1)


def test_non_yaml_upload_is_refused_with_its_line(
    page: Page, aisms_server: AismsServer, tmp_path: Path
) -> None:
    # Given admin is on the ATLAS import page
    login(page, aisms_server, "admin")
    page.goto(aisms_server.url("/catalogue/import-atlas/"))

    # When he uploads a file that is not valid YAML
    upload = tmp_path / "broken.yaml"
    upload.write_text("id: ATLAS\nversion: [1, 2\nmatrices: []\n", encoding="utf-8")
    page.get_by_label("ATLAS distribution file").set_input_files(upload)
    page.get_by_role("button", name="Import").click()

    # Then the error names the file and a line, and nothing was changed
    error = page.locator(".errorlist")
    expect(error).to_contain_text("Nothing was changed.")
    expect(error).to_contain_text(re.compile(r"broken\.yaml, line \d+: not valid YAML"))
    expect(page.get_by_text("None yet: the catalogue holds the release shipped with aisms.")).to_be_visible()
