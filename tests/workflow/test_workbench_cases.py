"""The cases on the workbench (issue: a workbench a clerk can use): a change that changes
nothing is refused at intake, a form sent twice makes one case, the diff and an outcome in
words stay after approval, id numbers and phones are masked, a clerk finds their cases in
flight and searches cases — by POST, so an id number never enters a URL (001 art. 7, 14;
DESIGN.md "Screens speak the user's language")."""

from __future__ import annotations

import pytest
from django.db import transaction

from quanyi.core.errors import InvalidInput
from quanyi.core.identifiers import mask
from quanyi.workflow import queries, services
from quanyi.workflow.models import Case, CaseDiff
from tests.registry import builders as payloads
from tests.workflow.builders import Office
from tests.workflow.test_screens import logged_in

pytestmark = pytest.mark.django_db


def registered(office: Office, **fields: str) -> dict[str, str]:
    payload = payloads.person_payload(**fields)
    office.approve_all(office.submit("person.register", payload))
    return payload


def test_a_change_to_what_is_already_recorded_is_refused_at_intake() -> None:
    office = Office()
    person = registered(office, name="王平")
    with pytest.raises(InvalidInput) as refused:
        office.submit("person.change", {"id_number": person["id_number"], "name": "王平"})
    assert refused.value.errors[0].code == "no_change"
    assert not Case.objects.filter(type="person.change").exists()


def test_the_diff_and_the_outcome_in_words_stay_after_approval() -> None:
    office = Office()
    person = registered(office, name="王平")
    case = office.submit(
        "person.change", {"id_number": person["id_number"], "phone": "13912345678"}
    )
    case = office.approve_all(case)
    kinds = list(CaseDiff.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["intake", "applied"]
    shown = queries.case(office.approver, case.pk)
    assert shown.outcome == "王平 的联系电话已变更"
    assert shown.changes is not None and len(shown.changes) == 1
    line = shown.changes[0]
    assert (line.field, line.name) == ("phone", "王平")
    assert line.after == "139****5678"  # a phone masked, even to the approver


def test_a_case_shows_id_numbers_masked_in_its_data_and_diff() -> None:
    office = Office()
    payload = payloads.person_payload(name="李雷")
    case = office.submit("person.register", payload)
    shown = queries.case(office.reviewer, case.pk).model_dump_json()
    assert payload["id_number"] not in shown
    assert mask(payload["id_number"]) in shown


def test_a_form_sent_twice_makes_one_case() -> None:
    office = Office()
    payload = payloads.person_payload(name="赵四")
    with transaction.atomic():
        first = services.submit(office.clerk, "person.register", payload, intake_key="k" * 24)
    with transaction.atomic():
        again = services.submit(office.clerk, "person.register", payload, intake_key="k" * 24)
    assert again.pk == first.pk
    assert Case.objects.count() == 1


def test_the_same_form_sent_twice_from_the_screen_makes_one_case() -> None:
    clerk = logged_in("clerk", "operator")
    form = {**payloads.person_payload(name="钱七"), "intake_key": "a1b2c3d4e5f6g7h8i9j0"}
    first = clerk.post("/cases/new?type=person.register", form)
    second = clerk.post("/cases/new?type=person.register", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1


def test_a_clerk_sees_their_cases_in_flight_and_finds_cases_by_person_by_post() -> None:
    office = Office()
    payload = payloads.person_payload(name="孙八")
    case = office.submit("person.register", payload)
    assert [c.id for c in queries.mine(office.clerk)] == [case.pk]
    clerk = logged_in("clerk2", "operator")
    page = clerk.post("/cases", {"subject": payload["id_number"]})
    assert page.status_code == 200
    body = page.content.decode()
    assert f'href="/cases/{case.pk}"' in body
    assert payload["id_number"] not in body  # found, and not echoed back
    nothing = clerk.post("/cases", {"subject": "110105194912310021"}).content.decode()
    assert f'href="/cases/{case.pk}"' not in nothing


def test_case_search_by_type_and_status_and_bad_criteria_in_words() -> None:
    office = Office()
    case = office.submit("person.register", payloads.person_payload(name="周九"))
    clerk = logged_in("clerk2", "operator")
    found = clerk.post("/cases", {"type": "person.register", "status": "open"})
    assert f'href="/cases/{case.pk}"' in found.content.decode()
    refused = clerk.post("/cases", {"number": "abc", "submitted_from": "2026-13-45"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Traceback" not in text and "number:" not in text
    assert 'id="error-number"' in text and 'id="error-submitted_from"' in text  # beside them


@pytest.mark.parametrize("query", ["", "?type=", "?type=no.such.type", "?type=" + "x" * 5000])
def test_a_missing_or_unknown_case_type_offers_the_list(query: str) -> None:
    clerk = logged_in("clerk", "operator")
    page = clerk.get("/cases/new" + query)
    assert page.status_code in (200, 404)
    assert 'id="new-person.register"' in page.content.decode()


@pytest.mark.parametrize(
    ("type_name", "screen"),
    [
        ("contribution.declare", "/contributions/declare"),
        ("contribution.backpay", "/contributions/backpay"),
        ("import.legacy", "/contributions/legacy"),
    ],
)
def test_a_case_type_with_a_screen_of_its_own_leads_there(type_name: str, screen: str) -> None:
    """Upload cases are taken in on their own screens, with a preview — not an opinion box."""
    clerk = logged_in("clerk", "operator")
    answer = clerk.get(f"/cases/new?type={type_name}")
    assert (answer.status_code, answer["Location"]) == (302, screen)


def test_a_parameter_is_chosen_by_its_label_and_an_amount_typed_in_yuan() -> None:
    """政策参数调整 on screen: the parameter from a list of labels, a wage bound in yuan; the
    case keeps fen like every machine contract (DESIGN.md invariant 8)."""
    clerk = logged_in("clerk", "operator")
    form = clerk.get("/cases/new?type=parameter.change").content.decode()
    assert "缴费基数下限（元/月）" in form and '<select id="f-key"' in form
    answer = clerk.post(
        "/cases/new?type=parameter.change",
        {
            "key": "base.lower",
            "region": "110000",
            "valid_from": "2030-07-01",
            "value": "7,123.45",
            "source": "京人社发〔2030〕1号",
        },
    )
    assert answer.status_code == 302, answer.content.decode()
    assert Case.objects.get().payload["value"] == "712345"
    refused = clerk.post(
        "/cases/new?type=parameter.change",
        {"key": "base.lower", "region": "110000", "valid_from": "2030-08-01",
         "value": "7123.456", "source": "x"},
    )  # fmt: skip
    assert refused.status_code == 400 and "取值：金额最多两位小数" in refused.content.decode()


def test_a_refused_field_is_named_next_to_it_in_words() -> None:
    clerk = logged_in("clerk", "operator")
    form = {**payloads.person_payload(name="吴一"), "phone": "12", "hukou_region": "999999"}
    page = clerk.post("/cases/new?type=person.register", form).content.decode()
    assert 'id="error-phone"' in page and 'id="error-hukou_region"' in page
    assert "phone:" not in page and "hukou_region:" not in page
    assert 'value="吴一"' in page  # what was typed is kept


def test_a_case_page_shows_values_in_words_and_no_birth_date_in_full() -> None:
    office = Office()
    payload = payloads.person_payload(name="郑十")
    case = office.submit("person.register", payload)
    reviewer = logged_in("reviewer2", "reviewer")
    page = reviewer.get(f"/cases/{case.pk}").content.decode()
    assert "职工" in page and ">employee<" not in page  # the category by its label
    assert "北京市" in page  # regions by name
    assert ">None<" not in page
    birth = (
        f"{payload['id_number'][6:10]}-{payload['id_number'][10:12]}-{payload['id_number'][12:14]}"
    )
    assert birth not in page and f"{birth[:4]}-**-**" in page


def test_a_page_that_is_not_there_answers_in_the_users_language() -> None:
    clerk = logged_in("clerk", "operator")
    page = clerk.get("/cases/99999999999999999999")
    assert page.status_code == 404
    text = page.content.decode()
    assert "未找到" in text and "The requested resource was not found" not in text


def test_a_form_previews_what_it_will_change_and_writes_nothing() -> None:
    """Every intake form shows, before it is submitted, what the case would change."""
    office = Office()
    person = registered(office, name="冯十一")
    clerk = logged_in("clerk2", "operator")
    form = {"id_number": person["id_number"], "phone": "13712345678", "step": "preview"}
    page = clerk.post("/cases/new?type=person.change", form)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="preview"' in text and "137****5678" in text and "联系电话" in text
    assert not Case.objects.filter(type="person.change").exists()
    same = {"id_number": person["id_number"], "name": "冯十一", "step": "preview"}
    refused = clerk.post("/cases/new?type=person.change", same)
    assert refused.status_code == 400 and "没有需要变更的内容" in refused.content.decode()
    submitted = clerk.post("/cases/new?type=person.change", {**form, "step": ""})
    assert submitted.status_code == 302


def test_one_who_may_not_take_a_case_in_is_refused_the_form_itself() -> None:
    querier = logged_in("querier", "querier")
    page = querier.get("/cases/new?type=person.change")
    assert page.status_code == 403 and 'id="case-form"' not in page.content.decode()


def test_a_correction_offers_the_fields_it_may_correct_by_their_labels() -> None:
    clerk = logged_in("clerk", "operator")
    page = clerk.get("/cases/new?type=record.correct").content.decode()
    assert '<select id="f-field"' in page
    assert '<option value="phone">联系电话</option>' in page
    assert '<optgroup label="参保人员">' in page
