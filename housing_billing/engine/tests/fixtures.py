"""The shared fixture of golden-cases.md ("Conventions for all cases")."""
from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from housing_billing.engine.lines import Method
from housing_billing.engine.params import Timeline
from housing_billing.engine.periods import Period
from housing_billing.engine.snapshot import (
    Building,
    PremisesSnapshot,
    Resident,
    Resource,
    Service,
)

D = Decimal
ALWAYS = '2000-01-01'

TARIFFS = {
    'cold_water': Timeline.constant('49.87'),
    'hot_water': Timeline.constant('221.45'),
    'hot_water:water': Timeline.constant('49.87'),
    'hot_water:heat': Timeline.constant('2914.56'),
    'sewage': Timeline.constant('38.55'),
    'electricity': Timeline.constant('7.02'),
    'electricity:day': Timeline.constant('7.45'),
    'electricity:night': Timeline.constant('3.72'),
    'electricity:peak': Timeline.constant('8.94'),
    'electricity:half_peak': Timeline.constant('7.45'),
    'waste': Timeline.constant('780.30'),
    'heating': Timeline.constant('2914.56'),
    'soi_cold_water': Timeline.constant('49.87'),
    'soi_electricity': Timeline.constant('7.02'),
    'maintenance': Timeline.constant('32.40'),
    'capital_repair': Timeline.constant('11.27'),
    'intercom': Timeline.constant('65.00'),
}

NORMATIVES = {
    'cold_water': Timeline.constant('4.85'),
    'hot_water': Timeline.constant('3.72'),
    'hot_water:heat': Timeline.constant('0.0587'),
    'sewage': Timeline.constant('8.57'),
    'electricity': Timeline.constant('68'),
    'waste': Timeline.constant('2.2'),
    'heating': Timeline.constant('0.0205'),
    'soi_cold_water': Timeline.constant('0.0300'),
    'soi_electricity': Timeline.constant('0.96'),
}

# K(service, date): ХВС 1.5 until 05.12.2025, 3.0 from 06.12.2025 (ПП 1871);
# ГВС 1.5; none for водоотведение, gas; electricity only after two refusals.
COEFFICIENTS = {
    'cold_water': Timeline.of([('2017-01-01', '1.5'), ('2025-12-06', '3.0')]),
    'hot_water': Timeline.of([('2017-01-01', '1.5')]),
    'electricity:double_refusal': Timeline.of([('2020-07-01', '1.5')]),
}

SERVICES = {
    'cold_water': Service('cold_water', Method.METER, Resource.COLD_WATER,
                          'm3', 'Холодное водоснабжение', 'Cold water'),
    'hot_water': Service('hot_water', Method.METER, Resource.HOT_WATER,
                         'm3', 'Горячее водоснабжение', 'Hot water'),
    'hot_water_2c': Service('hot_water', Method.METER, Resource.HOT_WATER,
                            'm3', 'Горячее водоснабжение', 'Hot water',
                            two_component=True),
    'sewage': Service('sewage', Method.SEWAGE, Resource.SEWAGE, 'm3',
                      'Водоотведение', 'Water disposal'),
    'electricity': Service('electricity', Method.METER,
                           Resource.ELECTRICITY, 'kwh', 'Электроснабжение',
                           'Electricity'),
    'waste': Service('waste', Method.WASTE, Resource.WASTE, 'm3',
                     'Обращение с ТКО', 'Municipal waste'),
    'heating': Service('heating', Method.HEATING, Resource.HEATING, 'gcal',
                       'Отопление', 'Heating'),
    'soi_cold_water': Service('soi_cold_water', Method.COMMON_PROPERTY,
                              Resource.HOUSING, 'm3', 'ХВС на СОИ',
                              'Cold water for common property',
                              soi_resource=Resource.COLD_WATER),
    'soi_electricity': Service('soi_electricity', Method.COMMON_PROPERTY,
                               Resource.HOUSING, 'kwh', 'ЭЭ на СОИ',
                               'Electricity for common property',
                               soi_resource=Resource.ELECTRICITY),
    'maintenance': Service('maintenance', Method.AREA, Resource.HOUSING,
                           'm2', 'Содержание жилого помещения',
                           'Maintenance'),
    'capital_repair': Service('capital_repair', Method.AREA,
                              Resource.CAPITAL_REPAIR, 'm2',
                              'Взнос на капитальный ремонт',
                              'Capital repair'),
    'intercom': Service('intercom', Method.PER_PREMISES, Resource.OTHER,
                        'premises', 'Домофон', 'Intercom'),
}

BUILDING = Building(total_area=D('5120.4'),
                    common_areas={Resource.COLD_WATER: D('820.0'),
                                  Resource.ELECTRICITY: D('1130.0')})


def residents(count: int, **kwargs) -> tuple[Resident, ...]:
    return tuple(Resident(f'p{i}', **kwargs) for i in range(1, count + 1))


def service(name: str, **changes) -> Service:
    return dataclasses.replace(SERVICES[name], **changes)


def snapshot(period=Period(2026, 1), services=(), **changes):
    base = PremisesSnapshot(
        account='1000234567', period=period, area=D('54.3'),
        services=tuple(SERVICES[s] if isinstance(s, str) else s
                       for s in services),
        tariffs=dict(TARIFFS), normatives=dict(NORMATIVES),
        coefficients=dict(COEFFICIENTS), building=BUILDING)
    return dataclasses.replace(base, **changes)


def amounts(lines, service=None, kind=None):
    return [line.amount for line in lines
            if (service is None or line.service == service)
            and (kind is None or line.kind == kind)]


def day(text: str) -> date:
    d, m, y = text.split('.')
    return date(int(y), int(m), int(d))
