"""A correction through five different demo accounts on the command line, and its entry in
the month's modification log (003 §5; 001 art. 7, 12)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Instance
from tests.helpers import plain_query, quanyi, query

pytestmark = pytest.mark.subprocess


def test_record_correct_through_five_demo_accounts(instance: Instance) -> None:
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "20", "--employers", "3", "--seed", "8")
    number, name = plain_query(instance, "SELECT id_number, name FROM registry_person LIMIT 1")[0]
    payload = {
        "object": "person",
        "key": number,
        "changes": {"name": name + "某"},
        "reason": "登记时姓名漏字",
        "method": "依据居民身份证更正",
    }
    case = json.loads(
        quanyi(
            instance,
            "case",
            "submit",
            "record.correct",
            "--data",
            json.dumps(payload),
            "--as",
            "operator",
        ).stdout
    )
    assert (case["status"], case["stage"]) == ("open", "check")
    assert case["changes"] == [
        {
            "object": case["changes"][0]["object"],
            "field": "name",
            "before": name,
            "after": name + "某",
            "name": name,
        }
    ]
    for account in ("checker", "reviewer", "rechecker"):
        case = json.loads(
            quanyi(
                instance,
                "case",
                "act",
                str(case["id"]),
                "approve",
                "--opinion",
                "同意",
                "--as",
                account,
            ).stdout
        )
    assert case["stage"] == "approval"
    refused = quanyi(
        instance, "case", "act", str(case["id"]), "approve", "--as", "operator", check=False
    )
    assert refused.returncode == 1 and "approver" in refused.stderr
    case = json.loads(
        quanyi(instance, "case", "act", str(case["id"]), "approve", "--as", "approver").stdout
    )
    assert case["status"] == "approved"
    assert [d["actor"] for d in case["decisions"]] == [
        "operator",
        "checker",
        "reviewer",
        "rechecker",
        "approver",
    ]
    record = json.loads(quanyi(instance, "record", "show", number, "--as", "querier").stdout)
    assert record["person"]["name"] == name + "某"

    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")  # the agency's month
    log = quanyi(instance, "audit", "modifications", "--month", month, "--as", "auditor")
    assert f"case {case['id']}" in log.stdout
    assert "name: (hidden)" in log.stdout and name not in log.stdout  # masked for the auditor
    assert "依据居民身份证更正" in log.stdout and "approver" in log.stdout
    assert "audit verify: OK" in quanyi(instance, "audit", "verify", "--as", "auditor").stdout


def test_a_failed_apply_is_kept_as_an_event_and_changes_nothing(instance: Instance) -> None:
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "5", "--employers", "2", "--seed", "3")
    (number,), (other,) = plain_query(instance, "SELECT id_number FROM registry_person LIMIT 2")
    correct = {
        "object": "person",
        "key": number,
        "changes": {"id_number": "11010519491231002X"},
        "reason": "录入错误",
        "method": "依据身份证",
    }
    clash = {**correct, "key": other}
    first = json.loads(
        quanyi(
            instance,
            "case",
            "submit",
            "record.correct",
            "--data",
            json.dumps(correct),
            "--as",
            "operator",
        ).stdout
    )
    second = json.loads(
        quanyi(
            instance,
            "case",
            "submit",
            "record.correct",
            "--data",
            json.dumps(clash),
            "--as",
            "operator",
        ).stdout
    )
    for case in (first, second):
        for account in ("checker", "reviewer", "rechecker"):
            quanyi(instance, "case", "act", str(case["id"]), "approve", "--as", account)
    quanyi(instance, "case", "act", str(first["id"]), "approve", "--as", "approver")
    failed = quanyi(
        instance, "case", "act", str(second["id"]), "approve", "--as", "approver", check=False
    )
    assert failed.returncode == 1
    assert "approval not applied, nothing changed" in failed.stderr
    shown = json.loads(
        quanyi(instance, "case", "show", str(second["id"]), "--as", "querier").stdout
    )
    assert (shown["status"], shown["stage"], len(shown["decisions"])) == ("open", "approval", 4)
    events = query(
        instance,
        "SELECT result FROM audit_auditevent WHERE action = 'case.apply_failed'"
        f" AND object_id = '{second['id']}'",
    )
    assert events == [("failed",)]
