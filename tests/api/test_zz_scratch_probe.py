import pytest
from tests.factories import make_user, token_client
pytestmark = pytest.mark.django_db
@pytest.mark.parametrize("page", [2**31, 2**62, 2**63, 10**20])
@pytest.mark.parametrize("path", ["/users", "/catalogue/entries", "/catalogue/controls"])
def test_probe(path, page):
    c = token_client(make_user("auditor"))
    r = c.get(f"/api/v1{path}", {"page": page})
    print(path, page, r.status_code, r.content[:200])
