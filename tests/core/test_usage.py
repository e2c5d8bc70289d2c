"""Usage errors of the command line in the user's language (Chinese by default), exit 2."""

import pytest

from quanyi.cli import main
from quanyi.core.usage import in_chinese


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["statements", "verify"], "须给出以下参数之一：FILE.pdf --code"),
        (
            ["statements", "verify", "a.pdf", "--code", "X"],
            "参数 --code：不能与参数 FILE.pdf 同时使用",
        ),
        (["no-such-command"], "参数 COMMAND：无效的取值 'no-such-command'（可选："),
        (["statements", "generate", "--year", "abc"], "参数 --year：须为 1900 至 2200 之间的整数"),
        (["record", "show"], "缺少必填参数：--as, id_number"),
        (["statements", "generate", "--year", "2025", "--out"], "参数 --out：须跟一个取值"),
    ],
)
def test_usage_errors_are_in_chinese(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QUANYI_LANG", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert said in err
    assert "error:" not in err and "required" not in err


def test_english_when_asked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUANYI_LANG", "en")
    with pytest.raises(SystemExit):
        main(["statements", "verify"])
    assert "error: one of the arguments FILE.pdf --code is required" in capsys.readouterr().err


def test_an_unknown_message_is_passed_through() -> None:
    assert in_chinese("argument --x: 须为整数") == "参数 --x：须为整数"
    assert in_chinese("something new") == "something new"
