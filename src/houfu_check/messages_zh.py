"""The Chinese of every problem: a template per problem code, and the notes problems carry.

A problem's English sentence is its class's ``template`` with its ``note``; its Chinese one is
:data:`TEMPLATES` (by code) with the note's Chinese — given where the problem is made
(``note_zh``), or read from the English note by :data:`NOTES` (patterns with the parts that
vary). A problem without a Chinese template, or whose note has no Chinese, is shown in English:
``tests/test_messages_zh.py`` fails for every code without a template, and for the notes of
the broken inputs it tries.
"""

from __future__ import annotations

import functools
import re

#: problem code → its sentence in Chinese ({value}: the cell, quoted; {note}: the note's Chinese)
TEMPLATES: dict[str, str] = {
    "problem": "{note}",
    "data-error": "{note}",
    "missing-file": "数据文件夹中找不到该文件;文件夹中须有 {note}",
    "no-data-in-folder": "县文件夹下的子文件夹视为镇文件夹,但这个文件夹中没有数据文件;其中须有 {note}(或把它移出县文件夹)",
    "nested-folder": "报送文件夹内的子文件夹中有数据文件,这些文件不会被读取;请把其中的文件移到报送文件夹(或移出数据文件夹),以免漏掉数据",
    "hidden-folder": "隐藏文件夹(名称以 . 开头)中有数据文件,这些文件不会被读取;请重命名该文件夹以便核查该镇,或把它移出数据文件夹",
    "not-a-file": "这是一个文件夹;应为 CSV 文件 {note}",
    "folder-not-found": "找不到该文件夹;应为存放 {note} 的文件夹",
    "not-a-folder": "这不是文件夹;应为存放 {note} 的文件夹",
    "empty-file": "文件为空;应有表头行{note}",
    "no-records": "文件只有表头、没有数据行;应每行一个{note}",
    "encoding-error": "字节 {value} 无法按 {note}",
    "unsupported-encoding": "{note};请把文件另存为 UTF-8 或 GB18030 编码",
    "missing-column": "缺少必需的列{note}",
    "duplicate-column": "表头中这一列出现了两次({note})",
    "unbalanced-quote": '此处开始的带引号字段没有结束的引号;应有一个结束的 "',
    "line-break-in-cell": '带引号的单元格从这里起跨了 {note} 行;可能是一个多余的引号(")开启了它,吞掉了后面的行:请删除该引号,或在单元格结束处补上引号',
    "invisible-character": "{value} 中含有不可见字符或控制字符({note});请删除该字符后重新输入编号",
    "lookalike-character": "{value} 中含有{note},看起来像普通字符但并不是,与正常输入的同一编号对不上;请用普通的数字、字母和 '-' 重新输入",
    "scientific-id": "{value} 是被 Excel 写成科学计数法的长数字,末尾几位已经丢失(不同的编号会变成同一个);请在 Excel 中把该列设为“文本”格式,再从原始来源重新输入编号",
    "bad-quote": "多余的引号;{note}",
    "field-count": "{note}",
    "note-row": "这一行以“{note}”开头:是表格下方的备注、签名或合计行,而不是一条记录;请删除这一行(表头下的每一行都会被当作记录读取)",
    "blank-row": "这一行是空行;应为一条记录(请删除这一行)",
    "parse-error": "无法按 CSV 读取该文件:{note}",
    "empty-cell": "单元格为空;应为{note}",
    "not-integer": "{value} 不是整数;应为{note}",
    "negative-integer": "{value} 是负数;应为{note}",
    "out-of-range": "{value} 超出范围;应为{note}",
    "not-number": "{value} 不是该列接受的数值;应为{note}",
    "not-date": "{value} 不是日期;应为{note}",
    "tally-mismatch": "{value} 与{note}",
    "not-boolean": "{value} 不是“是/否”值;应为{note}",
    "unknown-choice": "{value} 不是可接受的取值;应为{note}",
    "duplicate-id": "{value} 出现了不止一次(首次在{first});编号不能重复",
    "unknown-reference": "{value} 不是{note}",
    "relation": "{value} 大于{note}",
    "too-large": "{note}",
    "too-long": "{value} 超过 {note} 个字符",
    "bad-workbook": "无法作为工作簿读取:{note}",
    "unreadable-file": "无法读取文件({note});请检查文件的读取权限,或它是否正被其他程序占用",
    "header-not-found": "{note}",
    "formula-cell": "含有公式 {value};请填入数值本身(复制后“选择性粘贴 → 数值”)",
    "error-value": "含有 Excel 错误值 {value}(公式的错误结果被粘贴成了值);请填入实际数字",
    "ambiguous-file": "{note};请只保留其中一个",
    "submission-file": "{note}",
    "waiver": "{note}",
    "waiver-expired": "{note}",
    "blank-rows-skipped": "跳过了空行:{note};请删除这些空行",
    "not-read": "不会被读取:{note};请把它移到那里",
    "mixed-towns": "{value} 出现在 {note} 的文件夹中;这一行是否放错了文件夹?",
    "mixed-towns-more": "{note}",
    "stray-file": "不会被读取:{note};如果它才是要报送的数据,请改名,否则请移出该文件夹",
    "rule-error": "{note}",
    "contract-error": "{note}",
}

#: English notes → Chinese, for notes made without a ``note_zh``: (pattern, template with the
#: pattern's groups as {1}, {2}, …). The first that matches the whole note is used.
NOTES: list[tuple[str, str]] = [
    (
        r"the first line is longer than ([0-9,]+) bytes; expected a header line",
        "第一行超过 {1} 字节;应为表头行",
    ),
    (
        r"the lines end with a carriage return only \(old Mac line ends\), which CSV readers do not take; "
        r"save the file again as CSV \(UTF-8 or GB18030\) with ordinary line ends",
        "各行只以回车符(CR)结尾(旧式 Mac 换行),CSV 读取器不接受;请重新另存为普通换行的 CSV(UTF-8 或 GB18030)",
    ),
    (
        r"the file looks like UTF-16 text \(every other byte is 0\), which is not read; save it as "
        r"CSV UTF-8 \(逗号分隔 CSV UTF-8\) or GB18030",
        "文件看起来是 UTF-16 文本(每隔一个字节为 0),无法读取;请另存为“CSV UTF-8(逗号分隔)”或 GB18030",
    ),
    (
        r"a quote in the header opens a column name that runs over ([0-9,]+) lines; remove the stray quote "
        r"\(a column name holds no line breaks beyond one or two\)",
        "表头中的引号使列名延续了 {1} 行;请删除多余的引号(列名中最多有一两处换行)",
    ),
    (
        r'a " at character ([0-9]+) stands inside an unquoted field; quote the whole field and double '
        r'the inner quote \(""\)',
        '第 {1} 个字符处的 " 位于未加引号的字段中;请给整个字段加引号,并把其中的引号写成两个("")',
    ),
    (
        r"text follows a closing quote at character ([0-9]+); expected a separator \(,\) after it",
        "第 {1} 个字符处的结束引号后面还有文字;引号后应为分隔符(,)",
    ),
    (r"U\+([0-9A-F]{4,6})", "U+{1}"),
    (r"'(.)' \(U\+([0-9A-F]{4,6}), a full-width character\)", "全角字符 '{1}'(U+{2})"),
    (r"'(.)' \(U\+([0-9A-F]{4,6}), a dash that is not '-'\)", "不是 '-' 的连字符 '{1}'(U+{2})"),
    (r"\(U\+([0-9A-F]{4,6}), a combining accent\)", "组合附加符号(U+{1})"),
    (
        r"the workbook is protected by a password, so it cannot be read; .*",
        "工作簿设有密码,无法读取;请用 Excel 打开,取消密码(文件 → 信息 → 保护工作簿 → 用密码进行加密),保存后再运行",
    ),
    (r": the sheet is empty", ":工作表为空"),
    (
        r": the sheet is empty; the workbook's sheets are (.+), and the data is read from a sheet named "
        r"(.+), else from the first sheet: rename the sheet that holds the data, or delete the empty one",
        ":工作表为空;工作簿中的工作表有 {1},数据从名为 {2} 的工作表读取(没有时读第一个工作表):请重命名存放数据的工作表,或删除空工作表",
    ),
    (r" with the column names", "(列名)"),
    (
        r"date: '(.+)' is not a day of the calendar; write it as 2023-01-10",
        "date(报送日期):'{1}' 不是日历上存在的日期;请写成 2023-01-10",
    ),
    (
        r"date: '(.+)' is not a date; write it as 2023-01-10 \(or 2023/1/10, 2023年1月10日\)",
        "date(报送日期):'{1}' 不是日期;请写成 2023-01-10(或 2023/1/10、2023年1月10日)",
    ),
    (
        r"date: ([0-9-]+) is more than a quarter away from the period (\S+) \(([0-9-]+) to ([0-9-]+)\); "
        r"it decides which waivers are in force: give the date the submission was prepared, or the right period",
        "date(报送日期):{1} 与报告期 {2}({3} 至 {4})相差超过一个季度;该日期决定哪些豁免有效:请填写实际报送日期,或改正报告期",
    ),
    (r"the file is UTF-16 \(Excel 'Unicode text'\)", "文件是 UTF-16 编码(Excel 的“Unicode 文本”)"),
    (
        r"the header is one column and the separator looks like (.+); save the file as comma-separated CSV",
        "表头只有一列,分隔符看起来是 {1};请另存为逗号分隔的 CSV",
    ),
    (r"cannot read the file: No such file or directory", "无法读取文件:找不到该文件"),
    (r"cannot read the file: it is (.+)", "无法读取文件:它是{1}"),
    (r"cannot read the file: (.+)", "无法读取文件:{1}"),
    (r"(\S+) is read from the county folder only", "{1} 只从县文件夹读取"),
    # --- rule files and contracts (for the pack's author) ---
    (r"unknown column '(\w+)'; did you mean '(\w+)'\?", "未知的列 '{1}';是否应为 '{2}'?"),
    (r"unknown column '(\w+)'", "未知的列 '{1}'"),
    (
        r"unknown column '(\w+)': it is a column of (\w+), not of the rule's table; set the rule's table, or use a column of this one",
        "未知的列 '{1}':它是表 {2} 的列,不是本规则所核查的表的列;请改规则的 table,或改用本表的列",
    ),
    (
        r"unknown column '(\w+)': it is a column of (\w+), a table below the rule's; add its rows up with an aggregate, e.g. (.+)",
        "未知的列 '{1}':它是下级表 {2} 的列;请用汇总函数把各行加起来,例如 {3}",
    ),
    (r"unknown key '(.+)'; the keys allowed here are: (.+)", "未知的键 '{1}';此处可用的键有:{2}"),
    (r"unknown key '(.+)'", "未知的键 '{1}'"),
    (
        r"'(.+)' is not a valid id; write lower-case words joined by dots, e.g. stars.five_share",
        "'{1}' 不是有效的编号;请用以点连接的小写英文单词,例如 stars.five_share",
    ),
    (
        r'the value (.+) starts with a character YAML reads as syntax; write it in quotes: "(.+)"',
        '值 {1} 以 YAML 语法字符开头;请加引号写成:"{2}"',
    ),
    (r"a share lies between 0% and 100%, found '(.+)'", "占比只能在 0% 到 100% 之间,而这里是 '{1}'"),
    (
        r"a share lies between 0% and 100%, so '(.+)' can never fail",
        "占比只能在 0% 到 100% 之间,'{1}' 永远不会未达标",
    ),
    (
        r"a count is never below 0, so '(.+)' can never fail; write a target such as '(.+)'",
        "个数不会小于 0,'{1}' 永远不会未达标;请写成如 '{2}' 的要求",
    ),
    (
        r"a count rule counts the units that fail its condition, so '(.+)' asks for failures; .*",
        "count 规则统计的是未达到条件的单位,'{1}' 等于要求出现未达标;请写出单位应满足的条件,并把要求写成如 '== 0' 或 '<= 5'(或用 kind: passing 统计达标的单位)",
    ),
    (
        r"a (\w+) rule needs a percentage such as '>= 40%', found '(.+)'",
        "{1} 规则的要求应为百分比,如 '>= 40%',而这里是 '{2}'",
    ),
    (
        r"a (\w+) rule needs a whole number such as '>= 20', found '(.+)'",
        "{1} 规则的要求应为整数,如 '>= 20',而这里是 '{2}'",
    ),
    (
        r"a (\w+) rule needs a number such as '>= 20', found '(.+)'",
        "{1} 规则的要求应为数值,如 '>= 20',而这里是 '{2}'",
    ),
    (r"a (\w+) rule needs '(\w+)'", "{1} 规则须有 '{2}'"),
    (r"a (\w+) rule takes no '(\w+)'", "{1} 规则不接受 '{2}'"),
    (r"'(.+)' is not a kind of measure; the kinds are: (.+)", "'{1}' 不是计算方式;可用的有:{2}"),
    (
        r"the due date ([0-9-]+) is outside the plan's year \(([0-9]+), plan: year\)",
        "截止日期 {1} 不在方案年度({2},见 plan: year)之内",
    ),
    (r"'(.+)' is not one of the parts: (.+)", "'{1}' 不是已列出的部分之一:{2}"),
    (
        r"this id is used by an earlier rule; ids must be unique",
        "这个编号已被前面的规则使用;编号不能重复",
    ),
    (r"'(.+)' is not a table of the contract; tables: (.+)", "'{1}' 不是数据约定中的表;可用的表有:{2}"),
    (r"'(.+)' is missing; it is required here", "缺少 '{1}';此处必须填写"),
    (
        r"this key is written twice; YAML would silently keep only the last",
        "这个键写了两次;YAML 会悄悄只保留最后一个",
    ),
    (r"'(.+)' is a condition \(true/false\); expected a number", "'{1}' 是条件(真/假);此处应为数值"),
    (r"'(.+)' is a number; expected a condition \(true/false\)", "'{1}' 是数值;此处应为条件(真/假)"),
    (r"cannot parse '(.+)': (.+)", "无法解析表达式 '{1}'({2})"),
    (r"expected text", "应为文本"),
    (r"expected a number of at least (\S+)", "应为不小于 {1} 的数"),
    (r"expected a number of at most (\S+)", "应为不大于 {1} 的数"),
    (r"expected true or false, found (.+)", "应为 true 或 false,而这里是 {1}"),
    (r"expected a whole number, found (.+)", "应为整数,而这里是 {1}"),
    (
        r"expected a date written YYYY-MM-DD, such as 2022-06-30, found (.+)",
        "应为 YYYY-MM-DD 格式的日期,如 2022-06-30,而这里是 {1}",
    ),
    (
        r"'(.+)' is not a target; expected a comparison and a number, e\.g\. '>= 40%', '== 0' or '>= plan\.NAME'",
        "'{1}' 不是有效的要求;应为比较符号加数字,例如 '>= 40%'、'== 0' 或 '>= plan.NAME'",
    ),
    (
        r"a growth rule compares two rounds; it cannot be annual \(remove annual: true\)",
        "growth 规则比较的是两轮数据,不能是全年目标(请去掉 annual: true)",
    ),
    (
        r"a growth rule compares a ratio \(numerator and denominator\) or a total \(sum\) with the "
        r"previous round: give one of the two",
        "growth 规则把一个比值(numerator 和 denominator)或一个合计(sum)与上一轮相比:请写其中一种,不能两种都写或都不写",
    ),
    (
        r"a yes/no \(true, false, yes, no\) is not a number; write a number such as 15704",
        "是/否值(true、false、yes、no)不是数值;请写数值,如 15704",
    ),
    (
        r"the value is empty; write a number such as 15704, 15704\.5 or '85%'",
        "值为空;请写数值,如 15704、15704.5 或 '85%'",
    ),
    (
        r"'(.+)' is not a number; write a constant as 15704, 15704\.5 or '85%' \(at most 6 decimals\)",
        "'{1}' 不是数值;常量请写成 15704、15704.5 或 '85%'(最多 6 位小数)",
    ),
    (
        r"'(.+)' is too large; constants go up to 1,000,000,000,000",
        "'{1}' 太大;常量最大为 1,000,000,000,000",
    ),
    # a rule file's YAML (rules/load.py): Python's and the parser's words, where they are known
    (
        r"a value cannot be read: month must be in 1\.\.12",
        "有一个值无法读取:月份须在 1 到 12 之间(YAML 把不加引号的 2022-01-31 这类值读作日期)",
    ),
    (
        r"a value cannot be read: day is out of range for month",
        "有一个值无法读取:日数超出了该月的天数(YAML 把不加引号的 2022-01-31 这类值读作日期)",
    ),
    (
        r"a value cannot be read: Exceeds the limit \(([0-9]+) digits\) for integer string conversion.*",
        "有一个值无法读取:数字超过 {1} 位",
    ),
    (r"a value cannot be read: .+", "有一个值无法读取"),
    (
        r"not valid YAML \(mapping values are not allowed (?:here|in this context)\): "
        r"check the indentation and the quotes on this line",
        "不是有效的 YAML(此处不能再出现“键: 值”):请检查这一行的缩进和引号(值中含冒号时请加引号)",
    ),
    (
        r"not valid YAML \(exceeded maximum nesting depth\): check the indentation and the quotes on this line",
        "不是有效的 YAML(嵌套层数过多):请检查这一行的缩进和括号",
    ),
    (
        r"not valid YAML \(found character that cannot start any token\): "
        r"check the indentation and the quotes on this line",
        "不是有效的 YAML(有不能出现在此处的字符,如制表符 Tab):请检查这一行的缩进和引号(缩进只能用空格)",
    ),
    (
        r"not valid YAML \(found unexpected end of stream\): check the indentation and the quotes on this line",
        "不是有效的 YAML(文件意外结束,可能有引号或括号没有结束):请检查这一行的缩进和引号",
    ),
    (
        r"not valid YAML \(.+\): check the indentation and the quotes on this line",
        "不是有效的 YAML:请检查这一行的缩进和引号",
    ),
    (
        r"an interpretation needs a note \(\{zh: \.\.\., en: \.\.\.\}\): how the plan's words are read",
        "解读类规则须有 note({{zh: ..., en: ...}}):说明如何理解方案的文字",
    ),
    (
        r"'(plan\.\w+)' is not a constant of the plan; constants: none \(add constants: to the pack\)",
        "'{1}' 不是方案的常量;方案包中还没有常量(请在方案包中加上 constants:)",
    ),
    (
        r"'(plan\.\w+)' is not a constant of the plan; constants: (.+)",
        "'{1}' 不是方案的常量;常量有:{2}",
    ),
    (
        r"the warning threshold '(.+)' must be stricter than the target '(.+)': below the target the rule fails, between the two it warns, beyond both it passes",
        "预警线 '{1}' 必须比要求 '{2}' 更严:低于要求为未达标,两者之间为预警,超过两者为达标",
    ),
    (r"'(.+)' is not a rule id of (.+)", "'{1}' 不是 {2} 中的规则编号"),
    (r"'(.+)' is not a (\w+) in the data", "'{1}' 不是数据中的 {2}"),
    (
        r"(.+) is waived for (.+) twice \(first on line ([0-9]+)\)",
        "{1} 对 {2} 的豁免写了两次(首次在第 {3} 行)",
    ),
    (r"'(\w+)' is not a field of a waiver; expected (.+)", "'{1}' 不是豁免的字段;应为 {2}"),
    (
        r"waiver #([0-9]+) has no '(\w+)'; every waiver needs (.+)",
        "第 {1} 条豁免缺少 '{2}';每条豁免都须有 {3}",
    ),
    (
        r"expected a mapping with one key, 'waivers', holding a list",
        "应为一个映射,只含键 'waivers',其下为列表",
    ),
    (r"expected a mapping: (.+)", "应为一个映射(键:值):{1}"),
    (r"'(\w+)' is not a known field; expected (.+)", "'{1}' 不是可识别的字段;应为 {2}"),
    (
        r"period: '(.+)' is not a period; expected a year and quarter such as 2022-Q3",
        "period(报告期):'{1}' 不是报告期;应为年份和季度,如 2022-Q3",
    ),
    (
        r"facts: '(.+)' is no county fact; did you mean '(.+)'\?",
        "facts(县级事项):'{1}' 不是县级事项;是否应为 '{2}'?",
    ),
    (
        r"facts: '(.+)' is no county fact; the county facts are: (.+)",
        "facts(县级事项):'{1}' 不是县级事项;县级事项有:{2}",
    ),
    (
        r"give the county facts \((.+)\) under 'facts:' in submission.yaml: (.+)",
        "请在 submission.yaml 的 'facts:' 下填写县级事项({1}):{2}",
    ),
    (
        r"facts: the key '(.+)' is not read as text; write it in quotes",
        "facts(县级事项):键 '{1}' 不会被读作文本;请给它加引号",
    ),
    (
        r"constants: '(.+)' is not a constant of the plan pack; its constants: (.+)",
        "constants(常量):'{1}' 不是方案包中的常量;方案包的常量有:{2}",
    ),
    (r"constants\.(\w+): (.+)", "constants.{1}(常量):{z[2]}"),
    (
        r"previous: '(.+)' is not a folder \(a path relative to this submission's folder\)",
        "previous(上一轮):'{1}' 不是文件夹(路径相对于本次报送的文件夹)",
    ),
    (
        r"the previous round '(.+)' is this round's own folder; give the folder of the round before",
        "上一轮 '{1}' 就是本轮自己的文件夹;请给出上一轮数据的文件夹",
    ),
    (
        r"the previous round '(.+)' is of (\S+), not earlier than this round \((\S+)\); "
        r"give the folder of the round before",
        "上一轮 '{1}' 的报告期为 {2},不早于本轮({3});请给出上一轮数据的文件夹",
    ),
    (
        r"the waiver of (.+) for (.+) ended on ([0-9-]+) \(before ([0-9-]+)\); it is not applied",
        "{1} 对 {2} 的豁免已于 {3} 到期(早于 {4}),不再适用",
    ),
]


def note_zh(note: str) -> str | None:
    """The Chinese of an English note, or None when the catalogue has none."""
    if not note:
        return ""
    if " " not in note.strip():  # a name, a number or an encoding (communities.csv, UTF-8): as is
        return note
    for pattern, template in _compiled():
        match = pattern.fullmatch(note)
        if match:
            groups = match.groups()
            # {z[n]}: a part that is itself a sentence of the catalogue, in Chinese where it has one
            inner = [None, *(note_zh(g) or g for g in groups)] if "{z[" in template else []
            return template.format(None, *groups, z=inner)
    return None


@functools.cache
def _compiled() -> list[tuple[re.Pattern[str], str]]:
    """:data:`NOTES` compiled, once a note is asked for (most runs ask for none: ~25 ms saved)."""
    return [(re.compile(pattern, re.S), template) for pattern, template in NOTES]
