"""The back-payment screen (补缴; 004 part 5 art. 10; issue 13: it could be done only from the
command line): the base in yuan, each month priced on screen before it is submitted, one case
however often the form is sent."""

from __future__ import annotations

import pytest
from django.test import Client

from quanyi.core.principal import Principal
from quanyi.workflow.models import Case
from tests.access import builders as accounts
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


def test_a_back_payment_is_priced_in_yuan_then_submitted_once(
    office: Office, principal: Principal
) -> None:
    employer = builders.employer(principal, injury_class=1)
    person = builders.person(principal)
    builders.relation(principal, person, employer, "pension", "2024-01")
    client = Client()
    accounts.web_login(client, accounts.account("teller", "operator", "querier"))
    page = client.get(f"/contributions/backpay?uscc={employer.uscc}").content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    form = {
        "token": token,
        "uscc": employer.uscc,
        "id_number": person.id_number,
        "from_month": "2024-11",
        "to_month": "2024-12",
        "base": "10000.005",
        "reason": "单位漏报，职工申请补缴",
        "insurances": ["pension"],
    }
    answer = client.post("/contributions/backpay", form)
    assert answer.status_code == 400 and 'id="e-base"' in answer.content.decode()
    answer = client.post("/contributions/backpay", {**form, "base": "10,000.00"})
    shown = answer.content.decode()
    assert answer.status_code == 200 and 'id="backpay-lines"' in shown
    assert "企业职工基本养老保险" in shown and "1,600.00" in shown  # 16 % of 10,000.00
    assert not Case.objects.exists()
    submit = {**form, "base": "10000", "action": "submit"}
    assert client.post("/contributions/backpay", submit).status_code == 302
    (case,) = Case.objects.all()
    assert case.type == "contribution.backpay" and case.payload["base_fen"] == 1000000
    again = client.post("/contributions/backpay", submit)
    assert again["Location"].startswith(f"/cases/{case.pk}") and Case.objects.count() == 1
