"""The command line itself in Chinese: ``--help``, usage lines and usage errors.

The command-line library writes its help and its usage errors in English, in code rather than
through a catalogue. Under ``--lang zh`` (or a Chinese locale) :func:`localize` gives every
command and option its Chinese help from :data:`HELP`, the headings and the "Usage:" line
their Chinese words, and a usage error its Chinese sentence (:func:`usage_error`, from
:data:`ERRORS`). English stays the source: a test fails for a help text or a usage error
with no Chinese here.
"""

from __future__ import annotations

import re
import sys
from typing import Any

#: each help text (an option's ``help``, a command's docstring) → its Chinese
HELP: dict[str, str] = {
    "Check relocation follow-up (易地搬迁后续扶持) data against the numeric targets of a work plan.": (
        "按工作方案的量化目标核查易地搬迁后续扶持数据。"
    ),
    "Print the version and exit.": "显示版本号后退出。",
    "Language of the output for every command: zh or en (default: the locale).": (
        "所有命令的输出语言:zh(中文)或 en(英文)(默认按系统区域设置)。"
    ),
    "Validate DATA, check every target of the plan and print a pass/fail report.\n\n"
    "Exit codes: 0 all targets met (warnings allowed), 1 a target missed, 2 invalid data,\n"
    "rule file or usage, 3 internal error.": (
        "校验 DATA,逐条核查方案目标,输出达标/未达标报告。\n\n"
        "退出码:0 全部目标达标(允许有预警),1 有目标未达标,2 数据、规则文件或用法有误,3 内部错误。"
    ),
    "Data folder: a CSV file or workbook per table of the pack's contract, or a folder per town.": (
        "数据文件夹:方案包数据规范中每张表一个 CSV 文件或工作簿,或每个镇一个文件夹。"
    ),
    "Rule file (YAML). Default: the shipped rules/targets.yaml.": (
        "规则文件(YAML)。默认:随工具提供的 rules/targets.yaml。"
    ),
    "terminal, json, markdown, html or junit; several, comma-separated, with --output-dir.": (
        "terminal、json、markdown、html 或 junit;多种格式用逗号分隔,并配合 --output-dir。"
    ),
    "Write the report to this file instead of stdout.": "把报告写入这个文件,而不是输出到屏幕。",
    "Write each --format (comma-separated) to report.<ext> here.": (
        "把每种 --format(逗号分隔)分别写成这个文件夹中的 report.<扩展名>。"
    ),
    "Encoding of the data files: utf-8 or gb18030 (default: detect).": (
        "数据文件的编码:utf-8 或 gb18030(默认自动识别)。"
    ),
    "Label language: zh or en (default: from the locale).": "输出语言:zh 或 en(默认按系统区域设置)。",
    "Lowest status that makes the exit code 1: fail or warn.": "使退出码为 1 的最低状态:fail(未达标)或 warn(预警)。",
    "Force colour on or off (default: auto, NO_COLOR).": "强制开启或关闭颜色(默认自动,遵循 NO_COLOR)。",
    "Add a breakdown: town (every rule per town) or lead (per lead unit). Repeatable.": (
        "增加分项:town(各镇逐条目标)或 lead(按牵头单位)。可重复使用。"
    ),
    "Also append a Markdown summary to $GITHUB_STEP_SUMMARY (CI job page).": (
        "同时把 Markdown 摘要追加到 $GITHUB_STEP_SUMMARY(CI 任务页面)。"
    ),
    "Write one CSV per failing rule (整改清单) to this folder.": "把每条未达标目标的整改清单(CSV)写入这个文件夹。",
    "Reporting period, e.g. 2022-Q3 (default: submission.yaml's). Annual targets are judged on their "
    "share due by the quarter's end.": (
        "报送期,例如 2022-Q3(默认取 submission.yaml 中的报送期)。年度目标按季度末应完成的进度判定。"
    ),
    "Waiver file (default: waivers.yaml in DATA, if there is one).": "豁免文件(默认:DATA 中的 waivers.yaml,如有)。",
    "The previous round's data folder, for growth targets (default: previous: in submission.yaml). "
    "Without one, growth targets are n/a.": (
        "上一轮的数据文件夹,用于增长类目标(默认取 submission.yaml 中的 previous:)。没有时增长类目标不适用。"
    ),
    "Show the full traceback of internal errors.": "内部错误时显示完整的调用栈。",
    "Check DATA without judging any target: the data contract, submission.yaml and the\n"
    "waivers (against the rules). Exit 0 when all is valid (warnings allowed), 2 when not.": (
        "只校验 DATA,不判定目标:数据规范、submission.yaml 和豁免(对照规则)。"
        "全部有效时退出码为 0(允许有提示),否则为 2。"
    ),
    "Compare two rounds (e.g. Q3 and Q4): each rule then and now, towns, units, continuity.\n\n"
    "Each round is read with its own submission.yaml (period) and waivers.yaml. Exit codes:\n"
    "0 no rule went from pass to fail, 1 one did (with --fail-on regression: any rule got worse),\n"
    "2 invalid data, rules or usage (two rounds of one period, or NEW earlier than OLD), 3 internal\n"
    "error.": (
        "比较两轮数据(例如第三季度与第四季度):每条目标前后的结果、各镇、各单位和数据连续性。\n\n"
        "每轮按各自的 submission.yaml(报送期)和 waivers.yaml 读取。退出码:0 没有目标由达标变为未达标,"
        "1 有(使用 --fail-on regression 时:任何目标变差),2 数据、规则或用法有误(两轮为同一报送期,"
        "或 NEW 早于 OLD),3 内部错误。"
    ),
    "The earlier round's data folder.": "较早一轮的数据文件夹。",
    "The later round's data folder.": "较晚一轮的数据文件夹。",
    "List units whose COLUMN changes by more than N (repeatable; default: the rule file's continuity).": (
        "列出 COLUMN 变化超过 N 的单位(可重复;默认取规则文件中的 continuity)。"
    ),
    "What makes the exit code 1: fail (a rule that passed now fails; the default) or regression (any "
    "rule worse than the previous round, a failing one further off too).": (
        "使退出码为 1 的情形:fail(原来达标的目标现在未达标;默认)或 regression"
        "(任何目标比上一轮差,包括未达标目标差距拉大)。"
    ),
    "Compare two rounds of the same period (a resubmission).": "比较同一报送期的两轮数据(重新报送)。",
    "Write empty templates for a submission: the contract's headers, ready to fill in.": (
        "生成报送用的空白模板:按数据规范写好表头,可直接填写。"
    ),
    "Folder to write the templates to.": "写入模板的文件夹。",
    "One workbook (a sheet per table and a data dictionary) instead of a CSV per table.": (
        "生成一个工作簿(每张表一个工作表,另附数据字典),而不是每张表一个 CSV。"
    ),
    "Write a realistic, made-up data folder for the pack: valid data, drawn from its contract.": (
        "为方案包生成一个逼真的虚构数据文件夹:按数据规范生成的有效数据。"
    ),
    "Folder to write the data files to.": "写入数据文件的文件夹。",
    "Rows of the pack's main table (its contract's sample: table).": "方案包主表的行数(数据规范中 sample: 指定的表)。",
    "Rows of the table above it (default: rows / its per_parent hint).": (
        "上一级表的行数(默认:行数 ÷ 其 per_parent 提示)。"
    ),
    "Random seed; the same seed gives the same files.": "随机种子;相同的种子生成相同的文件。",
    "Header language: en or zh.": "表头语言:en 或 zh。",
    "utf-8 or gb18030.": "utf-8 或 gb18030。",
    "Replace files already in OUT.": "覆盖 OUT 中已有的文件。",
    "List the rules, explain one, or check a rule file.": "列出规则、解释一条规则,或检查规则文件。",
    "Show one rule: the quoted plan text, scope, condition, target and the columns it reads.": (
        "显示一条规则:引用的方案原文、范围、条件、目标及其读取的列。"
    ),
    "A rule id, e.g. stars.five_share.": "规则编号,例如 stars.five_share。",
    "Check a rule file without data: exit 0 when it is valid, 2 naming each problem.": (
        "不用数据检查规则文件:有效时退出码为 0,否则为 2 并逐条列出问题。"
    ),
    "The rule file to check.": "要检查的规则文件。",
    "Write the data contract as a Frictionless Data Package descriptor (datapackage.json), so\n"
    "that Frictionless tools can check a data folder with English headers too.": (
        "把数据规范写成 Frictionless 数据包描述文件(datapackage.json),"
        "以便 Frictionless 工具也能检查英文表头的数据文件夹。"
    ),
    "Write datapackage.json to this file instead of stdout.": "把 datapackage.json 写入这个文件,而不是输出到屏幕。",
    "Show this message and exit.": "显示本帮助后退出。",
}

#: the headings and short words of a help page
WORDS = {
    "Options": "选项",
    "Commands": "命令",
    "Arguments": "参数",
    "required": "必填",
    "default: {default}": "默认:{default}",
    "(dynamic)": "(动态)",
    "Aborted!": "已中止。",
}

#: usage errors, the library's and the tool's own (English pattern → Chinese; {1} … groups)
ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.S), t)
    for p, t in [
        (r"No such option: (\S+)", "没有选项 {1}"),
        (r"No such option: (\S+) \(Possible options: (.+)\)", "没有选项 {1}(可能是:{2})"),
        (r"No such command '(.+)'\.", "没有命令 “{1}”"),
        (r"Missing command\.", "缺少命令"),
        (r"Missing argument '(.+)'\.", "缺少参数 {1}"),
        (r"Missing option '(.+)'\.", "缺少选项 {1}"),
        (r"Option '(.+)' requires an argument\.", "选项 {1} 需要一个值"),
        (r"Option '(.+)' does not take a value\.", "选项 {1} 不接受值"),
        (r"Got unexpected extra arguments?(?:\(s\))? \((.+)\)", "多余的参数({1})"),
        (r"Invalid value for (.+?): (.+)", "{1} 的值无效:{2}"),
        (r"Invalid value: (.+)", "值无效:{1}"),
        (r"Input should be less than or equal to (\S+)", "应不大于 {1}"),
        (r"Input should be greater than or equal to (\S+)", "应不小于 {1}"),
        (r"Input should be less than (\S+)", "应小于 {1}"),
        (r"Input should be greater than (\S+)", "应大于 {1}"),
        (r"Input should be a valid integer.*", "应为整数"),
        (r"Input should be a valid number.*", "应为数字"),
        (r"'(.+)' is not a valid (?:integer|int)\.?", "“{1}”不是整数"),
        (r"'(.+)' is not a format; choose one of: (.+)", "“{1}”不是输出格式;可选:{2}"),
        (r"'(.+)' is not supported; use utf-8 or gb18030", "不支持“{1}”;请用 utf-8 或 gb18030"),
        (r"'(.+)' is not a language; choose zh or en", "“{1}”不是语言;请选 zh 或 en"),
        (
            r"'(.+)' is not a period; expected a year and quarter such as 2022-Q3",
            "“{1}”不是报送期;应为年份加季度,例如 2022-Q3",
        ),
        (r"'(.+)' is not fail or warn", "“{1}”不是 fail 或 warn"),
        (r"'(.+)' is not fail or regression", "“{1}”不是 fail 或 regression"),
        (r"'(.+)' is not town or lead", "“{1}”不是 town 或 lead"),
        (r"'(.+)' is not en or zh", "“{1}”不是 en 或 zh"),
        (r"'(.+)' is not utf-8 or gb18030", "“{1}”不是 utf-8 或 gb18030"),
        (
            r"'(.+)' is not COLUMN=N \(a column name, =, a whole number\)",
            "“{1}”不是 列名=N(列名、等号、整数)",
        ),
        (
            r"(\w+)=(.+) is not a number of bytes; write a whole number such as (\d+)",
            "{1}={2} 不是字节数;请写一个整数,例如 {3}",
        ),
        (r"'(.+)' is not a number column of (\S+)", "“{1}”不是 {2} 的数值列"),
        (r"'(.+)' is not a column of the rule file's continuity table", "“{1}”不是规则文件中连续性表的列"),
        (r"'(.+)' is not (.+)", "“{1}”不是 {2}"),
        (r"'(.+)' is a file; name a folder", "“{1}”是文件;请指定一个文件夹"),
        (r"'(.+)' is a folder; name a file", "“{1}”是文件夹;请指定一个文件"),
        (r"'(.+)' already exists; init never writes over a file", "“{1}”已存在;init 不会覆盖已有文件"),
        (r"(.+) exists; pass --overwrite to replace it", "{1} 已存在;如要替换请加 --overwrite"),
        (r"'(.+)' is an input file; choose another path", "“{1}”是输入文件;请换一个路径"),
        (
            r"'(.+)' is inside the data folder; choose a path outside it",
            "“{1}”在数据文件夹内;请选数据文件夹以外的路径",
        ),
        (r"cannot write '(.+)': (.+)", "无法写入“{1}”:{2}"),
        (r"cannot append to '(.+)': (.+)", "无法追加写入“{1}”:{2}"),
        (r"No space left on device", "磁盘空间不足"),
        (r"No such file or directory", "路径不存在"),
        (r"Permission denied", "没有权限"),
        (r"Read-only file system", "文件系统是只读的"),
        (r"File too large", "文件超过了大小限制"),
        (r"Is a directory", "这是一个文件夹"),
        (r"Not a directory", "路径中有一部分不是文件夹"),
        (r"name at least one format", "请至少指定一种格式"),
        (r"use --output or --output-dir, not both", "--output 与 --output-dir 只能用一个"),
        (r"several formats need --output-dir", "多种格式需要配合 --output-dir"),
        (r"choose a folder outside the data folder", "请选数据文件夹以外的文件夹"),
        (
            r"the plan pack names no town column \('town:' in its contract\)",
            "方案包没有指定镇列(数据规范中的 town:)",
        ),
        (r"no rule '(.+)'; the rules are: (.+)", "没有规则“{1}”;现有规则:{2}"),
    ]
]


def lang_of(argv: list[str]) -> str:
    """The language a command line asks for (``--lang zh`` anywhere, else the locale), read
    before the line is parsed: the help and usage errors come before any option is."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1].strip().lower()
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1].strip().lower()
    from houfu_check.i18n import default_lang

    return default_lang()


def usage_error(message: str) -> str:
    """A usage error's sentence in Chinese (the English one when the catalogue has none)."""
    text, _, guess = message.strip().partition(" Did you mean ")
    if guess:  # "No such command 'reprot'. Did you mean 'report'?"
        return f"{usage_error(text)};是否想输入 {guess.rstrip('?')}?"
    for pattern, template in ERRORS:
        match = pattern.fullmatch(text)
        if match:
            groups = list(match.groups())
            if pattern.pattern.startswith(("Invalid value", "cannot ")):  # a reason of its own
                groups[-1] = usage_error(groups[-1])
            return template.format(None, *groups)
    return message


def localize(command: Any) -> None:
    """Give ``command`` (the typer app as a click group) and everything under it Chinese help,
    headings, usage line and usage errors."""
    _help(command)
    _library()


def _help(command: Any) -> None:
    for name in ("help", "short_help"):
        text = getattr(command, name, None)
        if text:
            setattr(command, name, HELP.get(text.strip(), text))
    for param in getattr(command, "params", []):
        if getattr(param, "help", None):
            param.help = HELP.get(param.help, param.help)
    for sub in getattr(command, "commands", {}).values():
        _help(sub)


def _library() -> None:
    """The library's own words: headings, the usage line and the way errors are shown."""
    import typer.core

    try:
        from typer import _click as click
    except ImportError:  # older typer releases use click itself
        import click  # type: ignore[no-redef,import-not-found,unused-ignore]

    def word(message: str) -> str:
        return WORDS.get(message, message)

    setattr(typer.core, "_", word)  # noqa: B010 (the library's gettext name, replaced for zh)
    command_class = click.core.Command
    plain_option = command_class.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = plain_option(self, ctx)
        if option is not None and option.help:
            option.help = HELP.get(option.help, option.help)
        return option

    command_class.get_help_option = get_help_option  # type: ignore[method-assign]
    formatter = click.formatting.HelpFormatter
    plain = formatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        plain(self, prog, args, "用法:" if prefix is None else prefix)

    formatter.write_usage = write_usage  # type: ignore[method-assign]

    def show(self: Any, file: Any = None) -> None:
        out = file if file is not None else sys.stderr
        if self.ctx is not None:
            click.echo(self.ctx.get_usage(), file=out, color=self.ctx.color)
            click.echo(f"运行 '{self.ctx.command_path} --help' 查看帮助。\n", file=out)
        click.echo(f"错误:{usage_error(self.format_message())}", file=out)

    click.exceptions.UsageError.show = show  # type: ignore[method-assign]
