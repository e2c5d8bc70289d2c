from quanyi.core.errors import NotFound


def person_not_found() -> NotFound:
    return NotFound("未找到该人员", "no such person")


def employer_not_found() -> NotFound:
    return NotFound("未找到该单位", "no such employer")


def relation_not_found() -> NotFound:
    return NotFound("未找到该参保关系", "no such insurance relation")
