"""Small typed builders for registry payloads with valid identifiers."""

from __future__ import annotations

import itertools
import random
from datetime import date
from typing import Any

from quanyi.core.principal import Principal
from quanyi.demo import identities
from quanyi.registry import services
from quanyi.registry.models import Employer, InsuranceRelation, Person

_rng = random.Random(20261125)
_used_ids: set[str] = set()
_used_codes: set[str] = set()
_names = itertools.count(1)


def id_number(birth: date = date(1985, 6, 15), male: bool = True, region: str = "110105") -> str:
    """Unused in this process while the day's 500 numbers last; then the day's numbers start
    over. Each test's rows are rolled back after it, so a number can only clash within one
    test, and none uses 500 of one day."""
    try:
        return identities.id_number(_rng, region, birth, male, _used_ids)
    except identities.NumbersExhausted:
        prefix = f"{region}{birth:%Y%m%d}"
        _used_ids.difference_update({n for n in _used_ids if n.startswith(prefix)})
        return identities.id_number(_rng, region, birth, male, _used_ids)


def sealed(purpose: str, value: str) -> tuple[bytes, bytes]:
    """A value as ``core.fields.SealedText`` stores it, and its blind index: what an attacker
    holding the keys writes behind the application's back."""
    from quanyi.core import crypto

    ring = crypto.keyring()
    return ring.seal(value.encode()), ring.index(purpose, value)


def uscc(region: str = "110105") -> str:
    return identities.credit_code(_rng, region, _used_codes)


def employer_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "uscc": uscc(),
        "name": f"测试单位{next(_names)}有限公司",
        "region": "110105",
        "address": "北京市朝阳区建国路1号",
        "injury_class": 2,
    }
    payload.update(overrides)
    return payload


def person_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id_number": id_number(),
        "name": "张三",
        "phone": "13800138000",
        "hukou_region": "110105",
        "residence_region": "110105",
        "category": "employee",
    }
    payload.update(overrides)
    return payload


def employer(principal: Principal, **overrides: Any) -> Employer:
    return services.register_employer(principal, employer_payload(**overrides))


def person(principal: Principal, **overrides: Any) -> Person:
    return services.register_person(principal, person_payload(**overrides))


def relation(
    principal: Principal,
    who: Person,
    where: Employer | None,
    insurance: str = "pension",
    start: str = "2020-01",
    end: str | None = None,
) -> InsuranceRelation:
    return services.start_relation(
        principal,
        {
            "id_number": who.id_number,
            "uscc": where.uscc if where else "",
            "insurance": insurance,
            "start_month": start,
            "end_month": end or "",
        },
    )
