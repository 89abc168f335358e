"""How spreadsheet headers and cell values, in Chinese or English, map onto our fields."""

from models.enums import Datum, Diet, Disability, Mobility, TravelMode

# field -> accepted headers (compared case-insensitively, spaces ignored)
CLIENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "id", "编号", "客户编号", "档案号"),
    "name": ("name", "姓名", "名字", "老人姓名"),
    "phone": ("phone", "电话", "手机", "手机号", "联系电话"),
    "address": ("address", "地址", "住址", "家庭住址"),
    "lat": ("lat", "latitude", "纬度"),
    "lon": ("lon", "lng", "longitude", "经度"),
    "source_datum": ("datum", "坐标系"),
    "birth_year": ("birth_year", "出生年份", "出生年"),
    "gender": ("gender", "性别"),
    "floor": ("floor", "楼层"),
    "has_lift": ("lift", "has_lift", "电梯", "有无电梯"),
    "key_box": ("key_box", "钥匙盒"),
    "has_dog": ("dog", "has_dog", "养狗"),
    "access_notes": ("access_notes", "入户说明", "上门备注"),
    "diet": ("diet", "饮食", "餐型", "膳食类型"),
    "allergies": ("allergies", "过敏", "过敏源"),
    "mobility": ("mobility", "行动能力"),
    "disability": ("disability", "残疾类别"),
    "lives_alone": ("lives_alone", "独居"),
    "language": ("language", "语言", "方言"),
    "preferred_window_start": ("window_start", "送餐开始时间", "期望开始时间"),
    "preferred_window_end": ("window_end", "送餐结束时间", "期望结束时间"),
    "emergency_contact_name": ("emergency_contact", "紧急联系人"),
    "emergency_contact_phone": ("emergency_phone", "紧急联系电话", "紧急联系人电话"),
    "emergency_contact_relation": ("emergency_relation", "关系", "与老人关系"),
    "health_notes": ("health_notes", "健康状况"),
    "notes": ("notes", "备注"),
}

VOLUNTEER_COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "id", "编号", "志愿者编号"),
    "name": ("name", "姓名", "名字"),
    "phone": ("phone", "电话", "手机", "手机号", "联系电话"),
    "home_address": ("address", "home_address", "地址", "住址", "家庭住址"),
    "lat": ("lat", "latitude", "纬度"),
    "lon": ("lon", "lng", "longitude", "经度"),
    "source_datum": ("datum", "坐标系"),
    "travel_mode": ("travel_mode", "出行方式", "交通方式"),
    "capacity_meals": ("capacity", "capacity_meals", "可带餐数", "携带份数"),
    "skills": ("skills", "技能"),
    "max_hours_per_day": ("max_hours", "max_hours_per_day", "每日最多小时"),
    "max_stops_per_day": ("max_stops", "max_stops_per_day", "每日最多户数"),
    "vetted_on": ("vetted_on", "审核日期", "背景审核日期"),
    "active": ("active", "在岗"),
    "notes": ("notes", "备注"),
}

LIST_FIELDS = frozenset({"allergies", "skills"})
LIST_SEPARATORS = ("、", "，", ",", "；", ";", "/")

_YES = ("是", "有", "yes", "y", "true", "1", "√")
_NO = ("否", "无", "没有", "no", "n", "false", "0", "×")
BOOLEAN_VALUES = dict.fromkeys(_YES, True) | dict.fromkeys(_NO, False)

# field -> {cell text: stored value}; English values pass through unchanged.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "diet": {
        "普通": Diet.REGULAR,
        "普通餐": Diet.REGULAR,
        "糖尿病": Diet.DIABETIC,
        "糖尿病餐": Diet.DIABETIC,
        "低糖": Diet.DIABETIC,
        "低盐": Diet.LOW_SALT,
        "低盐餐": Diet.LOW_SALT,
        "软食": Diet.SOFT,
        "碎食": Diet.SOFT,
        "流食": Diet.SOFT,
        "清真": Diet.HALAL,
        "清真餐": Diet.HALAL,
        "素食": Diet.VEGETARIAN,
        "素餐": Diet.VEGETARIAN,
    },
    "mobility": {
        "自理": Mobility.INDEPENDENT,
        "独立行走": Mobility.INDEPENDENT,
        "拐杖": Mobility.WALKING_AID,
        "助行器": Mobility.WALKING_AID,
        "轮椅": Mobility.WHEELCHAIR,
        "卧床": Mobility.BEDRIDDEN,
    },
    "disability": {
        "无": Disability.NONE,
        "肢体": Disability.PHYSICAL,
        "视力": Disability.VISUAL,
        "听力": Disability.HEARING,
        "言语": Disability.SPEECH,
        "智力": Disability.INTELLECTUAL,
        "精神": Disability.MENTAL,
        "多重": Disability.MULTIPLE,
    },
    "gender": {"女": "female", "男": "male"},
    "source_datum": {
        "wgs84": Datum.WGS84,
        "wgs-84": Datum.WGS84,
        "gps": Datum.WGS84,
        "gcj02": Datum.GCJ02,
        "gcj-02": Datum.GCJ02,
        "火星坐标": Datum.GCJ02,
        "高德": Datum.GCJ02,
        "bd09": Datum.BD09,
        "bd-09": Datum.BD09,
        "百度": Datum.BD09,
    },
    "travel_mode": {
        "步行": TravelMode.WALK,
        "自行车": TravelMode.BICYCLE,
        "电动车": TravelMode.EBIKE,
        "电瓶车": TravelMode.EBIKE,
        "e-bike": TravelMode.EBIKE,
        "汽车": TravelMode.CAR,
        "私家车": TravelMode.CAR,
    },
    "skills": {"送药": "medicine", "急救": "first_aid", "手语": "sign_language", "护理": "nursing"},
}


def header_key(header: str) -> str:
    return "".join(header.split()).lower()


def field_for_header(columns: dict[str, tuple[str, ...]], header: str) -> str | None:
    key = header_key(header)
    for field, names in columns.items():
        if key in (header_key(name) for name in names):
            return field
    return None
