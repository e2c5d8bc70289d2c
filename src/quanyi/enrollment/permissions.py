"""Permissions of the enrollment registry (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from quanyi.access.roles import BUSINESS, Role
from quanyi.core.permissions import Permission, Scope, permission

PERMISSIONS: dict[str, Permission] = {
    "enrollment.match": permission(
        "仅业务经办用户可执行全民参保登记比对（002 第八至十条）",
        "only operators run the enrollment cross-match (002 art. 8-10)",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
    ),
    "enrollment.refresh": permission(
        "仅业务经办用户可依据社保登记提出全民参保登记库更新（002 第二十至二十二条）",
        "only operators propose the enrollment registry's update from the insurance records"
        " (002 art. 20-22)",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
    ),
    "enrollment.read": permission(
        "仅业务经办、审核类和信息查询用户可查看全民参保登记库及调查名单（002 第二十五条）",
        "only operators, reviewers and queriers read the enrollment registry and survey lists"
        " (002 art. 25)",
        *BUSINESS,
        business=True,
        scope=Scope.RECORDS_READ,
    ),
    "enrollment.write": permission(
        "全民参保登记库只能经业务件审批后由系统写入（002 第十九、二十一条）",
        "the enrollment registry is written only by the final approval of a case (002 art. 19, 21)",
        scope=Scope.CASES_DECIDE,
        applying=True,
    ),
    "enrollment.export": permission(
        "仅业务经办用户可生成报送上级全民参保登记库的交换文件和定期报表（002 第十、三十条）",
        "only operators write the exchange files and periodic reports for the upper-level"
        " registry (002 art. 10, 30)",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
    ),
    "enrollment.own": permission(
        "仅参保人员本人可查看本人的全民参保登记提醒（002 第十四、二十三条）",
        "only the person sees their own enrollment prompts (002 art. 14, 23)",
        Role.PERSON,
        scope=Scope.RECORDS_READ,
    ),
}
