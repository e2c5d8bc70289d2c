"""The ``quanyi`` command as a child process keeps its contract (DESIGN.md, CLI): it refuses to
run on a data dir ``quanyi init`` has not made and creates nothing there; it prints what a
command did only once that is committed; a wrong password is one translated line on stderr;
``demo --otp`` answers at once with the code's validity window."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator

import pytest

from tests.conftest import DEMO_PASSWORD, Instance, new_instance
from tests.helpers import QUANYI, quanyi, query
from tests.registry import builders

pytestmark = pytest.mark.subprocess


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    with new_instance(tmp_path_factory.mktemp("contract") / "instance") as made:
        quanyi(made, "init")
        quanyi(made, "demo", "--persons", "3", "--employers", "1", "--years", "1", "--seed", "2")
        yield made


NOT_INITIALISED = "error: not initialised: run `quanyi init` first\n"


@pytest.mark.parametrize(
    "command",
    [
        ("record", "show", "11010519491231002X", "--as", "operator"),
        ("case", "types"),
        ("audit", "verify", "--as", "auditor"),
        ("demo", "--otp", "auditor"),
        ("serve", "--port", "1"),
    ],
)
def test_an_uninitialised_data_dir_is_refused_and_nothing_is_created(
    instance: Instance, command: tuple[str, ...]
) -> None:
    done = quanyi(instance, *command, check=False, env={"QUANYI_PASSWORD": "Whatever-2026!"})
    assert (done.returncode, done.stdout, done.stderr) == (1, "", NOT_INITIALISED)
    assert not instance.data_dir.exists()
    if instance.database_url.startswith("postgres"):  # the empty database stays empty
        assert query(instance, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [
            (0,)
        ]


def test_refused_in_chinese_and_help_still_works(instance: Instance) -> None:
    done = quanyi(instance, "case", "types", check=False, env={"QUANYI_LANG": "zh"})
    assert done.stderr == "错误: 尚未初始化：请先运行 `quanyi init`\n"
    helped = quanyi(instance, "serve", "--help")
    assert "--port" in helped.stdout
    assert not instance.data_dir.exists()


def test_a_wrong_password_is_one_translated_line_and_an_audit_event(demo: Instance) -> None:
    for lang, line in (
        ("en", "error: wrong user name or password\n"),
        ("zh", "错误: 用户名或密码错误\n"),
    ):
        done = quanyi(
            demo,
            "case",
            "list",
            "--as",
            "operator",
            check=False,
            env={"QUANYI_PASSWORD": "Wrong-password-2026", "QUANYI_LANG": lang},
        )
        assert (done.returncode, done.stdout, done.stderr) == (1, "", line)
    failures = query(
        demo,
        "SELECT count(*) FROM audit_auditevent WHERE action = 'auth.login'"
        " AND actor = 'operator' AND result = 'bad_credentials'",
    )
    assert failures == [(2,)]


def _run_with_stdout_closed(instance: Instance, *args: str) -> subprocess.CompletedProcess[str]:
    """Run with stdout a pipe nobody reads: its reading end is closed before the child starts,
    so the child's first write fails (EPIPE)."""
    reading, writing = os.pipe()
    os.close(reading)
    try:
        env = instance.env(QUANYI_PASSWORD=DEMO_PASSWORD)
        return subprocess.run(
            [QUANYI, *args],
            env=env,
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(writing)


def test_output_comes_after_the_commit_and_a_closed_pipe_undoes_nothing(demo: Instance) -> None:
    """The approval that printed ``"result": "person 301"`` and was then rolled back when its
    stdout closed: now the work is committed first, and a closed stdout only loses the output."""
    payload = builders.person_payload(name="管道")
    submitted = _run_with_stdout_closed(
        demo, "case", "submit", "person.register", "--data", json.dumps(payload), "--as", "operator"
    )
    assert submitted.returncode == 1
    assert submitted.stderr == (
        "error: done and committed, but its output could not be written (stdout closed)\n"
    )
    (case_id, status, stage), *_ = query(
        demo, "SELECT id, status, stage FROM workflow_case ORDER BY id DESC LIMIT 1"
    )
    assert (status, stage) == ("open", "review")
    quanyi(demo, "case", "act", str(case_id), "approve", "--as", "reviewer")
    approved = _run_with_stdout_closed(
        demo, "case", "act", str(case_id), "approve", "--as", "approver"
    )
    assert approved.returncode == 1 and "Traceback" not in approved.stderr
    (status, result), *_ = query(
        demo, f"SELECT status, result FROM workflow_case WHERE id = {case_id}"
    )
    assert status == "approved" and result.startswith("person ")
    assert query(demo, "SELECT count(*) FROM registry_person WHERE name = '管道'") == [(1,)]
    # Read whole, what is printed is what the database holds.
    shown = json.loads(quanyi(demo, "case", "show", str(case_id), "--as", "querier").stdout)
    assert (shown["status"], shown["result"]) == (status, result)


def test_demo_otp_answers_at_once_with_the_window(demo: Instance) -> None:
    first = quanyi(demo, "demo", "--otp", "auditor")
    code = first.stdout.strip()
    assert re.fullmatch(r"\d{6}", code), first.stdout
    assert re.fullmatch(r"valid until \d\d:\d\d:\d\d\n", first.stderr), first.stderr
    # The code logs in once; asked again in the same 30 seconds, the next step's code comes
    # with the time it becomes valid, instead of a silent wait for it.
    login = {"QUANYI_PASSWORD": DEMO_PASSWORD, "QUANYI_OTP": code}
    quanyi(demo, "audit", "head", "--as", "auditor", env=login)
    second = quanyi(demo, "demo", "--otp", "auditor")
    assert re.fullmatch(r"\d{6}\n", second.stdout) and second.stdout.strip() != code
    assert re.fullmatch(
        # the next step's code, or — if the step turned meanwhile — the new step's own
        r"(this step's code was used; this one is valid from \S+ until \S+"
        r"|valid until \S+)\n",
        second.stderr,
    ), second.stderr


def test_demo_otp_lines_are_chinese_by_default(demo: Instance) -> None:
    done = quanyi(demo, "demo", "--otp", "auditor", env={"QUANYI_LANG": "zh"})
    assert re.fullmatch(r"(有效至 |当前口令已用过；此口令 )\S.*\n", done.stderr), done.stderr
