"""Report labels in Chinese and English. Plan text itself is always quoted in Chinese."""

from __future__ import annotations

import locale
import os
from typing import Literal

Lang = Literal["zh", "en"]

LABELS: dict[str, dict[Lang, str]] = {
    "title": {"zh": "易地搬迁后续扶持目标核查", "en": "Relocation follow-up target check"},
    "clause": {"zh": "条款", "en": "Clause"},
    "rule": {"zh": "目标", "en": "Target"},
    "actual": {"zh": "实际", "en": "Actual"},
    "target": {"zh": "要求", "en": "Required"},
    "status": {"zh": "结果", "en": "Status"},
    "failing": {"zh": "未达标", "en": "Failing"},
    "examples": {"zh": "未达标单位(前几个)", "en": "First failing units"},
    "pass": {"zh": "达标", "en": "pass"},
    "fail": {"zh": "未达标", "en": "fail"},
    "warn": {"zh": "预警", "en": "warn"},
    "n/a": {"zh": "不适用", "en": "n/a"},
    "not-due": {"zh": "未到期", "en": "not yet due"},
    "removed_lists": {
        "zh": "数据未通过校验,已删除 {folder} 中上一次的整改清单",
        "en": "removed the earlier rectification lists from {folder}",
    },
    "wrote_lists": {
        "zh": "已将 {n} 份整改清单(CSV)及汇总工作簿 failing-units.xlsx 写入 {folder}",
        "en": "wrote {n} rectification lists (CSV) and the workbook failing-units.xlsx to {folder}",
    },
    "by_value": {
        "zh": "(按数值比较:两轮的判定口径不同)",
        "en": " (by value: the rounds were judged on different bases)",
    },
    "same_period": {
        "zh": "两轮的报告期相同({period}):{old} 与 {new};请给出不同报告期的两轮数据,或加 --allow-same-period",
        "en": "both rounds are of {period} ({old} and {new}); give two rounds of different periods, "
        "or add --allow-same-period",
    },
    "swapped_rounds": {
        "zh": "新一轮 {new}({new_period})早于上一轮 {old}({old_period}):"
        "顺序是否颠倒?先写较早的一轮,再写较新的一轮",
        "en": "NEW {new} ({new_period}) is earlier than OLD {old} ({old_period}); were they swapped? "
        "give the earlier round first, then the later one",
    },
    "files": {"zh": "{n} 个文件", "en": "{n} files"},
    "j_waived": {"zh": "豁免", "en": "waived"},
    "j_actual": {"zh": "实际", "en": "actual"},
    "j_lead": {"zh": "牵头单位", "en": "lead"},
    "j_failing_ids": {"zh": "未达标", "en": "failing"},
    "j_newly_failing": {"zh": "新增未达标", "en": "newly failing"},
    "j_required": {"zh": "要求", "en": "required"},
    "j_no_scope": {"zh": "范围内没有单位", "en": "no unit in the rule's scope"},
    "j_not_due": {
        "zh": "未到期({due} 到期;按当前数值为{verdict})",
        "en": "not yet due (due {due}; on today's figure: {verdict})",
    },
    "j_failing": {"zh": ";{n} {unit}未达标", "en": "; {n} failing {unit}"},
    "j_plan": {"zh": "方案原文", "en": "plan"},
    "j_more": {"zh": " 等(另有 {n} 个)", "en": " … and {n} more"},
    "j_towns_missing": {"zh": "未达标的镇", "en": "towns missing it"},
    "j_warning": {"zh": "提示", "en": "warning"},
    "rule_id": {"zh": "规则编号", "en": "id"},
    "built_in": {"zh": "内置", "en": "built-in"},
    "sheet": {"zh": "工作表", "en": "sheet"},
    "kind_share": {"zh": "占比", "en": "share"},
    "kind_ratio": {"zh": "比率", "en": "ratio"},
    "kind_total": {"zh": "合计", "en": "total"},
    "kind_count": {"zh": "未达标个数", "en": "count"},
    "kind_passing": {"zh": "达标个数", "en": "passing"},
    "kind_growth": {"zh": "增长", "en": "growth"},
    "stated": {"zh": "方案明确给出", "en": "stated"},
    "severity_fail": {"zh": "未达到即不通过", "en": "fail"},
    "severity_warn": {"zh": "未达到只作预警", "en": "warn"},
    "check_valid": {
        "zh": "共 {n} 项规则,有效({stated} 项数值由方案明确给出,{readings} 项为解读)",
        "en": "{n} rules, valid ({stated} stated, {readings} interpretations)",
    },
    "explain_clause": {"zh": "条款", "en": "clause"},
    "explain_text": {"zh": "方案原文", "en": "plan text"},
    "explain_lead": {"zh": "牵头单位", "en": "lead"},
    "explain_partners": {"zh": "责任单位", "en": "partners"},
    "explain_table": {"zh": "核查对象(表)", "en": "table"},
    "explain_scope": {"zh": "范围", "en": "scope"},
    "explain_all": {"zh": "全部", "en": "all"},
    "explain_kind": {"zh": "计算方式", "en": "kind"},
    "explain_condition": {"zh": "达标条件", "en": "condition"},
    "explain_numerator": {"zh": "分子", "en": "numerator"},
    "explain_denominator": {"zh": "分母", "en": "denominator"},
    "explain_sum": {"zh": "合计项", "en": "sum"},
    "explain_rate_per": {"zh": "每多少计", "en": "rate per"},
    "explain_target": {"zh": "要求", "en": "target"},
    "explain_severity": {"zh": "级别", "en": "severity"},
    "explain_basis": {"zh": "依据", "en": "basis"},
    "explain_warn": {"zh": "预警线", "en": "warn"},
    "explain_due": {"zh": "截止日期", "en": "due"},
    "explain_annual": {"zh": "年度目标", "en": "annual"},
    "explain_yes": {"zh": "是", "en": "yes"},
    "explain_reading": {"zh": "解读", "en": "reading"},
    "explain_reads": {"zh": "读取的列", "en": "reads"},
    "previous_round": {"zh": "上一轮(增长目标的比较基准)", "en": "Previous round (growth compared with)"},
    "cannot_write": {
        "zh": "无法写入{what}:{reason}。{advice}",
        "en": "cannot write {what}: {reason}. {advice}",
    },
    "cannot_write_advice": {
        "zh": "请腾出磁盘空间、检查文件夹是否可写,或换一个位置后重试;原有文件未改动。",
        "en": "Free some disk space, check that the folder is writable, or choose another place, "
        "then run again; the files that were there are unchanged.",
    },
    "write_output": {"zh": "报告", "en": "the report"},
    "write_lists": {"zh": "整改清单到 {folder}", "en": "the lists to {folder}"},
    "no-previous": {
        "zh": "未提供上一轮数据，无法计算增长",
        "en": "no previous round was given, so growth cannot be measured",
    },
    "previous-zero": {
        "zh": "上一轮数值为 0 或负数，无法计算增长",
        "en": "the previous round's figure is 0 or below, so growth cannot be measured",
    },
    "previous-incomplete": {
        "zh": "上一轮数据缺少本目标所需的表，无法计算增长",
        "en": "the previous round does not give the tables this rule reads, so growth cannot be measured",
    },
    "not_due_count": {"zh": ",{n} 项未到期", "en": ", {n} not yet due"},
    "due_note": {"zh": "{due} 到期", "en": "due {due}"},
    "when_due": {
        "zh": "{due} 到期;按当前数值为「{verdict}」",
        "en": "due {due}; on today's figure it would be {verdict}",
    },
    "part": {"zh": "计入全县", "en": "counts toward county"},
    "facts_hint": {
        "zh": "县级事项写在县文件夹的 submission.yaml 的 facts: 下,每项填 是 或 否:{keys}",
        "en": "county facts go under facts: in the county folder's submission.yaml, each yes or no: {keys}",
    },
    "band": {
        "zh": "{target}(达 {warn} 为达标,其间预警)",
        "en": "{target} (pass from {warn}; warn in between)",
    },
    "part_legend": {
        "zh": "· 计入全县:针对全县整体的指标(如一定比例的社区、合计数、人均或每千人指标)"
        "不按镇判定,显示各镇各自的数值",
        "en": "· counts toward county: a target for the county as a whole (a quota, a total, a rate) "
        "is not judged per town; each town's part is shown",
    },
    "interpretation": {"zh": "解读", "en": "interpretation"},
    "interpretation_mark": {"zh": "※ 解读:", "en": "※ interpretation: "},
    "interpretations": {
        "zh": "※ 为解读:方案以文字表述目标,规则将其读作数值",
        "en": "※ interpretations: the plan states the goal in words; the rule reads it as a number",
    },
    "summary": {
        "zh": "{rules} 项目标:{passed} 项达标,{failed} 项未达标,{warned} 项预警,{na} 项不适用",
        "en": "{rules} rules: {passed} passed, {failed} failed, {warned} warned, {na} n/a",
    },
    "data": {"zh": "数据", "en": "Data"},
    "rows": {"zh": "行", "en": "rows"},
    "rules_file": {"zh": "规则文件", "en": "Rules"},
    "preamble": {"zh": "总则", "en": "preamble"},
    "by_town": {
        "zh": "按镇核查(各镇单位适用同一范围与要求)",
        "en": "By town (each rule on the town's own units)",
    },
    "by_lead": {"zh": "按牵头单位", "en": "By lead unit"},
    "lead": {"zh": "牵头单位", "en": "Lead unit"},
    "rule_count": {"zh": "目标数", "en": "Rules"},
    "severity": {"zh": "级别", "en": "Severity"},
    "invalid": {
        "zh": "数据校验未通过:发现 {total} 个问题,未进行目标核查。",
        "en": "The data did not pass validation: {total} problems; no target was checked.",
    },
    "invalid.one": {
        "zh": "数据校验未通过:发现 1 个问题,未进行目标核查。",
        "en": "The data did not pass validation: 1 problem; no target was checked.",
    },
    "invalid_rules": {
        "zh": "规则文件有误:{total} 个问题。",
        "en": "The rule file is not valid: {total} problems.",
    },
    "invalid_rules.one": {"zh": "规则文件有误:1 个问题。", "en": "The rule file is not valid: 1 problem."},
    "overview": {"zh": "目标总览", "en": "All targets"},
    "status_grid": {"zh": "各镇达标情况", "en": "Status by town and target"},
    "town_chart": {
        "zh": "各镇数值(条形)与要求(虚线)、全县数值(点线)",
        "en": "Each town's value (bars) against the target (dashed) and the county (dotted)",
    },
    "town_chart_part": {
        "zh": "各镇在全县数值中的部分(条形);要求针对全县:{target}",
        "en": "Each town's part of the county figure (bars); the target is the county's: {target}",
    },
    "town_chart_total": {
        "zh": "各镇数值(条形)与要求(虚线)",
        "en": "Each town's value (bars) against the target (dashed)",
    },
    "towns_shown": {
        "zh": "(显示 {total} 个镇中离要求最远的 {shown} 个)",
        "en": "(showing {shown} of {total} towns, those furthest from the target)",
    },
    "county": {"zh": "全县", "en": "county"},
    "scope": {"zh": "核查范围", "en": "In scope"},
    "partners": {"zh": "配合单位", "en": "Partners"},
    "and_more": {
        "zh": "等(另有 {n} 个,完整名单见整改清单)",
        "en": "… and {n} more (the full list is in the rectification lists)",
    },
    "valid": {"zh": "数据校验通过(未核查目标)", "en": "The data is valid (no target was checked)"},
    "file": {"zh": "文件", "en": "File"},
    "table": {"zh": "表", "en": "Table"},
    "on track": {"zh": "进度正常", "en": "on track"},
    "behind": {"zh": "进度滞后", "en": "behind"},
    "pro_rata": {
        "zh": "{period}(全年的 {share})按进度要求:{judged};全年要求:{year_end}",
        "en": "{period} ({share} of the year) requires {judged}; the year requires {year_end}",
    },
    "period": {"zh": "报告期", "en": "Period"},
    "compare_title": {"zh": "两期对比", "en": "Comparison of two rounds"},
    "then": {"zh": "上期", "en": "Then"},
    "now": {"zh": "本期", "en": "Now"},
    "change": {"zh": "变化", "en": "Change"},
    "improved": {"zh": "改善", "en": "improved"},
    "regressed": {"zh": "退步", "en": "regressed"},
    "unchanged": {"zh": "持平", "en": "unchanged"},
    "newly_failing": {"zh": "新增未达标", "en": "Newly failing"},
    "no_longer_failing": {"zh": "不再未达标", "en": "No longer failing"},
    "town_changes": {"zh": "各镇变化", "en": "Changes by town"},
    "continuity": {"zh": "两期衔接", "en": "Continuity between the rounds"},
    "units_gone": {"zh": "消失的单位({table})", "en": "Gone ({table})"},
    "units_new": {"zh": "新增的单位({table})", "en": "New ({table})"},
    "jumps": {"zh": "变化过大({limits})", "en": "Implausible jumps ({limits})"},
    "compare_summary": {
        "zh": "{rules} 项目标:{improved} 项改善,{regressed} 项退步"
        "(其中 {broken} 项由达标变为未达标),{same} 项持平",
        "en": "{rules} rules: {improved} improved, {regressed} regressed ({broken} from pass to fail), "
        "{same} unchanged",
    },
    "warnings": {"zh": "数据提示", "en": "Warnings about the data"},
    "position": {"zh": "位置", "en": "Where"},
    "problem": {"zh": "问题", "en": "Problem"},
    "invalid_waivers": {
        "zh": "豁免文件有误:{total} 个问题,未进行目标核查。",
        "en": "The waiver file is not valid: {total} problems; no target was checked.",
    },
    "invalid_waivers.one": {
        "zh": "豁免文件有误:1 个问题,未进行目标核查。",
        "en": "The waiver file is not valid: 1 problem; no target was checked.",
    },
    "usage_error": {
        "zh": "命令用法有误,未进行核查。",
        "en": "The command was used wrongly; nothing was checked.",
    },
    "internal_error": {
        "zh": "houfu-check 内部错误,未给出结论。",
        "en": "houfu-check stopped on an internal error; no verdict was given.",
    },
    "waived": {"zh": "已豁免", "en": "Waived"},
    "waived_line": {
        "zh": "{unit}:{reason}(批准:{approved_by},有效期至 {until}){state}",
        "en": "{unit}: {reason} (approved by {approved_by}, until {until}){state}",
    },
    "would_fail": {"zh": ",否则未达标", "en": "; would fail otherwise"},
    "more": {"zh": "……另有 {n} 个问题未列出", "en": "… and {n} more not shown (the count is complete)"},
}


#: the operating system's reasons a file cannot be written or read, in Chinese (by errno)
OS_REASONS_ZH = {
    "ENOSPC": "磁盘空间不足",
    "ENOENT": "路径不存在",
    "EACCES": "没有权限",
    "EPERM": "不允许此操作",
    "EROFS": "文件系统是只读的",
    "EFBIG": "文件超过了大小限制",
    "EISDIR": "这是一个文件夹",
    "ENOTDIR": "路径中有一部分不是文件夹",
    "EDQUOT": "超出了磁盘配额",
    "EEXIST": "文件已存在",
}


def os_reason(exc: OSError, lang: Lang) -> str:
    """Why the system refused a file operation, in ``lang``."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    if lang == "zh" and name in OS_REASONS_ZH:
        return OS_REASONS_ZH[name]
    return exc.strerror or str(exc)


def label(key: str, lang: Lang, count: int | None = None, **values: object) -> str:
    """The label ``key`` in ``lang``, formatted with ``values``; ``count == 1`` picks ``key.one``."""
    if count == 1 and f"{key}.one" in LABELS:
        key = f"{key}.one"
    text = LABELS[key][lang]
    return text.format(**values) if values else text


def default_lang() -> Lang:
    """Chinese when the locale says so (LC_ALL, LC_MESSAGES, LANG), else English."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    found = locale.getlocale()[0] or ""
    return "zh" if found.lower().startswith("zh") else "en"
