"""The command line's usage errors in the user's language.

``argparse`` words its own errors in English; ``Parser`` (the parser of ``quanyi`` and, through
``add_subparsers``, of every subcommand) puts them in Chinese unless ``QUANYI_LANG`` asks for
English. The messages our own argument types raise are in the user's language already and are
passed through.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import NoReturn

# argparse's messages (CPython 3.11-3.13), most specific first: (pattern, Chinese).
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), zh)
    for pattern, zh in (
        (r"the following arguments are required: (.*)", r"缺少必填参数：\1"),
        (r"one of the arguments (.*) is required", r"须给出以下参数之一：\1"),
        (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
        (r"ambiguous option: (\S+) could match (.*)", r"选项 \1 不明确，可能是：\2"),
        (r"not allowed with argument (.*)", r"不能与参数 \1 同时使用"),
        (r"invalid choice: (.*) \(choose from (.*)\)", r"无效的取值 \1（可选：\2）"),
        (r"invalid \S+ value: (.*)", r"无效的取值 \1"),
        (r"expected one argument", "须跟一个取值"),
        (r"expected at most one argument", "至多跟一个取值"),
        (r"expected at least one argument", "至少跟一个取值"),
        (r"expected (\d+) arguments?", r"须跟 \1 个取值"),
        (r"ignored explicit argument (.*)", r"不接受取值 \1"),
    )
)
_ARGUMENT = re.compile(r"argument (\S+?): (.*)", re.S)


def in_chinese(message: str) -> str:
    """argparse's ``message`` in Chinese; a message it does not know, as it is."""
    prefix = ""
    if found := _ARGUMENT.fullmatch(message):
        prefix, message = f"参数 {found[1]}：", found[2]
    for pattern, zh in _MESSAGES:
        if pattern.fullmatch(message):
            return prefix + pattern.sub(zh, message)
    return prefix + message


def english() -> bool:
    """The command line speaks English (``QUANYI_LANG=en``); Chinese otherwise."""
    return os.environ.get("QUANYI_LANG", "zh").startswith("en")


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors (exit status 2) are in the user's language."""

    def error(self, message: str) -> NoReturn:
        if english():
            super().error(message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{in_chinese(message)}\n")
