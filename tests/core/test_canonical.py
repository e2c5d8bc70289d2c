from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from quanyi.core.canonical import canonical_json, digest, merkle_root, sha256_hex


def test_canonical_json_is_stable() -> None:
    assert canonical_json({"b": 1, "a": "权益", "d": date(2024, 2, 29)}) == (
        '{"a":"权益","b":1,"d":"2024-02-29"}'.encode()
    )
    beijing = timezone(timedelta(hours=8))
    moment = datetime(2026, 1, 1, 8, 0, 0, 5, tzinfo=beijing)
    assert canonical_json({"t": moment}) == b'{"t":"2026-01-01T00:00:00.000005Z"}'


def test_floats_and_naive_times_are_refused() -> None:
    with pytest.raises(TypeError):
        canonical_json({"amount": 1.5})
    with pytest.raises(ValueError):
        canonical_json({"t": datetime(2026, 1, 1)})


def test_merkle_root() -> None:
    leaves = [digest({"n": n}) for n in range(5)]
    assert merkle_root(leaves[:1]) == leaves[0]
    assert merkle_root([]) == ""
    two = sha256_hex(bytes.fromhex(leaves[0]) + bytes.fromhex(leaves[1]))
    assert merkle_root(leaves[:2]) == two
    assert merkle_root(leaves) != merkle_root(list(reversed(leaves)))
    changed = [*leaves[:4], digest({"n": 99})]
    assert merkle_root(changed) != merkle_root(leaves)
    assert datetime.now(UTC).tzinfo is UTC
