"""``quanyi keys rotate``: a new master key re-wraps the data keys (``core.keys``)."""

from __future__ import annotations

import argparse
from typing import Any

from quanyi.core import keys
from quanyi.core.commands import command, group
from quanyi.core.errors import current_language


def register(sub: Any) -> None:
    keys = group(sub, "keys", "the master key of the encrypted identities")
    rotate = command(
        keys,
        "rotate",
        _rotate,
        writes=True,
        permission="keys.rotate",
        help="re-wrap the data keys under a new master key (resumable: run it again if cut short)",
    )
    rotate.add_argument(
        "--new-data-key",
        action="store_true",
        help="also add a data key that new values are encrypted with (old ones keep theirs)",
    )


def _rotate(args: argparse.Namespace) -> int:

    done = keys.rotate(args.principal, new_data_key=args.new_data_key)
    added = f"; data key {done.added} added" if done.added else ""
    added_zh = f"；新增数据密钥 {done.added}" if done.added else ""
    resumed = " (an interrupted rotation finished)" if done.resumed else ""
    resumed_zh = "（完成了上次中断的轮换）" if done.resumed else ""
    if current_language() == "en":
        print(
            f"keys rotate: {done.keys} data keys wrapped by master key {done.master}{added}"
            f"{resumed}; back up the key file now"
        )
    else:
        print(
            f"主密钥已轮换：{done.keys} 个数据密钥由主密钥 {done.master} 加密{added_zh}"
            f"{resumed_zh}；请立即备份密钥文件"
        )
    return 0
