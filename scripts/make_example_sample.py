"""Write the example pack's sample data (rules/examples/county-2023/sample/): two rounds,
2023-Q1 and 2023-Q2, of six communities in three towns. Deterministic; rerun after editing.

    python scripts/make_example_sample.py
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "rules" / "examples" / "county-2023" / "sample"

COMMUNITIES = [
    "社区编号",
    "社区名称",
    "所属镇",
    "安置人数",
    "星级",
    "党群服务中心",
    "便民超市",
    "卫生室",
    "老年食堂",
    "四点半课堂",
    "农家书屋",
    "微菜园",
    "执业医师数",
    "本年新增就业岗位",
    "台账已数字化",
]
HOUSEHOLDS = [
    "户编号",
    "社区编号",
    "户主姓名",
    "家庭人口数",
    "家庭年可支配收入",
    "劳动力人数",
    "稳定就业人数",
    "纳入监测",
    "已落实帮扶",
]
SITES = [  # id, name, town, star, centre, six facilities, doctors, ledger digital
    ("C01", "阳光社区", "城东镇", 5, "是", "是是是是是否", 1, "是"),
    ("C02", "幸福社区", "城东镇", 4, "是", "是是是是否否", 0, "是"),
    ("C03", "河湾社区", "河口镇", 5, "是", "是是是否否否", 1, "否"),
    ("C04", "新河社区", "河口镇", 3, "是", "是是是是是是", 0, "是"),
    ("C05", "高山社区", "高山镇", 4, "是", "是是是是否否", 0, "否"),
    ("C06", "云台社区", "高山镇", 3, "否", "是是否是否是", 0, "是"),
]
NAMES = "王李张刘陈杨赵黄周吴徐孙"


def households(quarter: int) -> list[list[object]]:
    rows: list[list[object]] = []
    for i in range(24):
        site = SITES[i // 4][0]
        members = 2 + i % 4
        labour = min(members, 1 + i % 3)
        stable = labour if i % 23 else labour - 1
        income = 16000 * members + 400 * i + (1400 * members if quarter == 2 else 0)
        monitored = "是" if i % 5 == 0 else "否"
        assisted = "否" if i == 10 else monitored
        rows.append(
            [
                f"H{i + 1:03d}",
                site,
                NAMES[i % 12] + "某",
                members,
                f"{income}.00",
                labour,
                stable,
                monitored,
                assisted,
            ]
        )
    return rows


def write(folder: Path, quarter: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    hh = households(quarter)
    people = {s[0]: sum(int(r[3]) for r in hh if r[1] == s[0]) for s in SITES}
    with (folder / "communities.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(COMMUNITIES)
        for cid, name, town, star, centre, six, doctors, ledger in SITES:
            jobs = (6 if quarter == 2 else 3) + (2 if cid in ("C01", "C04") else 0)
            digital = ledger if quarter == 2 else "否"
            out.writerow([cid, name, town, people[cid], star, centre, *six, doctors, jobs, digital])
    with (folder / "households.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HOUSEHOLDS)
        out.writerows(hh)


write(HERE / "2023q1", 1)
write(HERE / "2023q2", 2)
(HERE / "2023q1" / "submission.yaml").write_text(
    "period: 2023-Q1\ncounty: 示例县\ndate: 2023-04-10\nfacts:\n  service_rules_issued: 否\n",
    encoding="utf-8",
)
(HERE / "2023q2" / "submission.yaml").write_text(
    "period: 2023-Q2\ncounty: 示例县\ndate: 2023-07-10\nprevious: ../2023q1\n"
    "facts:\n  service_rules_issued: 是\nconstants:\n  province_rural_income: 16500\n",
    encoding="utf-8",
)
