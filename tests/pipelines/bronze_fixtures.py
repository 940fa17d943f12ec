"""Small department drops for the pipeline tests (real formats, real encodings)."""

from __future__ import annotations

import json
from pathlib import Path

from shequyun.core.settings import Paths

HUKOU_HEADER = "户号,姓名,性别,民族,出生日期,公民身份号码,与户主关系,户籍地址,户口登记日期,户口状态,注销日期,文化程度,联系电话"
HUKOU_ROWS = [
    "000000001,张伟,男,汉族,1949-12-31,11010519491231002X,户主,上海市黄浦区福州路123号,1980/1/2,正常,,高中,13912345678",
    "000000001,李芳,女,汉族,19500304,440524188001010014,配偶,上海市黄浦区福州路123号,1980年1月2日,正常,,初中,",
    "000000002,王强,1,汉族,1984-03-30,310108840330008,户主,上海市静安区共和新路1号,29221,正常,,大学本科,021-61234567",
    "000000002,,男,汉族,1990-01-01,31010819840330008X,子女,上海市静安区共和新路1号,2001-01-01,正常,,大学本科,",  # no name: quarantined
]


def write_hukou(paths: Paths, name: str = "hukou_2026-11-01.csv", rows: list[str] = HUKOU_ROWS) -> Path:
    """户籍人口 CSV in GBK, as the 市公安局 delivers it."""
    file = paths.landing / "public_security" / "ps_hukou" / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(("\r\n".join([HUKOU_HEADER, *rows]) + "\r\n").encode("gbk"))
    return file


def write_tekun(paths: Paths, name: str = "tekun.jsonl") -> Path:
    """特困人员 JSON lines."""
    file = paths.landing / "civil_affairs" / "ca_tekun" / name
    file.parent.mkdir(parents=True, exist_ok=True)
    records = [
        {"caseNo": "TK0001", "name": "赵敏", "idCard": "11010519491231002X", "gender": "女", "birthday": "1949-12-31",
         "supportType": "分散供养", "startDate": "2020-01-01", "address": "上海市黄浦区", "phone": "13800000000",
         "caregiver": "赵一"},
        {"caseNo": "TK0002", "name": "钱多", "idCard": "440524188001010014", "gender": "男", "birthday": "1935-01-01",
         "supportType": "集中供养", "startDate": "2021/3/4", "address": "上海市静安区", "phone": "", "caregiver": ""},
    ]
    file.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return file


def write_broken_employment(paths: Paths) -> Path:
    """A 就业失业登记 file without the required 登记编号 column: the whole file fails."""
    file = paths.landing / "human_resources" / "hr_employment" / "employment.csv"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes("姓名,证件号码\n张三,11010519491231002X\n".encode("gbk"))
    return file
