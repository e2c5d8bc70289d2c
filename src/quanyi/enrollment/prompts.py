"""Self-service prompts (002 art. 14, 23): when a person uses the portal, the enrollment items
missing or in doubt for them — the same items the counter collects (``queries.prompts``) — in
the person's own words, each with what to do. What they supply goes to the agency as a request
(the portal's objection form) and is entered only once checked (art. 14: 校核后录入)."""

from __future__ import annotations

from dataclasses import dataclass

from quanyi.core import labels
from quanyi.core.errors import current_language
from quanyi.core.principal import Principal
from quanyi.enrollment import queries
from quanyi.enrollment.codes import INSURANCES

# code -> (what, what to do), Chinese and English
TEXTS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "phone": (
        (
            "全民参保登记库中没有您的手机号码",
            "your mobile number is not in the enrollment registry",
        ),
        (
            "请补充手机号码：通过“提出异议（更正申请）”提交，或到经办机构窗口办理",
            "add it: send it with the objection (correction request) form, or at the agency's"
            " counter",
        ),
    ),
    "employment_status": (
        ("全民参保登记库中没有您的就业状态", "your employment status is not in the registry"),
        (
            "请说明就业状态（单位就业、灵活就业、登记失业、在校学生、离退休等）：通过“提出异议"
            "（更正申请）”提交，或到经办机构窗口办理",
            "tell us (employed, flexible work, registered unemployed, student, retired…): with"
            " the objection (correction request) form, or at the counter",
        ),
    ),
    "not_enrolled_reason": (
        ("尚未登记您未参保的原因", "no reason for not enrolling is on file"),
        (
            "请告知未参保原因；如已在外地参保，请注明参保地并提交外地参保证明",
            "tell us why; if you are insured in another region, name it and send its insurance"
            " certificate",
        ),
    ),
    "status:not_enrolled": (
        ("比对显示您目前没有参加社会保险", "the cross-match found you in no social insurance"),
        (
            "如已在外地参保，请提交外地参保证明；如需参保，请携带身份证到经办机构办理参保登记",
            "if insured elsewhere, send that region's certificate; to enrol, bring your identity"
            " card to the agency",
        ),
    ),
    "status:partly_enrolled": (
        ("比对显示您未参全应参加的险种", "the cross-match found you in only some insurances"),
        (
            "请与用人单位核实，或携带身份证到经办机构咨询补办",
            "check with your employer, or bring your identity card to the agency",
        ),
    ),
    "status:duplicate": (
        (
            "比对显示您可能重复参保或重复领取待遇",
            "the cross-match found you possibly insured twice or paid a benefit twice",
        ),
        (
            "请携带身份证和外地参保证明到经办机构核实，以免重复缴费或退回多领待遇",
            "bring your identity card and the other region's certificate to the agency, so that"
            " nothing is paid twice",
        ),
    ),
    "status:inaccurate": (
        (
            "您的姓名或出生日期与社会保险登记不一致",
            "your name or birth date differs from your insurance registration",
        ),
        (
            "请携带身份证到经办机构核对更正，或通过“提出异议（更正申请）”提交",
            "bring your identity card to the agency, or send a correction request",
        ),
    ),
}


@dataclass(frozen=True)
class Shown:
    code: str
    what: str
    todo: str


def for_person(principal: Principal, id_number: str) -> list[Shown] | None:
    """The person's prompts in the current language, or None if the registry does not hold
    them (then there is nothing to prompt for)."""
    own = queries.own_entry(principal, id_number)
    if own is None:
        return None
    en = current_language() == "en"
    shown = []
    for code in own.prompts:
        if code not in TEXTS:
            continue
        (what_zh, what_en), (todo_zh, todo_en) = TEXTS[code]
        what, todo = (what_en, todo_en) if en else (what_zh, todo_zh)
        if code == "status:partly_enrolled" and own.finding and own.finding.missing:
            missing = [
                labels.label("insurance", m)
                if m in INSURANCES
                else ("drawing a pension" if en else "领取养老金")
                for m in own.finding.missing.split(",")
                if m
            ]
            what += (": " if en else "：") + (", " if en else "、").join(missing)
        shown.append(Shown(code, what, todo))
    return shown
