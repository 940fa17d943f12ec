"""Names and ethnicities, sampled vectorised.

Surname weights follow the 2020 全国姓名报告 ranking with Shanghai's own order on top
(张 first); given names are drawn from character pools by sex and birth era. Uyghur, Kazakh
and similar names use the interpunct U+00B7 (民委发〔2016〕33号).
"""

from __future__ import annotations

import numpy as np

INTERPUNCT = "\u00b7"

# (surname, weight in ‰ of the population). Shanghai order: 张 王 陈 李 周 徐 朱 ...
SURNAMES: list[tuple[str, float]] = [
    ("张", 78), ("王", 72), ("陈", 66), ("李", 60), ("周", 40), ("徐", 38), ("朱", 34), ("刘", 33),
    ("陆", 30), ("吴", 28), ("沈", 26), ("黄", 25), ("杨", 24), ("顾", 22), ("孙", 20), ("胡", 19),
    ("钱", 16), ("金", 15), ("蒋", 14), ("姚", 13), ("赵", 13), ("曹", 12), ("施", 12),
    ("马", 11), ("高", 11), ("何", 10), ("郭", 10), ("宋", 9), ("唐", 9), ("许", 9), ("潘", 9),
    ("叶", 9), ("汤", 8), ("龚", 8), ("秦", 7), ("范", 7), ("邵", 7), ("倪", 7), ("严", 7),
    ("郁", 6), ("戴", 6), ("俞", 6), ("丁", 6), ("冯", 6), ("袁", 6), ("谢", 6), ("林", 6),
    ("卢", 5), ("彭", 5), ("程", 5), ("蔡", 5), ("吕", 5), ("杜", 5), ("魏", 5), ("韩", 5),
    ("方", 5), ("夏", 5), ("任", 4), ("姜", 4), ("贾", 4), ("邹", 4), ("石", 4), ("熊", 4),
    ("孟", 4), ("傅", 4), ("苏", 4), ("萧", 3), ("田", 3), ("董", 3), ("梁", 3), ("罗", 3),
    ("郑", 3), ("余", 3), ("葛", 3), ("汪", 3), ("邱", 3), ("薛", 3), ("江", 3), ("阎", 2),
    ("毛", 3), ("季", 3), ("华", 2), ("卞", 2), ("瞿", 2), ("浦", 2), ("仇", 1), ("单", 1),
    ("曾", 2), ("崔", 2), ("廖", 2), ("谭", 2), ("贺", 2), ("万", 2), ("尹", 2), ("章", 2),
    ("庄", 2), ("费", 2), ("邓", 2), ("史", 2), ("解", 1), ("区", 1),
    ("欧阳", 0.8), ("司马", 0.15), ("上官", 0.12), ("诸葛", 0.08), ("东方", 0.05), ("皇甫", 0.05),
]

_MALE_OLD = list("建国华明伟强军平德福荣根林宝生海祥富贵忠义兴发龙文志杰敏卫东新永庆")
_FEMALE_OLD = list("秀英兰珍芳凤玉桂花美琴凤娟霞萍英云华丽红梅菊素萍翠琳")
_MALE_OLD2 = ["建国", "建华", "国强", "国庆", "卫国", "志强", "德明", "福根", "阿大", "金宝", "荣生",
              "根宝", "国华", "建平", "永明", "文龙", "海林", "伟民", "雪根", "正林"]
_FEMALE_OLD2 = ["秀英", "桂英", "秀兰", "玉兰", "凤英", "桂珍", "美娟", "丽华", "月英", "金娣",
                "杏娣", "小妹", "彩凤", "素珍", "惠珍", "雅琴", "秀珍", "桂芳", "玉珍", "文英"]
_MALE_MID = list("伟强磊军勇杰涛斌峰超明辉刚波鹏华健俊毅晨浩宇翔亮")
_FEMALE_MID = list("丽娟敏静燕艳红霞婷芳玲琳雯颖蕾洁佳慧晶倩莉")
_MALE_MID2 = ["伟", "磊", "俊杰", "海峰", "晓东", "志华", "立新", "建军", "宏伟", "振华", "卫东", "佳伟",
              "晓峰", "文杰", "一鸣", "浩然", "健", "勇", "斌", "懿"]
_FEMALE_MID2 = ["丽", "静", "敏", "燕", "晓燕", "丽娟", "雯雯", "佳怡", "婷婷", "晓红", "慧敏", "丽萍",
                "晶晶", "蓓蕾", "颖", "倩", "洁", "琳", "莉莉", "春燕"]
_MALE_NEW = list("轩宇浩泽睿博文辰一诚然子梓涵铭皓昊阳航逸晨奕霖")
_FEMALE_NEW = list("欣怡涵萱梓诗琪雨彤语嘉悦可馨若思佳依一瑶妍")
_MALE_NEW2 = ["子涵", "梓轩", "浩宇", "宇轩", "子轩", "睿", "一诺", "浩然", "俊熙", "铭泽", "奕辰", "博文",
              "宇航", "思远", "天佑", "皓轩", "嘉懿", "子墨", "沐阳", "承泽"]
_FEMALE_NEW2 = ["欣怡", "梓涵", "子涵", "诗涵", "雨萱", "梓萱", "可馨", "语嫣", "佳怡", "思彤", "一诺",
                "若汐", "欣妍", "雨彤", "梦琪", "依诺", "紫涵", "诗琪", "芷若", "悦"]

# Uyghur / Kazakh style given names and father's names (transcribed)
_UY_MALE = ["阿不都热依木", "买买提", "艾买提", "吐尔逊", "阿布力孜", "依明", "努尔买买提", "亚森",
            "艾力", "热合曼", "吾斯曼", "阿里木", "麦麦提敏", "库尔班"]
_UY_FEMALE = ["古丽", "阿依古丽", "帕提古丽", "热依拉", "努尔古丽", "迪丽拜尔", "再努尔", "米日古丽",
              "阿依努尔", "祖丽皮亚"]
_KZ_MALE = ["叶尔兰", "努尔兰", "别克", "叶尔江", "哈那提", "赛力克", "木拉提"]
_KZ_FEMALE = ["古丽娜尔", "阿依达娜", "加娜尔", "玛依拉", "阿克仁"]
_TIBETAN = ["扎西", "次仁", "多吉", "卓玛", "央金", "拉姆", "尼玛", "格桑", "旦增", "德吉", "次仁多吉",
            "扎西卓玛", "索朗", "平措"]
_MONGOL = ["巴特尔", "其木格", "斯琴", "那日苏", "乌云", "额尔敦", "苏日娜", "宝音"]

# Ethnicity shares among Shanghai residents (汉族 ~98.8%); 2020 census order of size
ETHNICITIES: list[tuple[str, float]] = [
    ("汉族", 0.9880), ("回族", 0.0030), ("土家族", 0.0018), ("苗族", 0.0015), ("满族", 0.0012),
    ("蒙古族", 0.0008), ("壮族", 0.0008), ("朝鲜族", 0.0007), ("布依族", 0.0004), ("侗族", 0.0004),
    ("彝族", 0.0003), ("维吾尔族", 0.0003), ("藏族", 0.0002), ("白族", 0.0002), ("畲族", 0.0002),
    ("哈萨克族", 0.0001), ("瑶族", 0.0001),
]
ETHNICITY_CODES = {  # GB/T 3304
    "汉族": "01", "蒙古族": "02", "回族": "03", "藏族": "04", "维吾尔族": "05", "苗族": "06",
    "彝族": "07", "壮族": "08", "布依族": "09", "朝鲜族": "10", "满族": "11", "侗族": "12",
    "瑶族": "13", "白族": "14", "土家族": "15", "哈萨克族": "17", "畲族": "19",
}


def _pick(pool: list[str], n: int, rng: np.random.Generator) -> np.ndarray:
    return np.array(pool, dtype=object)[rng.integers(0, len(pool), n)]


def sample_ethnicities(n: int, rng: np.random.Generator) -> np.ndarray:
    names = [e for e, _ in ETHNICITIES]
    p = np.array([w for _, w in ETHNICITIES])
    return np.array(names, dtype=object)[rng.choice(len(names), size=n, p=p / p.sum())]


def sample_surnames(n: int, rng: np.random.Generator) -> np.ndarray:
    names = [s for s, w in SURNAMES if w > 0]
    p = np.array([w for _, w in SURNAMES if w > 0], dtype=float)
    return np.array(names, dtype=object)[rng.choice(len(names), size=n, p=p / p.sum())]


def sample_given_names(is_male: np.ndarray, birth_year: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """1-2 character given names from era- and sex-specific pools."""
    n = len(is_male)
    out = np.empty(n, dtype=object)
    era = np.where(birth_year < 1965, 0, np.where(birth_year < 1995, 1, 2))
    pools = {
        (0, True): (_MALE_OLD2, _MALE_OLD), (0, False): (_FEMALE_OLD2, _FEMALE_OLD),
        (1, True): (_MALE_MID2, _MALE_MID), (1, False): (_FEMALE_MID2, _FEMALE_MID),
        (2, True): (_MALE_NEW2, _MALE_NEW), (2, False): (_FEMALE_NEW2, _FEMALE_NEW),
    }
    for (e, male), (whole, chars) in pools.items():
        idx = np.flatnonzero((era == e) & (is_male == male))
        m = len(idx)
        if not m:
            continue
        c1 = _pick(chars, m, rng)
        c2 = _pick(chars, m, rng)
        two = c1 + c2
        one_char = rng.random(m) < (0.25 if e == 1 else 0.12)
        combo = np.where(one_char, c1, two)
        use_whole = rng.random(m) < 0.45
        out[idx] = np.where(use_whole, _pick(whole, m, rng), combo)
    return out


def sample_names(is_male: np.ndarray, birth_year: np.ndarray, ethnicity: np.ndarray,
                 rng: np.random.Generator, surnames: np.ndarray | None = None) -> np.ndarray:
    """Full names. `surnames` lets children inherit a parent's surname."""
    n = len(is_male)
    sur = sample_surnames(n, rng) if surnames is None else surnames.astype(object)
    names = sur + sample_given_names(is_male, birth_year, rng)
    for eth, (male_pool, female_pool) in {"维吾尔族": (_UY_MALE, _UY_FEMALE),
                                          "哈萨克族": (_KZ_MALE, _KZ_FEMALE)}.items():
        idx = np.flatnonzero(ethnicity == eth)
        if len(idx):
            m = is_male[idx]
            given = np.where(m, _pick(male_pool, len(idx), rng), _pick(female_pool, len(idx), rng))
            father = _pick(male_pool, len(idx), rng)
            names[idx] = given + INTERPUNCT + father
    for eth, pool in {"藏族": _TIBETAN, "蒙古族": _MONGOL}.items():
        idx = np.flatnonzero(ethnicity == eth)
        if len(idx):
            native = rng.random(len(idx)) < 0.6
            names[idx] = np.where(native, _pick(pool, len(idx), rng), names[idx])
    return names
