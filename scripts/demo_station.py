"""A deterministic, realistic demo station: 新街口 (Xinjiekou), central Nanjing.

About 150 clients and 40 volunteers placed on the real streets of the OpenStreetMap extract
beside this file (© OpenStreetMap contributors, ODbL), two kitchens, a pharmacy and the
station office, a realistic mix of needs and schedules, and one account per role.

Loading goes through the same services as the API (validation, audit trail), matched on
external ids, so running it again refreshes the demo instead of duplicating it.
    careroute demo          (or: python -m scripts.demo_station)
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import osmium
from sqlmodel import Session, SQLModel

from dispatch.access import Principal, system_principal
from dispatch.activities.schemas import (
    ActivityCreate,
    ActivityUpdate,
    InvitationCreate,
    InvitationUpdate,
)
from dispatch.auth import repository as auth_repository
from dispatch.clients.schemas import ClientCreate, ClientUpdate
from dispatch.container import Services, build_services
from dispatch.crud.service import RecordService, snapshot
from dispatch.schedules.schemas import ScheduleCreate, ScheduleUpdate
from dispatch.sites.schemas import SiteCreate, SiteUpdate
from dispatch.stations.schemas import StationCreate, StationUpdate
from dispatch.teams.schemas import TeamCreate, TeamUpdate
from dispatch.users import service as user_service
from dispatch.users.schemas import UserCreate, UserUpdate
from dispatch.volunteers.schemas import AvailabilityCreate, VolunteerCreate, VolunteerUpdate
from models import Activity, Client, Site, Station, Team, Volunteer
from models.enums import (
    ActivityKind,
    AvailabilityKind,
    ClientStatus,
    Diet,
    Disability,
    Mobility,
    Recurrence,
    Role,
    ServiceKind,
    SiteKind,
    TeamKind,
    TravelMode,
)

MAP_FILE = Path(__file__).parent / "demo" / "nanjing-xinjiekou.osm.pbf"
STATION_CODE = "demo-xinjiekou"
SEED = 20261124
N_CLIENTS = 150
N_VOLUNTEERS = 40
# The demo volunteer who is a client of the station too, and his client record.
CLIENT_VOLUNTEER, CLIENT_VOLUNTEER_ID = 11, "demo-client-volunteer"
# The demo's first week begins on this Monday unless told another (the `demo` command gives
# the week it runs in): what tests and benchmarks load is the same every run.
FIRST_MONDAY = date(2026, 11, 23)
TIMEZONE = "Asia/Shanghai"  # the demo station's

DEMO_PASSWORDS = {
    "admin": "demo-admin-2026",
    "coordinator": "demo-coord-2026",
    "manager": "demo-manager-2026",
    "volunteer": "demo-volunteer-2026",
}

_SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
)
_ELDER_FEMALE = [
    "秀英",
    "桂英",
    "玉兰",
    "凤英",
    "秀兰",
    "淑珍",
    "翠兰",
    "美华",
    "桂兰",
    "玉珍",
    "素珍",
    "月英",
    "兰英",
    "金凤",
    "秀珍",
    "淑英",
]
_ELDER_MALE = [
    "建国",
    "国华",
    "志强",
    "德明",
    "永福",
    "树林",
    "长林",
    "宝山",
    "福生",
    "国庆",
    "振华",
    "学文",
    "文斌",
    "家和",
    "明德",
    "春生",
]
_YOUNG = [
    "晓燕",
    "丽娟",
    "浩然",
    "子涵",
    "雨萱",
    "志远",
    "海燕",
    "俊杰",
    "欣怡",
    "思远",
    "婷婷",
    "文静",
    "宇航",
    "佳怡",
    "明轩",
    "倩倩",
]
_ALLERGIES = ["花生", "海鲜", "牛奶", "鸡蛋", "芒果"]
_RESIDENTIAL = ("residential", "living_street", "tertiary", "unclassified")


def read_streets(path: Path = MAP_FILE) -> dict[str, list[tuple[float, float]]]:
    """Named streets of the extract with their node positions, by kind of street."""
    streets: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for obj in osmium.FileProcessor(str(path)).with_locations():
        if (
            isinstance(obj, osmium.osm.Way)
            and obj.tags.get("highway") in _RESIDENTIAL
            and "name" in obj.tags
        ):
            streets[obj.tags["name"]].extend(
                (round(n.lat, 6), round(n.lon, 6)) for n in obj.nodes if n.location.valid()
            )
    return {name: nodes for name, nodes in sorted(streets.items()) if nodes}


class _Places:
    """Addresses on real streets: a node of the street, moved a few metres off the road."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.streets = read_streets()
        self.names = list(self.streets)

    def address(self, street: str | None = None) -> tuple[str, float, float]:
        street = street if street in self.streets else self.rng.choice(self.names)
        lat, lon = self.rng.choice(self.streets[street])
        lat += self.rng.uniform(-0.00025, 0.00025)  # ~25 m: the building, not the kerb
        lon += self.rng.uniform(-0.00025, 0.00025)
        number = self.rng.randint(1, 120)
        return f"南京市{street}{number}号", round(lat, 6), round(lon, 6)


def _phone(rng: random.Random) -> str:
    return (
        rng.choice(["139", "138", "137", "159", "186", "188", "151"])
        + f"{rng.randrange(10**8):08d}"
    )


def _distinct(name: str, given_names: list[str], taken: set[str]) -> str:
    """`name`, or for a name already taken the surname with the next given name free: two
    volunteers (or clients) of one name are hard to tell apart in a list. Nothing is drawn
    from the generator, so the rest of the demo is as it was."""
    surname, given = name[0], given_names.index(name[1:])
    for other in range(given + 1, given + len(given_names)):
        if name not in taken:
            break
        name = surname + given_names[other % len(given_names)]
    taken.add(name)  # every name of this surname taken: a name twice, as stations have
    return name


def _plus(moment: time, minutes: int) -> time:
    total = moment.hour * 60 + moment.minute + minutes
    return time(total // 60, total % 60)


def _pick(rng: random.Random, weighted: dict[Any, int]) -> Any:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


# --- the records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """A station made by this generator: the demo, or one of a generated city's."""

    code: str = STATION_CODE
    name: str = "新街口街道为老服务社工站(演示)"
    seed: int = SEED
    clients: int = N_CLIENTS
    volunteers: int = N_VOLUNTEERS
    monday: date = FIRST_MONDAY  # of the first week: schedules, leave and the gathering follow it


DEMO = Shape()


def week_of(day: date) -> date:
    """The Monday of `day`'s week: the demo loaded on any day has that week as its first."""
    return day - timedelta(days=day.weekday())


def _station(shape: Shape) -> StationCreate:
    return StationCreate(
        name=shape.name,
        code=shape.code,
        address="南京市秦淮区中山南路1号",
        phone="025-84561234",
        lat=32.041802,
        lon=118.784308,
        timezone=TIMEZONE,
        locale="zh-CN",
    )


def _sites(station_id: int, places: _Places) -> list[SiteCreate]:
    lunch = [{"weekday": d, "opens": "10:00", "closes": "13:30"} for d in range(6)]
    pharmacy = [{"weekday": d, "opens": "08:30", "closes": "21:00"} for d in range(7)]
    office = [{"weekday": d, "opens": "08:30", "closes": "17:30"} for d in range(5)]
    specs = [
        ("demo-site-kitchen-1", "新街口社区长者食堂", SiteKind.KITCHEN, "户部街", lunch),
        ("demo-site-kitchen-2", "五台山助餐点", SiteKind.KITCHEN, "峨眉岭", lunch),
        ("demo-site-pharmacy", "老百姓大药房(中山路店)", SiteKind.PHARMACY, "估衣廊", pharmacy),
        ("demo-site-office", "新街口社工站办公室", SiteKind.OFFICE, "丰富路", office),
    ]
    sites = []
    for external_id, name, kind, street, hours in specs:
        address, lat, lon = places.address(street)
        sites.append(
            SiteCreate.model_validate(
                {
                    "station_id": station_id,
                    "external_id": external_id,
                    "name": name,
                    "kind": kind,
                    "address": address,
                    "lat": lat,
                    "lon": lon,
                    "phone": "025-" + f"{places.rng.randrange(10**8):08d}",
                    "opening_hours": hours,
                }
            )
        )
    return sites


def _afternoon(n: int) -> bool:
    """One volunteer in five works afternoons: visits and medicine, not lunch."""
    return n % 5 == 2


def _volunteers(
    station_id: int, rng: random.Random, places: _Places, count: int, monday: date
) -> list[VolunteerCreate]:
    modes = [TravelMode.WALK] * 10 + [TravelMode.BICYCLE] * 8 + [TravelMode.EBIKE] * 17
    modes += [TravelMode.CAR] * 5
    rng.shuffle(modes)
    modes[0] = TravelMode.EBIKE  # the demo volunteer login: a typical lunch round
    capacity = {TravelMode.WALK: 4, TravelMode.BICYCLE: 6, TravelMode.EBIKE: 10, TravelMode.CAR: 16}
    volunteers = []
    taken: set[str] = set()
    for i in range(count):
        mode = modes[i % len(modes)]
        # Medicine is fetched in the afternoon: every afternoon volunteer is trained for it.
        skills = ["medicine"] if _afternoon(i) or rng.random() < 0.3 else []
        if rng.random() < 0.25:
            skills.append("first_aid")
        if i in (2, 17, 32):  # afternoon volunteers who sign, for the deaf clients' visits
            skills.append("sign_language")
        if i in (7, 22):
            skills.append("nursing")
        if rng.random() < 0.3:
            skills.append("dialect:南京话")
        address, lat, lon = places.address()
        volunteers.append(
            VolunteerCreate(
                station_id=station_id,
                external_id=f"demo-volunteer-{i + 1:03d}",
                name=_distinct(
                    rng.choice(_SURNAMES) + rng.choice(_YOUNG + _ELDER_FEMALE[:4]),
                    _YOUNG + _ELDER_FEMALE[:4],
                    taken,
                ),
                phone=_phone(rng),
                home_address=address,
                lat=lat,
                lon=lon,
                travel_mode=mode,
                capacity_meals=capacity[mode],
                skills=skills,
                max_hours_per_day=rng.choice([2.5, 3.0, 3.0, 4.0]),
                max_stops_per_day=rng.randint(8, 15),
                vetted_on=monday - timedelta(days=rng.randint(30, 900)),
                notes="退休教师" if i % 7 == 0 else ("大学生志愿者" if i % 5 == 0 else ""),
            )
        )
    return volunteers


def _availability(
    volunteer_ids: list[int], rng: random.Random, monday: date
) -> list[AvailabilityCreate]:
    slots: list[AvailabilityCreate] = []
    for n, volunteer_id in enumerate(volunteer_ids):
        # The demo volunteer login (the first) comes every weekday; the others three to five.
        days = list(range(5)) if n == 0 else sorted(rng.sample(range(5), rng.randint(3, 5)))
        if n % 6 == 1:
            days.append(5)  # a few volunteers do Saturdays
        afternoon = _afternoon(n)
        for day in days:
            start, end = (time(13, 30), time(17, 30)) if afternoon else (time(10, 30), time(13, 30))
            slots.append(
                AvailabilityCreate(
                    volunteer_id=volunteer_id,
                    kind=AvailabilityKind.WEEKLY,
                    weekday=day,
                    start_time=start,
                    end_time=end,
                )
            )
        if n % 9 == 4:
            leave_start = monday + timedelta(days=rng.randint(1, 20))
            slots.append(
                AvailabilityCreate(
                    volunteer_id=volunteer_id,
                    kind=AvailabilityKind.LEAVE,
                    date_from=leave_start,
                    date_to=leave_start + timedelta(days=rng.randint(0, 6)),
                    note=rng.choice(["回老家", "住院检查", "带孙子", "考试周"]),
                )
            )
        if n == 7:
            slots.append(
                AvailabilityCreate(
                    volunteer_id=volunteer_id,
                    kind=AvailabilityKind.EXTRA,
                    date_from=monday + timedelta(days=5),
                    start_time=time(10, 0),
                    end_time=time(14, 0),
                    note="周六也来帮忙",
                )
            )
    return slots


def _gathering_drivers(volunteers: list[Volunteer], friday: date) -> list[AvailabilityCreate]:
    """Two volunteers with cars sign up to drive the elders to the month's gathering and
    home again (on foot, most of them live too far for someone who cannot go alone)."""
    drivers = [v for v in volunteers if v.travel_mode is TravelMode.CAR and v.id is not None]
    return [
        AvailabilityCreate(
            volunteer_id=driver.id,
            kind=AvailabilityKind.EXTRA,
            date_from=friday,
            start_time=time(13, 30),
            end_time=time(17, 30),
            note="开车接送月度聚会的老人",
        )
        for driver in drivers[:2]
        if driver.id is not None
    ]


def _clients(
    station_id: int, rng: random.Random, places: _Places, count: int, monday: date
) -> list[ClientCreate]:
    clients = []
    taken: set[str] = set()
    for i in range(count):
        female = rng.random() < 0.62
        given = _ELDER_FEMALE if female else _ELDER_MALE
        name = _distinct(rng.choice(_SURNAMES) + rng.choice(given), given, taken)
        address, lat, lon = places.address()
        floor = _pick(rng, {1: 20, 2: 18, 3: 16, 4: 14, 5: 12, 6: 10, 9: 5, 14: 5})
        mobility = _pick(
            rng,
            {
                Mobility.INDEPENDENT: 55,
                Mobility.WALKING_AID: 28,
                Mobility.WHEELCHAIR: 10,
                Mobility.BEDRIDDEN: 7,
            },
        )
        disability = _pick(
            rng,
            {
                Disability.NONE: 80,
                Disability.PHYSICAL: 8,
                Disability.VISUAL: 4,
                Disability.HEARING: 4,
                Disability.INTELLECTUAL: 2,
                Disability.MENTAL: 2,
            },
        )
        status = ClientStatus.ACTIVE
        status_fields: dict[str, Any] = {}
        if i % 21 == 5:
            status = ClientStatus.PAUSED
            status_fields = {
                "status_from": monday - timedelta(days=rng.randint(1, 10)),
                "status_until": monday + timedelta(days=rng.randint(3, 14)),
                "status_reason": rng.choice(["住院", "去子女家小住"]),
            }
        elif i % 50 == 17:
            status = ClientStatus.ENDED
            status_fields = {
                "status_from": monday - timedelta(days=30),
                "status_reason": "入住养老院",
            }
        window_start = rng.choice([time(11, 0), time(11, 0), time(11, 30), time(10, 45)])
        window_end = _plus(window_start, 90)
        child = rng.choice(_SURNAMES) + rng.choice(_YOUNG)
        clients.append(
            ClientCreate.model_validate(
                {
                    "station_id": station_id,
                    "external_id": f"demo-client-{i + 1:03d}",
                    "name": name,
                    "phone": _phone(rng)
                    if rng.random() < 0.8
                    else f"025-{rng.randrange(10**8):08d}",
                    "address": f"{address}{rng.randint(1, 12)}栋{rng.randint(1, 4)}单元"
                    f"{floor}0{rng.randint(1, 4)}室",
                    "lat": lat,
                    "lon": lon,
                    "birth_year": rng.randint(1929, 1960),
                    "gender": "female" if female else "male",
                    "floor": floor,
                    "has_lift": floor >= 9 or rng.random() < 0.1,
                    "key_box": "门口钥匙盒 密码见档案" if mobility is Mobility.BEDRIDDEN else "",
                    "has_dog": rng.random() < 0.05,
                    "access_notes": rng.choice(
                        ["", "", "敲门要大声，听力不好", "楼道灯坏了", "从北门进小区"]
                    ),
                    "diet": _pick(
                        rng,
                        {
                            Diet.REGULAR: 45,
                            Diet.DIABETIC: 18,
                            Diet.LOW_SALT: 17,
                            Diet.SOFT: 10,
                            Diet.HALAL: 5,
                            Diet.VEGETARIAN: 5,
                        },
                    ),
                    "allergies": [rng.choice(_ALLERGIES)] if rng.random() < 0.1 else [],
                    "mobility": mobility,
                    "disability": disability,
                    "lives_alone": rng.random() < 0.6,
                    "language": "南京话" if rng.random() < 0.4 else "普通话",
                    "preferred_window_start": window_start,
                    "preferred_window_end": window_end,
                    "emergency_contact_name": child,
                    "emergency_contact_phone": _phone(rng),
                    "emergency_contact_relation": rng.choice(["儿子", "女儿", "侄子", "邻居"]),
                    "health_notes": rng.choice(
                        ["", "高血压", "糖尿病", "轻度认知障碍", "心脏病，备有速效救心丸"]
                    ),
                    "status": status,
                    **status_fields,
                }
            )
        )
    return clients


def _schedules(
    clients: list[Client], sites: dict[str, Site], rng: random.Random, monday: date
) -> list[ScheduleCreate]:
    kitchens = [sites["demo-site-kitchen-1"], sites["demo-site-kitchen-2"]]
    pharmacy = sites["demo-site-pharmacy"]
    schedules: list[ScheduleCreate] = []

    def add(client: Client, suffix: str, **fields: Any) -> None:
        schedules.append(
            ScheduleCreate.model_validate(
                {"client_id": client.id, "external_id": f"{client.external_id}-{suffix}"} | fields
            )
        )

    for n, client in enumerate(clients):
        kitchen = min(
            kitchens,
            key=lambda k: (
                ((k.lat or 0) - (client.lat or 0)) ** 2 + ((k.lon or 0) - (client.lon or 0)) ** 2
            ),
        )
        if n % 5 != 4:  # four clients in five get lunch
            weekdays = _pick(rng, {(0, 1, 2, 3, 4): 70, (0, 1, 2, 3, 4, 5): 15, (0, 2, 4): 15})
            holds = []
            if client.status is ClientStatus.PAUSED and client.status_from:
                holds = [
                    {
                        "start": client.status_from,
                        "end": client.status_until or client.status_from,
                        "reason": client.status_reason,
                    }
                ]
            add(
                client,
                "lunch",
                kind=ServiceKind.MEAL,
                site_id=kitchen.id,
                quantity=2 if n % 13 == 0 else 1,  # a couple sharing the household
                recurrence=Recurrence.WEEKLY,
                weekdays=list(weekdays),
                start_date=monday - timedelta(days=rng.randint(7, 300)),
                window_start=client.preferred_window_start,
                window_end=client.preferred_window_end,
                service_minutes=5 if client.mobility is Mobility.INDEPENDENT else 8,
                max_ride_minutes=45,
                priority=5 if client.lives_alone else 3,
                holds=holds,
                skip_dates=[monday + timedelta(days=38)] if n % 17 == 0 else [],
            )
        if n % 7 == 3:  # medicine every second Tuesday
            add(
                client,
                "medicine",
                kind=ServiceKind.MEDICINE,
                site_id=pharmacy.id,
                recurrence=Recurrence.WEEKLY,
                weekdays=[1],
                interval_weeks=2,
                start_date=monday + timedelta(days=1),
                window_start=time(14, 0),
                window_end=time(17, 0),
                service_minutes=10,
                required_skills=["medicine"],
                priority=4,
            )
        if client.disability is not Disability.NONE or client.mobility is Mobility.BEDRIDDEN:
            add(
                client,
                "visit",
                kind=ServiceKind.VISIT,
                recurrence=Recurrence.WEEKLY,
                weekdays=[rng.randint(0, 4)],
                start_date=monday - timedelta(days=rng.randint(7, 200)),
                window_start=time(14, 0),
                window_end=time(16, 30),
                service_minutes=30,
                required_skills=["sign_language"]
                if client.disability is Disability.HEARING
                else [],
                priority=3,
                notes="探访：聊天、检查生活状况",
            )
        if not any(made.client_id == client.id for made in schedules) and n % 50 != 4:
            # Who takes no lunch, medicine or visit is looked in on once a week; three
            # clients are new to the file, their services not yet arranged (the clients'
            # list names them). No draw of `rng` here: the rest of the demo stays as it was.
            add(
                client,
                "look-in",
                kind=ServiceKind.VISIT,
                recurrence=Recurrence.WEEKLY,
                weekdays=[n // 5 % 5],
                start_date=monday - timedelta(days=30 + n),
                window_start=time(14, 0),
                window_end=time(16, 30),
                service_minutes=20,
                priority=3,
                notes="关爱探访：每周上门看看",
            )
        if n in (10, 60):
            add(
                client,
                "once",
                kind=ServiceKind.MEAL,
                site_id=kitchen.id,
                recurrence=Recurrence.ONCE,
                start_date=monday + timedelta(days=3),
                window_start=time(11, 30),
                window_end=time(12, 30),
                notes="生日长寿面(一次性订单，午餐送到)",
            )
    return schedules


# --- loading -------------------------------------------------------------------------------


def _upsert(
    session: Session,
    service: RecordService[Any, Any, Any],
    principal: Principal,
    data: SQLModel,
    update_schema: type[SQLModel],
    **match: Any,
) -> Any:
    """Create the record, or bring the existing one (matched on `match`) in line with `data`."""
    found = service.repository.find(session, **match)
    if not found:
        return service.create(session, principal, data)
    row = found[0]
    stored = snapshot(row, json=False)
    wanted = service.row_values(data)
    changes = {
        k: v for k, v in wanted.items() if k in update_schema.model_fields and stored.get(k) != v
    }
    if row.archived_at is not None:
        service.restore(session, principal, row.id)
    if changes:
        return service.update(session, principal, row.id, update_schema.model_validate(changes))
    return row


def load_demo_station(
    session: Session, services: Services | None = None, shape: Shape = DEMO
) -> dict[str, int]:
    """Create or refresh the demo station (or another of this `shape`, without the demo's
    accounts); returns how many records of each kind it has."""
    services = services or build_services(geocoder=None)
    principal = system_principal("demo")
    rng = random.Random(shape.seed)
    places = _Places(rng)

    station: Station = _upsert(
        session, services.stations, principal, _station(shape), StationUpdate, code=shape.code
    )
    assert station.id is not None
    sites: dict[str, Site] = {}
    for site in _sites(station.id, places):
        sites[str(site.external_id)] = _upsert(
            session,
            services.sites,
            principal,
            site,
            SiteUpdate,
            station_id=station.id,
            external_id=site.external_id,
        )
    demo = shape.code == DEMO.code  # the demo's accounts, teams and gathering, on any week
    friday = shape.monday + timedelta(days=4)
    generated = _volunteers(station.id, rng, places, shape.volunteers, shape.monday)
    teams = _teams(session, services, principal, station, sites) if demo else None
    for volunteer in generated:
        volunteer.team_id = teams.of(volunteer.lat, volunteer.lon) if teams else None
    if demo:  # kept linked on a refresh: no change to undo and make again
        found = services.clients.repository.find(
            session, station_id=station.id, external_id=CLIENT_VOLUNTEER_ID
        )
        generated[CLIENT_VOLUNTEER].client_id = found[0].id if found else None
    volunteers: list[Volunteer] = [
        _upsert(
            session,
            services.volunteers,
            principal,
            v,
            VolunteerUpdate,
            station_id=station.id,
            external_id=v.external_id,
        )
        for v in generated
    ]
    volunteer_ids = [v.id for v in volunteers if v.id is not None]
    availability = _availability(volunteer_ids, rng, shape.monday)
    if demo:
        availability += _gathering_drivers(volunteers, friday)
    _sync_availability(session, services, principal, station.id, availability)
    clients: list[Client] = []
    regulars = _Regulars(volunteers)
    for n, data in enumerate(_clients(station.id, rng, places, shape.clients, shape.monday)):
        data.team_id = teams.of(data.lat, data.lon) if teams else None
        data.preferred_volunteer_ids = regulars.of(data) if n % 3 == 0 else []
        data.excluded_volunteer_ids = (
            [volunteer_ids[(n * 11 + 1) % len(volunteer_ids)]] if n % 40 == 9 else []
        )
        clients.append(
            _upsert(
                session,
                services.clients,
                principal,
                data,
                ClientUpdate,
                station_id=station.id,
                external_id=data.external_id,
            )
        )
    schedules = _schedules(clients, sites, rng, shape.monday)
    for schedule in schedules:
        _upsert(
            session,
            services.schedules,
            principal,
            schedule,
            ScheduleUpdate,
            station_id=station.id,
            external_id=schedule.external_id,
        )
    if demo:
        clients.append(_client_who_volunteers(session, services, volunteers[CLIENT_VOLUNTEER]))
        _load_users(session, principal, station.id, volunteers[0])
        _monthly_gathering(session, services, principal, sites["demo-site-office"], clients, friday)
    return {
        "clients": len(clients),
        "volunteers": len(volunteers),
        "sites": len(sites),
        "schedules": len(schedules),
        "availability slots": len(availability),
        "accounts": len(DEMO_PASSWORDS) if demo else 0,
        "teams": 3 if teams else 0,
    }


class _Regulars:
    """A client's regular volunteer: the nearest who brings lunch, as a station pairs them
    (someone from the same streets, free at noon), with at most a few clients each."""

    most = 4

    def __init__(self, volunteers: list[Volunteer]) -> None:
        self.lunch = [v for n, v in enumerate(volunteers) if not _afternoon(n) and v.lat and v.lon]
        self.taken: Counter[int] = Counter()

    def of(self, client: ClientCreate) -> list[int]:
        free = [v for v in self.lunch if v.id is not None and self.taken[v.id] < self.most]
        if client.lat is None or client.lon is None or not free:
            return []
        lat, lon = client.lat, client.lon
        nearest = min(free, key=lambda v: ((v.lat or 0) - lat) ** 2 + ((v.lon or 0) - lon) ** 2)
        assert nearest.id is not None
        self.taken[nearest.id] += 1
        return [nearest.id]


@dataclass(frozen=True)
class _Teams:
    """Two community teams (east and west of the station) and a village point with its own
    kitchen, as Weifang's stations are organised."""

    east: Team
    west: Team
    point: Team
    center_lon: float
    point_at: tuple[float, float]

    def of(self, lat: float | None, lon: float | None) -> int | None:
        """The village point within about 700 m of its kitchen, else east or west."""
        if lat is None or lon is None:
            return None
        near = abs(lat - self.point_at[0]) < 0.0063 and abs(lon - self.point_at[1]) < 0.0075
        team = self.point if near else self.east if lon >= self.center_lon else self.west
        return team.id


def _teams(
    session: Session,
    services: Services,
    principal: Principal,
    station: Station,
    sites: dict[str, Site],
) -> _Teams:
    assert station.id is not None
    kitchen = sites["demo-site-kitchen-2"]
    specs = [
        ("demo-team-east", "东片社区志愿队", TeamKind.COMMUNITY, None),
        ("demo-team-west", "西片社区志愿队", TeamKind.COMMUNITY, None),
        ("demo-team-point", "五台山服务点", TeamKind.VILLAGE_POINT, kitchen.id),
    ]
    made = []
    for external_id, name, kind, site_id in specs:
        data = TeamCreate(
            station_id=station.id, external_id=external_id, name=name, kind=kind, site_id=site_id
        )
        made.append(
            _upsert(
                session,
                services.teams,
                principal,
                data,
                TeamUpdate,
                station_id=station.id,
                external_id=external_id,
            )
        )
    assert kitchen.lat is not None
    assert kitchen.lon is not None
    east, west, point = made
    assert station.lon is not None
    return _Teams(east, west, point, station.lon, (kitchen.lat, kitchen.lon))


ACTIVITY_ID = "demo-activity-monthly"


def _monthly_gathering(
    session: Session,
    services: Services,
    principal: Principal,
    venue: Site,
    clients: list[Client],
    friday: date,
) -> Activity:
    """The month's gathering for elders who live alone (Jinan's, instead of gifts), at the
    station's office on the Friday of the demo's first week (so that the demo's week shows
    it); the first three invited cannot come alone."""
    assert venue.id is not None
    data = ActivityCreate(
        station_id=venue.station_id,
        external_id=ACTIVITY_ID,
        title="独居老人月度聚会",
        kind=ActivityKind.GATHERING,
        service_date=friday,
        start_time=time(14, 30),
        end_time=time(16, 0),
        site_id=venue.id,
        notes="茶话会、生日祝福和健康小讲座；需要陪同的老人由志愿者从家里接送",
    )
    activity: Activity = _upsert(
        session,
        services.activities,
        principal,
        data,
        ActivityUpdate,
        station_id=venue.station_id,
        external_id=ACTIVITY_ID,
    )
    assert activity.id is not None
    alone = [c for c in clients if c.lives_alone and c.id is not None][:8]
    for n, client in enumerate(alone):
        assert client.id is not None
        _upsert(
            session,
            services.invitations,
            principal,
            InvitationCreate(
                station_id=venue.station_id,
                activity_id=activity.id,
                client_id=client.id,
                needs_escort=n < 3,
            ),
            InvitationUpdate,
            activity_id=activity.id,
            client_id=client.id,
        )
    return activity


def _client_who_volunteers(session: Session, services: Services, volunteer: Volunteer) -> Client:
    """A volunteer who is a client of the station too (with haemophilia, phoning elders and
    delivering on good days): the planner never sends them to their own door."""
    principal = system_principal("demo")
    data = ClientCreate(
        station_id=volunteer.station_id,
        external_id=CLIENT_VOLUNTEER_ID,
        name=volunteer.name,
        phone=volunteer.phone,
        address=volunteer.home_address,
        lat=volunteer.lat,
        lon=volunteer.lon,
        birth_year=1986,
        lives_alone=True,
        disability=Disability.PHYSICAL,
        health_notes="血友病：避免磕碰，不宜搬重物；出血时先联系紧急联系人",
        emergency_contact_name="王建国",
        emergency_contact_phone="13951234567",
        emergency_contact_relation="父亲",
        notes="同时是本站志愿者（电话关怀、身体允许时送餐）",
        team_id=volunteer.team_id,
    )
    client: Client = _upsert(
        session,
        services.clients,
        principal,
        data,
        ClientUpdate,
        station_id=volunteer.station_id,
        external_id=CLIENT_VOLUNTEER_ID,
    )
    if volunteer.client_id != client.id:
        assert volunteer.id is not None
        services.volunteers.update(
            session, principal, volunteer.id, VolunteerUpdate(client_id=client.id)
        )
    return client


def _sync_availability(
    session: Session,
    services: Services,
    principal: Principal,
    station_id: int,
    wanted: list[AvailabilityCreate],
) -> None:
    """Keep the slots that are wanted, archive the others, add what is missing."""
    service = services.availability
    existing = service.repository.find(session, station_id=station_id)
    claimed: set[int] = set()
    for slot in wanted:
        values = service.row_values(slot).items()
        match = next(
            (
                row
                for row in existing
                if row.id not in claimed and values <= snapshot(row, json=False).items()
            ),
            None,
        )
        if match is None or match.id is None:
            service.create(session, principal, slot)
            continue
        claimed.add(match.id)
        service.restore(session, principal, match.id)
    for row in existing:
        if row.id is not None and row.id not in claimed:
            service.archive(session, principal, row.id)


def _load_users(
    session: Session, principal: Principal, station_id: int, volunteer: Volunteer
) -> None:
    accounts = {
        "admin": (Role.ADMIN, "演示管理员", [], None),
        "coordinator": (Role.COORDINATOR, "陈协调员", [station_id], None),
        "manager": (Role.MANAGER, "周主任", [station_id], None),
        "volunteer": (Role.VOLUNTEER, volunteer.name, [], volunteer.id),
    }
    for username, (role, display_name, station_ids, volunteer_id) in accounts.items():
        password = DEMO_PASSWORDS[username]
        user = auth_repository.user_by_username(session, username)
        if user is None:
            user_service.create_user(
                session,
                principal,
                UserCreate(
                    username=username,
                    display_name=display_name,
                    role=role,
                    password=password,
                    station_ids=station_ids,
                    volunteer_id=volunteer_id,
                ),
            )
        elif user.role != role or user.volunteer_id != volunteer_id:
            raise SystemExit(
                f"an account named {username!r} exists with another role; rename it first"
            )
        else:
            assert user.id is not None
            user_service.update_user(
                session,
                principal,
                user.id,
                UserUpdate(password=password, station_ids=station_ids, active=True),
            )


if __name__ == "__main__":
    from dispatch import migrate
    from dispatch.config import Settings
    from dispatch.db import make_engine, session_scope

    engine = make_engine(Settings().resolved_database_url)
    migrate.upgrade(engine)
    with session_scope(engine) as demo_session:
        print(load_demo_station(demo_session))
