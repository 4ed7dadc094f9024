#!/usr/bin/env python3
# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Demo and benchmark dataset generator for housing_billing.

Run from the repository's root on a database where housing_billing is
activated::

    .venv/bin/python bench/generate.py --config trytond.conf \\
        --database demo --accounts 300 [--seed 1] [--end 2026-10-31] \\
        [--months 24] [--admin-password secret]

Environment variables TRYTOND_<SECTION>__<OPTION> override the
configuration file (trytond's own scripts do the reverse), so
TRYTOND_DATABASE__URI=postgresql://postgres@127.0.0.1:5432/ with
--config trytond.conf generates into PostgreSQL; bench/postgresql.conf
does the same.

The few configuration records (company, users, units, products, services,
tariffs, normatives) go through the ORM. The housing stock (buildings,
premises, owners, personal accounts, payers, residents, absences, account
services, meters and their readings) goes through bulk SQL: COPY on
PostgreSQL, executemany on SQLite, one transaction per chunk of buildings
(--chunk accounts), committed, so that a large run keeps a flat memory and
can be restarted: the buildings already there are skipped.

The rows of a chunk are built in pure Python with chunk-local ids by a
worker process (--jobs) while the main process writes the previous chunks;
on PostgreSQL two threads (--writers) write chunks in parallel, each in a
transaction of its own. The writer gives the rows what Tryton's own create
would: ids from the tables' sequences, create_uid and create_date, the
parties' codes from the party sequence with their computed columns and
their language row, and the history rows of every model with _history (a
reading that Reading.create would flag gets, as there, a second history
row with the flags and write_uid / write_date, and the flags and review
reason are computed as set_flags does). It bypasses the models'
validation: tests/test_generate.py validates every record of a small run
through the ORM, bench/check_dataset.py a sample of a large one.

On PostgreSQL, as a superuser, the per-row foreign key triggers are
skipped for the transactions of the chunks (SET LOCAL
session_replication_role, as pg_restore --disable-triggers) and each
chunk's references are checked with one query per foreign key before its
commit; and the secondary indexes Tryton manages on the tables written
are dropped for the load and created again at the end by Tryton itself
(Model._update_sql_indexes, as trytond-admin --indexes), also at the end
of a restarted run (--keep-indexes maintains them row by row instead).

The data depend only on --seed, --end, --months and --accounts (the size
of the last building), never on today's date except for the default of
--end, the last day of the previous month. Ids and party codes come from
the database's sequences.
"""
import argparse
import datetime as dt
import os
import re
import sys
import threading
import time
import uuid
from collections import defaultdict
from decimal import Decimal
from random import Random

# --------------------------------------------------------------------------
# Reference data (Russian)
# --------------------------------------------------------------------------

COMPANY_NAME = 'ООО «Управляющая компания «Надёжный дом»»'
COMPANY_INN = '503601234'  # check digit appended by inn10()
SUPPLIER_NAME = 'ООО «Домофон-Сервис»'
SUPPLIER_INN = '503607788'
MUNICIPALITY_NAME = 'Администрация Городского округа Подольск'
MUNICIPALITY_INN = '503600001'
CITY = 'Московская обл., г. Подольск'
POSTAL_CODES = ['1421%02d' % i for i in range(0, 20)]

STREETS = [
    'ул. Ленина', 'ул. Гагарина', 'ул. Советская', 'пр-т Мира',
    'ул. Садовая', 'ул. Молодёжная', 'ул. Школьная', 'ул. Лесная',
    'ул. Кирова', 'ул. Пушкина', 'ул. Чехова', 'ул. Победы',
    'ул. Первомайская', 'ул. Комсомольская', 'ул. Набережная',
    'ул. Строителей', 'ул. Юбилейная', 'ул. Октябрьская',
    'ул. Железнодорожная', 'ул. Заводская', 'ул. Северная', 'ул. Южная',
    'Революционный пр-т', 'ул. Маштакова', 'ул. Свердлова',
    'Бульварная ул.', 'ул. Парковая', 'ул. Микрорайон Родники',
    'ул. Академика Доллежаля', 'Ленинградская ул.', 'Веллинга ул.',
    'ул. Космонавтов', 'ул. Лётная', 'Высотная ул.', 'Театральная ул.',
    'ул. Бородинская', 'ул. Машиностроителей', 'Рабочая ул.',
    'ул. Плещеевская', 'ул. 43-й Армии', 'Народная ул.', 'ул. Тепличная',
    'Литейная ул.', 'ул. Кутузовская', 'ул. Рязановская',
    'ул. Объездная дорога', 'Пионерская ул.', 'Клубная ул.',
    'ул. Профсоюзная', 'Парковый пр-д',
    ]

SURNAMES = (
    'Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов '
    'Новиков Фёдоров Морозов Волков Алексеев Лебедев Семёнов Егоров '
    'Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин '
    'Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв '
    'Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв '
    'Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев '
    'Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев '
    'Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов '
    'Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов '
    'Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов '
    'Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв '
    'Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов '
    'Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв '
    'Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров '
    'Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов '
    'Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков '
    'Горбунов Анисимов Тихомиров Галкин Лукьянов Михеев Скворцов Юдин '
    'Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков '
    'Левин Митрофанов Воронов Аксёнов Мальцев Логинов Горшков Савин '
    'Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников Хохлов '
    'Фадеев Молчанов Игнатов Литвинов Ершов Ушаков Дементьев Рябов '
    'Мухин Калашников Леонтьев Лобанов Кузин Корнилов Евдокимов Бородин '
    'Платонов Некрасов Балашов Бобров Жданов Блинов Игнатьев Коротков '
    'Муравьёв Крюков Беляков Богомолов Дроздов Лавров Зуев Петухов '
    'Ларин Никулин Серов Терентьев Зотов Устинов Фокин Самойлов '
    'Константинов Сахаров Шишкин Самсонов Черкасов Чистяков Носов '
    'Спиридонов Карасёв Авдеев Воронцов Зверев Владимиров Селезнёв '
    'Нечаев Седов Фирсов Андрианов Панин Головин Терехов Ульянов '
    'Шестаков Агеев Никонов Селиванов Баженов Гордеев Кожевников '
    'Пахомов Зимин Костин Широков Филимонов Ларионов Овсянников Сазонов '
    'Суворов Нефёдов Любимов Львов Горбачёв Копылов Лукин Токарев '
    'Кулешов Шилов Большаков Панкратов Родин Шаповалов Покровский '
    'Бочаров Никольский Маркин Горелов Агафонов Березин Ермолаев Зубков '
    'Трифонов Круглов Третьяков Колосов Рожков Артамонов Шмелёв Лаптев '
    'Федосеев Зиновьев Зорин Уткин Столяров Зубов Ткачёв Дорофеев '
    'Антипов Завьялов Свиридов Золотарёв Кулаков Мещеряков Макеев '
    'Гуляев Петровский Бондарев Поздняков Панфилов Кочетков Суханов '
    'Рыжов Старостин Калмыков Субботин Шубин Щукин Лосев Винокуров '
    'Лапин Парфёнов Исаков Голованов Коровин Розанов Артёмов Козырев '
    'Русаков Алёшин Крючков Булгаков Кошелев Сычёв Синицын Одинцов '
    'Вишневский Ковалевский Жуковский Островский Высоцкий Савицкий'
    ).split()

# (name, patronymic of a son, patronymic of a daughter)
MALE_NAMES = [tuple(n.split('/')) for n in (
    'Александр/Александрович/Александровна Алексей/Алексеевич/Алексеевна '
    'Андрей/Андреевич/Андреевна Анатолий/Анатольевич/Анатольевна '
    'Антон/Антонович/Антоновна Артём/Артёмович/Артёмовна '
    'Борис/Борисович/Борисовна Вадим/Вадимович/Вадимовна '
    'Валентин/Валентинович/Валентиновна Валерий/Валерьевич/Валерьевна '
    'Василий/Васильевич/Васильевна Виктор/Викторович/Викторовна '
    'Виталий/Витальевич/Витальевна Владимир/Владимирович/Владимировна '
    'Владислав/Владиславович/Владиславовна '
    'Вячеслав/Вячеславович/Вячеславовна '
    'Геннадий/Геннадьевич/Геннадьевна Георгий/Георгиевич/Георгиевна '
    'Григорий/Григорьевич/Григорьевна Даниил/Даниилович/Данииловна '
    'Денис/Денисович/Денисовна Дмитрий/Дмитриевич/Дмитриевна '
    'Евгений/Евгеньевич/Евгеньевна Егор/Егорович/Егоровна '
    'Иван/Иванович/Ивановна Игорь/Игоревич/Игоревна Илья/Ильич/Ильинична '
    'Кирилл/Кириллович/Кирилловна '
    'Константин/Константинович/Константиновна '
    'Леонид/Леонидович/Леонидовна Максим/Максимович/Максимовна '
    'Михаил/Михайлович/Михайловна Никита/Никитич/Никитична '
    'Николай/Николаевич/Николаевна Олег/Олегович/Олеговна '
    'Павел/Павлович/Павловна Пётр/Петрович/Петровна '
    'Роман/Романович/Романовна Руслан/Русланович/Руслановна '
    'Семён/Семёнович/Семёновна Сергей/Сергеевич/Сергеевна '
    'Станислав/Станиславович/Станиславовна Степан/Степанович/Степановна '
    'Тимофей/Тимофеевич/Тимофеевна Фёдор/Фёдорович/Фёдоровна '
    'Юрий/Юрьевич/Юрьевна Ярослав/Ярославович/Ярославовна '
    'Матвей/Матвеевич/Матвеевна Марк/Маркович/Марковна Лев/Львович/Львовна'
    ).split()]
FEMALE_NAMES = (
    'Анна Мария Елена Ольга Наталья Татьяна Ирина Светлана Екатерина Юлия '
    'Анастасия Марина Людмила Галина Валентина Надежда Любовь Оксана Дарья '
    'Ксения Алина Виктория Полина Софья Алиса Вероника Евгения Лариса Нина '
    'Зоя Тамара Вера Раиса Кристина Маргарита Александра Елизавета Варвара '
    'Ульяна Валерия'
    ).split()

COMPANY_FORMS = ['ООО', 'ООО', 'ООО', 'АО', 'ИП']
COMPANY_WORDS = (
    'Аптека Здоровье, Продукты у дома, Парикмахерская Локон, Ремонт обуви, '
    'Цветочная лавка, Стоматология Улыбка, Фитнес Атлет, Ветклиника Айболит, '
    'Пекарня Хлебница, Оптика Зоркий глаз, Нотариальная контора, '
    'Химчистка Чистюля, Детский клуб Непоседы, Пункт выдачи заказов, '
    'Кафе Уют, Магазин Хозтовары, Салон связи, Книжный магазин Буква'
    ).split(', ')

WATER_MODELS = ['ВСКМ 90-15', 'Бетар СХВ-15', 'Пульсар Ду15', 'Экомера-15',
    'Valtec VLF-15', 'Декаст ВСХ-15']
HOT_WATER_MODELS = ['ВСГ-15', 'Бетар СГВ-15', 'Пульсар Ду15 ГВ',
    'Экомера-15 ГВ', 'Valtec VLF-15 ГВ', 'Декаст ВСГ-15']
ELECTRICITY_MODELS = ['Меркурий 200.02', 'Энергомера CE102', 'Нева МТ 114',
    'Милур 107', 'Меркурий 201.8']
COMMON_MODELS = {
    'cold_water': 'ВСХН-50', 'hot_water': 'ВСТН-40',
    'electricity': 'Меркурий 230 ART', 'heating': 'ВКТ-7 (теплосчётчик)',
    }
SOURCES = ['portal'] * 10 + ['accountant'] * 6 + ['import'] * 4
ABSENCE_REASONS = [
    ('business_trip', 'Командировочное удостоверение № %d'),
    ('study', 'Справка учебного заведения № %d'),
    ('hospital', 'Выписка из медицинской карты № %d'),
    ('holiday', 'Справка о временной регистрации по месту пребывания № %d'),
    ('military', 'Справка военного комиссариата № %d'),
    ('other', 'Заявление собственника вх. № %d'),
    ]

# Building types: name, years built, floors, entrances, flats per floor,
# weight.
BUILDING_TYPES = [
    ('сталинка', (1949, 1958), (3, 5), (2, 4), (2, 3), 8),
    ('хрущёвка', (1959, 1970), (5, 5), (2, 6), (4, 4), 25),
    ('панельный 9 эт.', (1968, 1990), (9, 9), (2, 6), (4, 4), 25),
    ('панельный 12-16 эт.', (1976, 1998), (12, 16), (1, 3), (4, 6), 17),
    ('монолитный', (2000, 2023), (14, 25), (1, 3), (4, 8), 20),
    ('малоэтажный', (1950, 2015), (2, 3), (2, 4), (2, 4), 5),
    ]
MIN_PREMISES, MAX_PREMISES = 20, 300

# The services: code, name, kind, method, resource, unit key, sequence.
SERVICES = [
    ('cold_water', 'Холодное водоснабжение', 'utility', 'meter',
        'cold_water', 'm3', 10),
    ('hot_water', 'Горячее водоснабжение', 'utility', 'meter',
        'hot_water', 'm3', 20),
    ('sewage', 'Водоотведение', 'utility', 'meter', 'sewage', 'm3', 30),
    ('electricity', 'Электроснабжение (день/ночь)', 'utility', 'meter',
        'electricity', 'kwh', 40),
    ('heating', 'Отопление', 'utility', 'area', 'heating', 'gcal', 50),
    ('maintenance', 'Содержание жилого помещения', 'maintenance', 'area',
        None, 'm2', 60),
    ('capital_repair', 'Взнос на капитальный ремонт', 'capital_repair',
        'area', None, 'm2', 70),
    ('waste', 'Обращение с ТКО', 'utility', 'normative_person', 'waste',
        'm3', 80),
    ('intercom', 'Домофон', 'agent', 'premises', None, 'unit', 90),
    ]
# Price on 1 July of the first tariff year (₽ per unit), yearly indexation.
TARIFF_PRICES = {
    'cold_water': Decimal('52.66'),
    'hot_water': Decimal('255.30'),
    'sewage': Decimal('43.51'),
    # day, night and the single price of the flats without a zone meter
    'electricity': (Decimal('7.89'), Decimal('3.27'), Decimal('6.43')),
    'heating': Decimal('2847.12'),
    'maintenance': Decimal('38.50'),
    'capital_repair': Decimal('14.27'),
    'waste': Decimal('706.57'),
    'intercom': Decimal('65.00'),
    }
INDEXATION = [Decimal('1.112'), Decimal('1.098'), Decimal('1.117'),
    Decimal('1.09'), Decimal('1.1')]
TARIFF_DOCUMENT = 'Распоряжение Комитета по ценам и тарифам МО № %d-Р'
# Normatives: service, kind, unit key, value before and after the change.
NORMATIVES = [
    ('cold_water', 'person', 'm3', '4.745', '4.910'),
    ('hot_water', 'person', 'm3', '3.400', '3.520'),
    ('sewage', 'person', 'm3', '8.145', '8.430'),
    ('electricity', 'person', 'kwh', '70', '73'),
    ('heating', 'area', 'gcal', '0.016400', '0.016400'),
    ('waste', 'person', 'm3', '0.185833', '0.191667'),
    ('cold_water', 'common_property', 'm3', '0.034700', '0.034700'),
    ('hot_water', 'common_property', 'm3', '0.034700', '0.034700'),
    ('electricity', 'common_property', 'kwh', '1.200000', '1.390000'),
    ('hot_water', 'heat_per_volume', 'gcal', '0.059500', '0.059500'),
    ]
NORMATIVE_DOCUMENT = 'Распоряжение Министерства ЖКХ МО № %d-РВ'

VERIFICATION_YEARS = {'cold_water': 6, 'hot_water': 4, 'electricity': 16,
    'heating': 4}
# Heat used in a month of the heating season, relative to March
HEATING_SEASON = {10: 0.5, 11: 0.9, 12: 1.2, 1: 1.3, 2: 1.2, 3: 1.0, 4: 0.6}


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

def add_months(date, months):
    "The same day months later (the month's last day if it is shorter)."
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1)
        - dt.timedelta(days=1)).day
    return dt.date(year, month, min(date.day, last))


def month_end(date):
    return add_months(date.replace(day=1), 1) - dt.timedelta(days=1)


def default_end(today):
    "The last day of the month before today's."
    return today.replace(day=1) - dt.timedelta(days=1)


def random_date(rng, start, end):
    "A date between start and end, both included."
    days = (end - start).days
    return start + dt.timedelta(days=rng.randint(0, max(days, 0)))


def add_years(date, years):
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return date.replace(year=date.year + years, day=28)


class Window:
    "The months of the dataset: readings, moves and changes happen there."

    def __init__(self, end, months):
        self.end = end
        self.months = [add_months(end.replace(day=1), i - months + 1)
            for i in range(months)]
        self.start = self.months[0]
        self.bounds = [(m, month_end(m), month_end(m).day)
            for m in self.months]
        # Tariff years start on 1 July
        year = self.start.year - (self.start.month < 7)
        self.tariff_starts = []
        while dt.date(year, 7, 1) <= end:
            self.tariff_starts.append(dt.date(year, 7, 1))
            year += 1
        # Normatives change once, in the middle of the window
        self.normative_change = add_months(self.start, months // 2)


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------

def feminine(surname):
    if surname.endswith(('ский', 'цкий')):
        return surname[:-2] + 'ая'
    if surname.endswith(('ов', 'ев', 'ёв', 'ин', 'ын')):
        return surname + 'а'
    return surname


class Person:
    __slots__ = ('name', 'male', 'first', 'party')

    def __init__(self, name, male, first):
        self.name = name
        self.male = male
        self.first = first
        self.party = None


def person(rng, male, surname=None, father=None):
    surname = surname or rng.choice(SURNAMES)
    father = father or rng.choice(MALE_NAMES)
    if male:
        first = rng.choice(MALE_NAMES)
        return Person('%s %s %s' % (surname, first[0], father[1]),
            True, first)
    first = rng.choice(FEMALE_NAMES)
    return Person('%s %s %s' % (feminine(surname), first, father[2]),
        False, None)


def household(rng, size):
    "A family of size persons sharing a surname: adults first."
    surname = rng.choice(SURNAMES)
    head = person(rng, rng.random() < 0.5, surname)
    members = [head]
    father = head.first if head.male else None
    if size >= 2:
        if rng.random() < 0.75:
            spouse = person(rng, not head.male, surname)
            members.append(spouse)
            father = father or spouse.first
        else:
            # A grown-up son or daughter, or a parent
            members.append(person(rng, rng.random() < 0.5, surname))
    while len(members) < size:
        members.append(person(rng, rng.random() < 0.5, surname, father))
    return members


def inn10(prefix9):
    "A legal entity's INN with its check digit."
    weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    check = sum(w * int(d) for w, d in zip(weights, prefix9)) % 11 % 10
    return prefix9 + str(check)


# --------------------------------------------------------------------------
# Bulk writer
# --------------------------------------------------------------------------

# The tables the bulk path writes, in the order of the writes (referenced
# tables first): columns and their types. I: the row's own id, chunk-local
# in the rows; L / l: a not-null / nullable chunk-local reference to the
# table in REFERENCES; P: a party, chunk-local or existing (encoded as
# -1 - id, see existing()); A / i: a not-null / nullable integer written
# as is; s: str, d: date, b: bool, n2 / n3: an int of hundredths /
# thousandths written as a decimal; t: the transaction's timestamp when
# not None.
TABLES = {
    'party_party': (
        'id code code_alnum code_digit name active replaced_by '
        'write_uid write_date',
        'I s s i s b i i t'),
    'party_party_lang': ('id party lang company', 'I L i i'),
    'housing_building': (
        'id company address fias_code gis_code year_built floors entrances '
        'management_start management_end heating_season_start '
        'heating_season_end soi_cap_by_normative soi_negative '
        'hot_water_heat_source',
        'I A s s s i i i d d i i b s s'),
    'housing_building_area': (
        'id building date_from total_area residential_area '
        'non_residential_area common_area document',
        'I L d n2 n2 n2 n2 s'),
    'housing_premises': (
        'id building number entrance floor kind rooms ownership_form',
        'I L s i i s i s'),
    'housing_premises_area': (
        'id premises date_from total_area living_area document',
        'I L d n2 n2 s'),
    'housing_owner': (
        'id premises party share_numerator share_denominator date_from '
        'date_to document_kind document_number document_date',
        'I L P A A d d s s d'),
    'housing_account': (
        'id company number premises opened closed share_numerator '
        'share_denominator',
        'I A s L d d A A'),
    'housing_account_payer': ('id account party date_from', 'I L P d'),
    'housing_resident': (
        'id account party kind registered_from registered_to',
        'I L P s d d'),
    'housing_absence': (
        'id resident date_from date_to reason document', 'I L d d s s'),
    'housing_account_service': (
        'id account service date_from date_to', 'I L A d d'),
    'housing_meter': (
        'id kind service building premises serial_number model zones digits '
        'installation_date installation_value1 installation_value2 '
        'installation_value3 removal_date removal_value1 removal_value2 '
        'removal_value3 verification_due seal_number seal_date',
        'I s A L l s s A A d n3 n3 n3 d n3 n3 n3 d s d'),
    'housing_meter_reading': (
        'id meter date value1 value2 value3 rollover source entered_by '
        'verification_overdue review review_reason write_uid write_date',
        'I L d n3 n3 n3 b s i b s s i t'),
    }
REFERENCES = {
    ('party_party_lang', 'party'): 'party_party',
    ('housing_building_area', 'building'): 'housing_building',
    ('housing_premises', 'building'): 'housing_building',
    ('housing_premises_area', 'premises'): 'housing_premises',
    ('housing_owner', 'premises'): 'housing_premises',
    ('housing_owner', 'party'): 'party_party',
    ('housing_account', 'premises'): 'housing_premises',
    ('housing_account_payer', 'account'): 'housing_account',
    ('housing_account_payer', 'party'): 'party_party',
    ('housing_resident', 'account'): 'housing_account',
    ('housing_resident', 'party'): 'party_party',
    ('housing_absence', 'resident'): 'housing_resident',
    ('housing_account_service', 'account'): 'housing_account',
    ('housing_meter', 'building'): 'housing_building',
    ('housing_meter', 'premises'): 'housing_premises',
    ('housing_meter_reading', 'meter'): 'housing_meter',
    }
TABLE_ORDER = list(TABLES)
MODELS = {
    'party_party': 'party.party',
    'party_party_lang': 'party.party.lang',
    'housing_building': 'housing.building',
    'housing_building_area': 'housing.building.area',
    'housing_premises': 'housing.premises',
    'housing_premises_area': 'housing.premises.area',
    'housing_owner': 'housing.owner',
    'housing_account': 'housing.account',
    'housing_account_payer': 'housing.account.payer',
    'housing_resident': 'housing.resident',
    'housing_absence': 'housing.absence',
    'housing_account_service': 'housing.account.service',
    'housing_meter': 'housing.meter',
    'housing_meter_reading': 'housing.meter.reading',
    }
# What a reading looked like when the ORM inserted it, before set_flags
# wrote the flags (a second history row).
READING_UNFLAGGED = {
    'verification_overdue': False, 'review': None, 'review_reason': None,
    'write_uid': None, 'write_date': None,
    }


def existing(id_):
    "The encoding of an existing record's id in a P column."
    return -1 - id_


def _copy_text(value):
    if ('\\' in value or '\t' in value or '\n' in value
            or '\r' in value):
        value = (value.replace('\\', '\\\\').replace('\t', '\\t')
            .replace('\n', '\\n').replace('\r', '\\r'))
    return value


class _DateText(dict):
    def __missing__(self, date):
        text = self[date] = date.isoformat()
        return text


def _scaled(value, scale):
    integer, fraction = divmod(value, 10 ** scale)
    return '%d.%0*d' % (integer, scale, fraction)


def _decimal(value, scale):
    return Decimal(value).scaleb(-scale)


# The writer threads draw their ids one after the other, so that each
# draw gets consecutive values.
_ALLOCATION = threading.Lock()


class BulkWriter:
    """Writes rows the way Tryton's ModelSQL.create would, in bulk, in the
    current transaction: ids from the tables' sequences, create_uid and
    create_date, the history rows."""

    def __init__(self):
        from trytond import backend
        from trytond.transaction import Transaction
        transaction = Transaction()
        self.database = transaction.database
        self.connection = transaction.connection
        self.backend = backend.name
        self.user = transaction.user
        self.dates = _DateText()
        self.foreign_keys = {}
        self.checks = False
        cursor = self.connection.cursor()
        if self.backend == 'postgresql':
            cursor.execute('SELECT CAST(CURRENT_TIMESTAMP AS TIMESTAMP)')
            self.now, = cursor.fetchone()
        else:
            from sql import Select
            from sql.functions import CurrentTimestamp
            cursor.execute(*Select([CurrentTimestamp()]))
            now, = cursor.fetchone()
            if isinstance(now, str):
                now = dt.datetime.fromisoformat(now)
            self.now = now

    def skip_foreign_key_triggers(self):
        """On PostgreSQL, as a superuser, skip the per-row foreign key
        triggers for this transaction (as pg_restore --disable-triggers
        does); check() then verifies the references of the new rows."""
        if self.backend != 'postgresql':
            return False
        cursor = self.connection.cursor()
        cursor.execute(
            'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute('SET LOCAL session_replication_role = replica')
            self.checks = True
        return self.checks

    # ids ------------------------------------------------------------------
    def allocate(self, table, count):
        """Ids for count new rows of table, from its sequence: an int, the
        first of consecutive ids, or a list."""
        if self.backend == 'postgresql':
            # As database.nextid does, without fetching a row per id when
            # the values are consecutive (they are unless another
            # transaction draws from the sequence at the same time).
            cursor = self.connection.cursor()
            with _ALLOCATION:
                cursor.execute(
                    "SELECT MIN(i), MAX(i), COUNT(*) FROM ("
                    "SELECT nextval(pg_get_serial_sequence("
                    "format(%s, %s::text), 'id')) AS i "
                    "FROM generate_series(1, %s)) AS s",
                    ('%I', table, count))
                low, high, number = cursor.fetchone()
            if high - low + 1 == number == count:
                return low
            ids = self.database.nextid(self.connection, table, count=count)
            return [ids] if count == 1 else ids
        # SQLite: AUTOINCREMENT follows the ids inserted
        cursor = self.connection.cursor()
        cursor.execute(
            'SELECT seq FROM sqlite_sequence WHERE name = ?', (table,))
        row = cursor.fetchone()
        cursor.execute('SELECT MAX(id) FROM "%s"' % table)
        maximum, = cursor.fetchone()
        return max(row[0] if row else 0, maximum or 0) + 1

    @staticmethod
    def ids(mapping, count):
        if isinstance(mapping, int):
            return range(mapping, mapping + count)
        return mapping[:count]

    # rows -----------------------------------------------------------------
    def _converter(self, table, maps):
        """A function of a row with chunk-local ids giving the COPY line
        (PostgreSQL) or the tuple of values (SQLite) of the row."""
        columns, types = TABLES[table]
        text = self.backend == 'postgresql'
        names = {'T': _copy_text, 'D': self.dates, 'S': _scaled,
            'Dec': _decimal, 'NOW': self.now.isoformat(' ') if text
            else self.now, 'USER': str(self.user) if text else self.user}
        parts = []
        for i, (column, type_) in enumerate(
                zip(columns.split(), types.split())):
            value = 'r[%d]' % i
            if type_ in 'ILlP':
                target = (table if type_ == 'I'
                    else REFERENCES[table, column])
                mapping = maps[target]
                key = 'M%d' % i
                names[key] = mapping
                if isinstance(mapping, int):
                    mapped = '(%s + %s)' % (value, key)
                else:
                    mapped = '%s[%s]' % (key, value)
                if type_ == 'P':
                    mapped = '(%s if %s >= 0 else -1 - %s)' % (
                        mapped, value, value)
                value_expr = ('str(%s)' % mapped) if text else mapped
                nullable = type_ == 'l'
            elif type_ in 'Ai':
                value_expr = ('str(%s)' % value) if text else value
                nullable = type_ == 'i'
            elif type_ == 's':
                value_expr = 'T(%s)' % value if text else value
                nullable = True
            elif type_ == 'd':
                value_expr = 'D[%s]' % value if text else value
                nullable = True
            elif type_ == 'b':
                value_expr = ("('t' if %s else 'f')" % value) if text \
                    else value
                nullable = True
            elif type_ in {'n2', 'n3'}:
                value_expr = '%s(%s, %s)' % (
                    'S' if text else 'Dec', value, type_[1])
                nullable = True
            elif type_ == 't':
                value_expr = 'NOW'
                nullable = True
            else:
                raise ValueError(type_)
            if nullable:
                value_expr = '(%s if %s is None else %s)' % (
                    r"r'\N'" if text else 'None', value, value_expr)
            parts.append(value_expr)
        if text:
            source = 'lambda r: "\\t".join((%s, USER, NOW)) + "\\n"' % (
                ', '.join(parts))
        else:
            source = 'lambda r: (%s, USER, NOW)' % ', '.join(parts)
        return eval(source, names)

    def insert(self, table, rows, maps):
        "Insert rows with create_uid and create_date, ids mapped by maps."
        if not rows:
            return
        columns = TABLES[table][0].split() + ['create_uid', 'create_date']
        convert = self._converter(table, maps)
        cursor = self.connection.cursor()
        if self.backend == 'postgresql':
            statement = 'COPY "%s" (%s) FROM STDIN' % (
                table, ', '.join('"%s"' % c for c in columns))
            with cursor.copy(statement) as copy:
                for i in range(0, len(rows), 2000):
                    copy.write(''.join(map(convert, rows[i:i + 2000])))
        else:
            cursor.executemany(
                'INSERT INTO "%s" (%s) VALUES (%s)' % (
                    table, ', '.join('"%s"' % c for c in columns),
                    ', '.join('?' * len(columns))),
                map(convert, rows))

    def _where(self, ids, alias):
        """[(condition, params), ...] selecting the rows of ids: ranges of
        consecutive ids, or an array of them when they are scattered."""
        runs = _runs(ids)
        if len(runs) > 20 and self.backend == 'postgresql':
            return [('%s.id = ANY(%%s)' % alias, [list(ids)])]
        return [(' OR '.join('%s.id BETWEEN %d AND %d' % (alias, low, high)
                    for low, high in group), [])
            for group in _grouped(runs, 200)]

    def history(self, Model, ids, override=None):
        """Copy the records to the history table as _insert_history does;
        override replaces some columns by constants."""
        from trytond.model import fields
        if not Model._history or not len(ids):
            return
        override = override or {}
        columns, hcolumns, params = [], [], []
        placeholder = '%s' if self.backend == 'postgresql' else '?'
        for fname, field in sorted(Model._fields.items()):
            if not field.sql_type() or isinstance(field, fields.Function):
                continue
            if fname in override:
                columns.append(placeholder)
                params.append(override[fname])
            else:
                columns.append('t."%s"' % fname)
            hcolumns.append('"%s"' % fname)
        cursor = self.connection.cursor()
        for where, where_params in self._where(ids, 't'):
            if self.backend != 'postgresql':
                where = where.replace('%s', '?')
            cursor.execute(
                'INSERT INTO "%s__history" (%s) SELECT %s FROM "%s" t '
                'WHERE %s' % (Model._table, ', '.join(hcolumns),
                    ', '.join(columns), Model._table, where),
                params + where_params)

    def check(self, table, ids):
        """Raise if a new row of table refers to a missing record (when
        the foreign key triggers were skipped). The columns filled with
        the user of the transaction are not checked."""
        if not self.checks or not len(ids):
            return
        cursor = self.connection.cursor()
        if table not in self.foreign_keys:
            cursor.execute(
                "SELECT a.attname, c.confrelid::regclass::text, "
                "af.attname "
                "FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid "
                "AND a.attnum = c.conkey[1] "
                "JOIN pg_attribute af ON af.attrelid = c.confrelid "
                "AND af.attnum = c.confkey[1] "
                "WHERE c.contype = 'f' AND c.conrelid = %s::regclass",
                ('"%s"' % table,))
            self.foreign_keys[table] = [
                (column, target, target_column)
                for column, target, target_column in cursor.fetchall()
                if column not in {'create_uid', 'write_uid', 'entered_by'}]
        for where, params in self._where(ids, 'c'):
            for column, target, target_column in self.foreign_keys[table]:
                cursor.execute(
                    'SELECT COUNT(*) FROM "%s" c WHERE (%s) '
                    'AND c."%s" IS NOT NULL AND NOT EXISTS ('
                    'SELECT 1 FROM %s t WHERE t."%s" = c."%s")' % (
                        table, where, column, target, target_column,
                        column), params)
                missing, = cursor.fetchone()
                if missing:
                    raise RuntimeError(
                        '%d rows of %s refer to a missing %s' % (
                            missing, table, target))


def defer_indexes():
    """PostgreSQL: drop the secondary (non-unique) indexes Tryton manages on
    the tables the bulk path fills; restore_indexes() creates them again,
    as trytond-admin --indexes would. Loading then sorting is much cheaper
    than maintaining them row by row."""
    from trytond import backend
    from trytond.pool import Pool
    if backend.name != 'postgresql':
        return False
    pool = Pool()
    for table in TABLE_ORDER:
        Model = pool.get(MODELS[table])
        for history in [False, True] if Model._history else [False]:
            # No index declared: Tryton drops those it manages
            Model.__table_handler__(history=history).set_indexes([])
    return True


def restore_indexes():
    "Create the indexes Tryton declares on the tables of the bulk path."
    from trytond import backend
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    cursor = Transaction().connection.cursor()
    if backend.name == 'postgresql':
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for table in TABLE_ORDER:
        Model = pool.get(MODELS[table])
        # As trytond-admin: with the indexes of the Many2One fields
        Model.__setup_indexes__()
        Model._update_sql_indexes()
    if backend.name == 'postgresql':
        for table in TABLE_ORDER:
            cursor.execute('ANALYZE "%s"' % table)


def _runs(ids):
    "[(low, high), ...] covering the ids exactly."
    if isinstance(ids, range):
        return [(ids.start, ids.stop - 1)]
    ids = sorted(ids)
    runs = []
    low = high = ids[0]
    for id_ in ids[1:]:
        if id_ == high + 1:
            high = id_
        else:
            runs.append((low, high))
            low = high = id_
    runs.append((low, high))
    return runs


def _grouped(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --------------------------------------------------------------------------
# Set-up through the ORM
# --------------------------------------------------------------------------

class Setup:
    "What the ORM part created and the bulk part refers to."

    company = None
    lang = None
    party_lang = None
    services = None  # code -> housing.service id
    service_kinds = None
    uoms = None
    municipality = None
    supplier = None
    jump_factor = None
    user = None


def _get_or_create_party(name, inn, street):
    from trytond.pool import Pool
    Party = Pool().get('party.party')
    parties = Party.search([('name', '=', name)], limit=1)
    if parties:
        return parties[0]
    party, = Party.create([{
                'name': name,
                'identifiers': [('create', [{
                                'type': 'ru_vat', 'code': inn10(inn)}])],
                'addresses': [('create', [{
                                'street': street, 'city': 'Подольск',
                                'postal_code': '142100',
                                }])],
                }])
    return party


def setup(window, admin_password=None):
    """Create (or find again) the company, the users, the services, the
    tariffs and the normatives; return a Setup. Works in the current
    transaction; the user of the transaction becomes a member of the
    company."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool()
    Currency = pool.get('currency.currency')
    Company = pool.get('company.company')
    User = pool.get('res.user')
    Group = pool.get('res.group')
    Lang = pool.get('ir.lang')
    ModelData = pool.get('ir.model.data')
    PartyConfiguration = pool.get('party.configuration')
    Configuration = pool.get('housing.configuration')

    result = Setup()
    lang, = Lang.search([('code', '=', 'ru')])
    if not lang.translatable:
        # trytond-admin --language ru does it, with the translations
        Lang.write([lang], {'translatable': True})
    result.lang = lang.id

    currencies = Currency.search([('code', '=', 'RUB')])
    if currencies:
        rub, = currencies
    else:
        rub, = Currency.create([{
                    'name': 'Российский рубль', 'code': 'RUB',
                    'numeric_code': '643', 'symbol': '₽', 'digits': 2,
                    'rounding': Decimal('0.01'),
                    }])

    party = _get_or_create_party(
        COMPANY_NAME, COMPANY_INN, 'ул. Кирова, д. 5, оф. 12')
    companies = Company.search([('party', '=', party.id)])
    if companies:
        company, = companies
    else:
        company, = Company.create([{
                    'party': party.id, 'currency': rub.id,
                    'timezone': 'Europe/Moscow',
                    }])
    result.company = company.id

    user = User(Transaction().user)
    values = {'language': lang.id, 'company': company.id}
    if company not in user.companies:
        values['companies'] = [('add', [company.id])]
    User.write([user], values)
    if admin_password:
        admin, = User.search([('login', '=', 'admin')])
        admin.password = admin_password
        admin.save()

    for login, name, group in [
            ('accountant', 'Бухгалтер Смирнова Ольга Петровна',
                'group_housing_accountant'),
            ('auditor', 'Ревизор Волков Андрей Сергеевич',
                'group_housing_auditor'),
            ]:
        if User.search([('login', '=', login)]):
            continue
        group = Group(ModelData.get_id('housing_billing', group))
        new_user, = User.create([{
                    'login': login, 'name': name, 'language': lang.id,
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'groups': [('add', [group.id])],
                    }])
        # The demo password equals the login, which validate_password
        # refuses: store its hash as set_password would.
        User.write([new_user], {
                'password_hash': User.hash_password(login)})

    with Transaction().set_context(company=company.id, language='ru'):
        config = PartyConfiguration(1)
        if not config.party_lang:
            config.party_lang = lang
            config.save()
        result.party_lang = lang.id
        result.uoms = _setup_uoms()
        result.supplier = _get_or_create_party(
            SUPPLIER_NAME, SUPPLIER_INN, 'ул. Ленина, д. 101').id
        result.municipality = _get_or_create_party(
            MUNICIPALITY_NAME, MUNICIPALITY_INN, 'ул. Кирова, д. 4').id
        result.services = _setup_services(company, result)
        _setup_tariffs(company, result, window)
        _setup_normatives(company, result, window)
        result.jump_factor = Configuration(1).implausible_jump_factor
    return result


def _setup_uoms():
    from trytond.pool import Pool
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    Uom = pool.get('product.uom')
    uoms = {
        'm3': ModelData.get_id('product', 'uom_cubic_meter'),
        'kwh': ModelData.get_id('product', 'uom_energy_kwh'),
        'm2': ModelData.get_id('product', 'uom_square_meter'),
        'unit': ModelData.get_id('product', 'uom_unit'),
        }
    gcal = Uom.search([('symbol', '=', 'Гкал')])
    if not gcal:
        factor = 4186800000.0
        gcal = Uom.create([{
                    'name': 'Гигакалория', 'symbol': 'Гкал',
                    'category': ModelData.get_id('product', 'uom_cat_energy'),
                    'factor': factor, 'rate': round(1 / factor, 12),
                    'rounding': 0.000001, 'digits': 6,
                    }])
    uoms['gcal'] = gcal[0].id
    return uoms


def _setup_services(company, result):
    from trytond.pool import Pool
    pool = Pool()
    Service = pool.get('housing.service')
    Template = pool.get('product.template')
    services = {s.code: s.id for s in Service.search([
                ('company', '=', company.id)])}
    result.service_kinds = {}
    for code, name, kind, method, resource, unit, sequence in SERVICES:
        result.service_kinds[code] = (kind, method)
        if code in services:
            continue
        template, = Template.create([{
                    'name': name, 'type': 'service',
                    'default_uom': result.uoms[unit],
                    'products': [('create', [{}])],
                    }])
        service, = Service.create([{
                    'company': company.id, 'name': name, 'code': code,
                    'product': template.products[0].id,
                    'unit': result.uoms[unit], 'kind': kind,
                    'method': method, 'resource': resource,
                    'supplier': result.supplier if kind == 'agent' else None,
                    'sequence': sequence,
                    }])
        services[code] = service.id
    return services


def _tariff_rates(code, factor):
    price = TARIFF_PRICES[code]
    if isinstance(price, tuple):
        day, night, single = (
            (p * factor).quantize(Decimal('0.01')) for p in price)
        return 'zones', [
            {'zone': 'day', 'price': day}, {'zone': 'night', 'price': night},
            {'zone': None, 'price': single}]
    return 'flat', [{'price': (price * factor).quantize(Decimal('0.01'))}]


def _setup_tariffs(company, result, window):
    "Company-level tariffs, one per tariff year (indexation on 1 July)."
    from trytond.pool import Pool
    Tariff = Pool().get('housing.tariff')
    if Tariff.search([('company', '=', company.id)], limit=1):
        return
    vlist = []
    for code, _, *_ in SERVICES:
        factor = Decimal(1)
        starts = window.tariff_starts
        for i, start in enumerate(starts):
            if i:
                factor *= INDEXATION[(i - 1) % len(INDEXATION)]
            structure, rates = _tariff_rates(code, factor)
            vlist.append({
                    'company': company.id,
                    'service': result.services[code],
                    'date_from': start,
                    'date_to': (starts[i + 1] - dt.timedelta(days=1)
                        if i + 1 < len(starts) else None),
                    'structure': structure,
                    'rates': [('create', rates)],
                    'document': TARIFF_DOCUMENT % (
                        300 + 17 * i + len(vlist)),
                    })
    Tariff.create(vlist)


def _setup_normatives(company, result, window):
    "Normatives in force before and after a change inside the window."
    from trytond.pool import Pool
    Normative = Pool().get('housing.normative')
    if Normative.search([('company', '=', company.id)], limit=1):
        return
    vlist = []
    change = window.normative_change
    for i, (code, kind, unit, before, after) in enumerate(NORMATIVES):
        periods = [(dt.date(2017, 1, 1), None, before)]
        if before != after:
            periods = [
                (dt.date(2017, 1, 1), change - dt.timedelta(days=1), before),
                (change, None, after)]
        for date_from, date_to, value in periods:
            vlist.append({
                    'company': company.id,
                    'service': result.services[code],
                    'kind': kind, 'value': Decimal(value),
                    'unit': result.uoms[unit],
                    'date_from': date_from, 'date_to': date_to,
                    'document': NORMATIVE_DOCUMENT % (
                        (48 if date_from.year == 2017 else 112) + i),
                    })
    Normative.create(vlist)


def setup_building_specifics(setup_, window, building):
    """A building-level override of the maintenance tariff (the owners'
    meeting voted a higher one) and a building's own normative of
    electricity for common property (lifts)."""
    from trytond.pool import Pool
    pool = Pool()
    Tariff = pool.get('housing.tariff')
    Normative = pool.get('housing.normative')
    maintenance = setup_.services['maintenance']
    if not Tariff.search([('building', '=', building)], limit=1):
        vlist = []
        starts = window.tariff_starts
        price = Decimal('44.90')
        for i, start in enumerate(starts):
            if i:
                price = (price * Decimal('1.085')).quantize(Decimal('0.01'))
            vlist.append({
                    'company': setup_.company, 'service': maintenance,
                    'building': building, 'date_from': start,
                    'date_to': (starts[i + 1] - dt.timedelta(days=1)
                        if i + 1 < len(starts) else None),
                    'structure': 'flat',
                    'rates': [('create', [{'price': price}])],
                    'document': 'Протокол общего собрания собственников '
                    '№ %d от %s' % (i + 1, (start - dt.timedelta(
                                days=40)).strftime('%d.%m.%Y')),
                    })
        Tariff.create(vlist)
    if not Normative.search([('building', '=', building)], limit=1):
        Normative.create([{
                    'company': setup_.company,
                    'service': setup_.services['electricity'],
                    'kind': 'common_property', 'building': building,
                    'value': Decimal('2.150000'),
                    'unit': setup_.uoms['kwh'],
                    'date_from': dt.date(2017, 1, 1),
                    'document': NORMATIVE_DOCUMENT % 77,
                    }])


# --------------------------------------------------------------------------
# Plan: how many buildings, of which size
# --------------------------------------------------------------------------

class BuildingPlan:
    __slots__ = ('index', 'type', 'year', 'floors', 'entrances',
        'per_floor', 'premises', 'accounts', 'commercial_ground',
        'living_floors')

    def __init__(self, index, type_, year, floors, entrances, per_floor,
            premises, commercial_ground):
        self.index = index
        self.type = type_
        self.year = year
        self.floors = floors
        self.entrances = entrances
        self.per_floor = per_floor
        # [(kind, split), ...]: split premises have two accounts
        self.premises = premises
        self.commercial_ground = commercial_ground
        self.living_floors = floors - commercial_ground
        self.accounts = sum(2 if s else 1 for _, s in premises)

    def trim(self, accounts):
        "Keep the first premises that make up exactly accounts accounts."
        kept, count = [], 0
        for kind, split in self.premises:
            if count >= accounts:
                break
            if split and count + 2 > accounts:
                split = False
            kept.append((kind, split))
            count += 2 if split else 1
        self.premises = kept
        self.accounts = count


def plan_building(seed, index):
    rng = Random('%s:plan:%s' % (seed, index))
    weights = [t[-1] for t in BUILDING_TYPES]
    type_ = rng.choices(BUILDING_TYPES, weights)[0]
    if index == 0:
        type_ = BUILDING_TYPES[2]  # a common panel building
    name, years, floors, entrances, per_floor, _ = type_
    year = rng.randint(*years)
    floors = rng.randint(*floors)
    entrances = rng.randint(*entrances)
    per_floor = rng.randint(*per_floor)
    commercial_ground = (floors >= 9 and year >= 1995
        and rng.random() < 0.5)
    living_floors = floors - commercial_ground
    while entrances > 1 and living_floors * entrances * per_floor > 280:
        entrances -= 1
    while living_floors * entrances * per_floor > 280:
        living_floors -= 1
    floors = living_floors + commercial_ground
    while living_floors * entrances * per_floor < MIN_PREMISES:
        entrances += 1
    flats = living_floors * entrances * per_floor
    non_residential = 0
    if commercial_ground:
        non_residential = rng.randint(2, 2 + entrances * 2)
    elif rng.random() < 0.15 or index == 0:
        non_residential = rng.randint(1, 2)
    parking = 0
    if year >= 2005 and floors >= 14 and rng.random() < 0.6:
        parking = rng.randint(10, 40)
    elif index == 0:
        parking = 3
    parking = max(0, min(parking, MAX_PREMISES - flats - non_residential))
    premises = []
    for i in range(flats):
        split = rng.random() < 0.012 or (index == 0 and i == 1)
        premises.append(('apartment', split))
    if index == 0:
        # Keep a non-residential premises and a parking space among the
        # first ones, so that even a small run has one of each.
        premises.insert(12, ('non_residential', False))
        premises.insert(14, ('parking', False))
        non_residential -= 1
        parking -= 1
    premises.extend(('non_residential', False)
        for _ in range(max(non_residential, 0)))
    premises.extend(('parking', False) for _ in range(max(parking, 0)))
    return BuildingPlan(index, name, year, floors, entrances, per_floor,
        premises, commercial_ground)


def plan(accounts, seed):
    "The buildings holding exactly accounts personal accounts."
    plans, total, index = [], 0, 0
    while total < accounts:
        building = plan_building(seed, index)
        if total + building.accounts > accounts:
            building.trim(accounts - total)
        plans.append(building)
        total += building.accounts
        index += 1
    return plans


# --------------------------------------------------------------------------
# One building, in rows
# --------------------------------------------------------------------------

class Occupancy:
    "Persons present per month of the window, for the consumption."

    def __init__(self, window):
        self.bounds = window.bounds
        self.persons = [0.0] * len(window.months)

    def add(self, date_from, date_to, absences=()):
        persons = self.persons
        for i, (first, last, length) in enumerate(self.bounds):
            if date_from > last or (date_to and date_to < first):
                continue
            days = _overlap(date_from, date_to, first, last)
            for start, end in absences:
                # Away from the day after the departure to the day before
                # the arrival (Decree 354 para 90)
                start += dt.timedelta(days=1)
                end -= dt.timedelta(days=1)
                if start <= end:
                    days -= _overlap(
                        max(start, date_from), min(end, date_to or end),
                        first, last)
            if days > 0:
                persons[i] += days / length


def _overlap(start, end, first, last):
    start = max(start, first)
    end = min(end or last, last)
    return max((end - start).days + 1, 0)


class Point:
    "A point of measurement: a premises' riser of a service, or a building."

    __slots__ = ('service', 'zones', 'digits', 'rates', 'long_rate',
        'night_share', 'unit')

    def __init__(self, service, zones, digits, rates, long_rate,
            night_share=0.0, unit=1):
        self.service = service
        self.zones = zones
        self.digits = digits
        self.rates = rates  # milli-units per day, per month of the window
        self.long_rate = long_rate  # before the window
        self.night_share = night_share
        self.unit = unit  # readings are multiples of unit milli-units


class BuildingGenerator:
    """Builds the rows of one building: premises, owners, accounts,
    residents, services, meters and readings."""

    def __init__(self, gen, plan_):
        self.gen = gen
        self.setup = gen.setup
        self.window = gen.window
        self.rows = gen.rows
        self.plan = plan_
        self.index = plan_.index
        self.rng = Random('%s:building:%s' % (gen.seed, plan_.index))
        self.forced = plan_.index == 0
        self.stats = gen.stats
        self.people = []

    # helpers --------------------------------------------------------------
    def new_id(self, table):
        return self.gen.new_id(table)

    def party(self, name):
        party_id = self.new_id('party_party')
        self.gen.party_names.append(name)
        return party_id

    def person_party(self, person_):
        if person_.party is None:
            person_.party = self.party(person_.name)
            self.people.append(person_)
        return person_.party

    # building -------------------------------------------------------------
    def run(self):
        rng, window, plan_ = self.rng, self.window, self.plan
        index = self.index
        streets = len(STREETS)
        street = STREETS[index % streets]
        number = index // streets + 1
        address = '%s, %s, %s, д. %d' % (
            POSTAL_CODES[index % len(POSTAL_CODES)], CITY, street, number)
        if rng.random() < 0.15:
            address += ', корп. %d' % rng.randint(1, 3)
        self.address = address
        self.fias = fias_code(self.gen.seed, index)
        year = plan_.year
        new_building = (not self.forced and year >= window.start.year - 1
            and rng.random() < 0.5
            and add_months(window.start, 2) < add_months(window.end, -5))
        if new_building:
            start = add_months(window.start, 1)
            self.management_start = add_months(
                start, rng.randint(0, max(_months_between(
                            start, add_months(window.end, -5)), 0)))
        else:
            earliest = max(dt.date(2008, 1, 1), dt.date(year + 1, 1, 1))
            latest = add_months(window.start, -6)
            if earliest > latest:
                earliest = latest
            self.management_start = random_date(
                rng, earliest, latest).replace(day=1)
        self.new_building = new_building
        building_id = self.building_id = self.new_id('housing_building')
        self.gen.buildings.append((index, building_id))
        self.rows['housing_building'].append((
                building_id, self.setup.company, address, self.fias,
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                year, plan_.floors, plan_.entrances,
                self.management_start, None,
                # The building settings at Tryton's defaults.
                10, 5, True, 'carry_forward', 'normative'))
        self.intercom = rng.random() < 0.8 or self.forced
        self.premises = []
        self.flat_number = 0
        self.nonres_number = 0
        self.parking_number = 0
        self.account_number = 0
        # per service code: per-month sum of individual daily rates
        self.building_rates = defaultdict(
            lambda: [0.0] * len(window.months))
        for position, (kind, split) in enumerate(plan_.premises):
            self.make_premises(position, kind, split)
        self.make_areas()
        self.make_common_meters()

    def make_areas(self):
        "Building areas in force from the start, and after a re-survey."
        rng = self.rng
        dates = sorted({d for p in self.premises for d, _ in p['areas']})
        common_share = rng.uniform(0.12, 0.2)
        for date in dates:
            residential = non_residential = 0
            for p in self.premises:
                area = max((a for a in p['areas'] if a[0] <= date),
                    default=None)
                if area is None:
                    continue
                if p['kind'] in {'apartment', 'room'}:
                    residential += area[1]
                else:
                    non_residential += area[1]
            total = residential + non_residential
            self.rows['housing_building_area'].append((
                    self.new_id('housing_building_area'), self.building_id,
                    date, total, residential, non_residential,
                    int(total * common_share),
                    'Технический паспорт ГУП МО «МОБТИ» от %s' % (
                        date.strftime('%d.%m.%Y'))
                    if date == dates[0] else
                    'Выписка из ЕГРН от %s' % date.strftime('%d.%m.%Y')))
        self.total_area = total

    # premises -------------------------------------------------------------
    def make_premises(self, position, kind, split):
        rng, plan_ = self.rng, self.plan
        premises_id = self.new_id('housing_premises')
        rooms = entrance = floor = None
        living = None
        if kind == 'apartment':
            self.flat_number += 1
            number = str(self.flat_number)
            flats_per_entrance = plan_.living_floors * plan_.per_floor
            entrance = min((self.flat_number - 1) // max(
                    flats_per_entrance, 1) + 1, plan_.entrances)
            in_entrance = (self.flat_number - 1) % max(flats_per_entrance, 1)
            floor = in_entrance // plan_.per_floor + 1 + (
                plan_.commercial_ground)
            layout = [1, 2, 2, 3, 1, 2, 3, 4][
                in_entrance % plan_.per_floor % 8]
            rooms = max(1, min(4, layout + (rng.random() < 0.1)))
            base = {1: (30, 40), 2: (42, 58), 3: (56, 80), 4: (75, 110)}[rooms]
            if plan_.year < 1971:
                base = (base[0] - 2, base[1] - 8)
            area = rng.randint(base[0] * 100, base[1] * 100)
            living = int(area * rng.uniform(0.5, 0.68))
        elif kind == 'non_residential':
            self.nonres_number += 1
            number = 'Н%d' % self.nonres_number
            floor = 1
            area = rng.randint(4000, 25000)
        else:
            self.parking_number += 1
            number = 'ММ%d' % self.parking_number
            floor = -1
            area = rng.randint(1300, 1800)
        form = 'private'
        municipal = (kind == 'apartment'
            and (rng.random() < 0.04 or (self.forced and position == 8)))
        if municipal:
            form = 'municipal'
        self.rows['housing_premises'].append((
                premises_id, self.building_id, number, entrance, floor,
                kind, rooms, form))
        start = self.management_start
        areas = [(start, area)]
        # A re-survey (перепланировка) inside the window
        if kind == 'apartment' and (rng.random() < 0.004 or (
                    self.forced and position == 10)):
            date = random_date(rng, add_months(self.window.start, 2),
                add_months(self.window.end, -2)).replace(day=1)
            if date > start:
                areas.append((date, area + rng.randint(-150, 250)))
        for date, total in areas:
            self.rows['housing_premises_area'].append((
                    self.new_id('housing_premises_area'), premises_id, date,
                    total,
                    min(living, total) if living is not None else None,
                    'Выписка из ЕГРН от %s' % date.strftime('%d.%m.%Y')))
        premises = {'id': premises_id, 'kind': kind, 'areas': areas,
            'position': position}
        self.premises.append(premises)
        occupancy = Occupancy(self.window)
        if kind == 'apartment':
            self.make_apartment(premises, position, split, municipal,
                occupancy)
        else:
            self.make_other(premises, kind)
        self.make_meters(premises, position, occupancy)

    def owner_since(self):
        "When an owner got the premises in hand."
        rng = self.rng
        if self.new_building:
            return self.management_start + dt.timedelta(
                days=rng.randint(0, 20))
        earliest = max(dt.date(1993, 1, 1),
            dt.date(self.plan.year + 1, 3, 1))
        latest = self.management_start - dt.timedelta(days=1)
        if earliest > latest:
            earliest = latest - dt.timedelta(days=30)
        return random_date(rng, earliest, latest)

    def add_owner(self, premises, party, numerator, denominator, date_from,
            date_to=None):
        rng = self.rng
        if date_from.year >= 2017:
            kind = 'egrn'
            number = '50:55:%07d:%d-50/%03d/%d-%d' % (
                rng.randint(10000, 99999), rng.randint(100, 9999),
                rng.randint(1, 60), date_from.year, rng.randint(1, 9))
        elif date_from.year >= 2000:
            kind = rng.choice(['certificate', 'certificate', 'inheritance'])
            number = '50-%s %06d' % (rng.choice(['АБ', 'АГ', 'АД', 'НВ']),
                rng.randint(0, 999999))
        else:
            kind = 'contract'
            number = 'Договор передачи № %d' % rng.randint(100, 9999)
        self.rows['housing_owner'].append((
                self.new_id('housing_owner'), premises['id'], party,
                numerator, denominator, date_from, date_to, kind, number,
                date_from))

    def add_account(self, premises, opened, numerator=1, denominator=1,
            closed=None):
        self.account_number += 1
        account_id = self.new_id('housing_account')
        number = '50%04d%04d' % (self.index + 1, self.account_number)
        self.rows['housing_account'].append((
                account_id, self.setup.company, number, premises['id'],
                opened, closed, numerator, denominator))
        return account_id

    def add_payer(self, account, party, date_from):
        self.rows['housing_account_payer'].append((
                self.new_id('housing_account_payer'), account, party,
                date_from))

    def add_services(self, account, kind, opened):
        rng, window = self.rng, self.window
        if kind == 'apartment':
            codes = ['cold_water', 'hot_water', 'sewage', 'electricity',
                'heating', 'maintenance', 'capital_repair', 'waste']
            if self.intercom:
                codes.append('intercom')
        elif kind == 'non_residential':
            codes = ['cold_water', 'sewage', 'electricity', 'heating',
                'maintenance', 'capital_repair']
        else:
            codes = ['maintenance', 'capital_repair']
        for code in codes:
            periods = [(opened, None)]
            if code == 'intercom' and (rng.random() < 0.02 or (
                        self.forced and self.account_number == 4)):
                # The owner gave up the intercom, some came back to it
                stop = random_date(rng, add_months(window.start, 1),
                    add_months(window.end, -3))
                if stop > opened:
                    periods = [(opened, stop)]
                    if rng.random() < 0.5 or self.forced:
                        periods.append(
                            (stop + dt.timedelta(days=rng.randint(30, 60)),
                                None))
            for date_from, date_to in periods:
                self.rows['housing_account_service'].append((
                        self.new_id('housing_account_service'), account,
                        self.setup.services[code], date_from, date_to))

    def add_resident(self, account, party, date_from, date_to=None,
            kind='permanent', occupancy=None, absent=False):
        resident = self.new_id('housing_resident')
        self.rows['housing_resident'].append((
                resident, account, party, kind, date_from, date_to))
        absences = []
        if absent or self.rng.random() < 0.02:
            absences = self.make_absences(resident, date_from, date_to)
        if occupancy is not None:
            occupancy.add(date_from, date_to, absences)

    def make_absences(self, resident, registered_from, registered_to):
        rng, window = self.rng, self.window
        first = max(registered_from, window.start)
        last = min(registered_to or window.end, window.end)
        absences = []
        for _ in range(rng.choice([1, 1, 1, 2])):
            if (last - first).days < 20:
                break
            # From the departure to the arrival, both days at home
            start = random_date(rng, first, last - dt.timedelta(days=15))
            end = min(start + dt.timedelta(days=rng.randint(14, 120)), last)
            reason, document = rng.choice(ABSENCE_REASONS)
            self.rows['housing_absence'].append((
                    self.new_id('housing_absence'), resident, start, end,
                    reason, document % rng.randint(10, 9999)))
            absences.append((start, end))
            first = end + dt.timedelta(days=rng.randint(10, 60))
        return absences

    def registered_since(self, owned_since):
        rng = self.rng
        if self.new_building:
            return owned_since + dt.timedelta(days=rng.randint(10, 120))
        return random_date(rng, owned_since,
            max(owned_since, self.window.start - dt.timedelta(days=1)))

    def make_apartment(self, premises, position, split, municipal,
            occupancy):
        rng, window = self.rng, self.window
        forced = self.forced
        size = rng.choices([1, 2, 3, 4, 5], [25, 35, 22, 13, 5])[0]
        if forced and position == 0:
            size = max(size, 2)
        since = self.owner_since()
        opened = max(self.management_start, since)
        family = household(rng, max(size, 2 if split else 1))
        if split:
            # Two owners of 1/2 each with an account each (раздел
            # лицевых счетов): the second is a relative living apart from
            # the first one's household.
            first, second = family[0], person(rng, rng.random() < 0.5)
            for owner in (first, second):
                party = self.person_party(owner)
                self.add_owner(premises, party, 1, 2, since)
                account = self.add_account(premises, opened, 1, 2)
                self.add_payer(account, party, opened)
                self.add_services(account, 'apartment', opened)
                members = [owner] if owner is second else family[:1] + [
                    m for m in family[1:] if m is not second]
                for member in members:
                    self.add_resident(account, self.person_party(member),
                        self.registered_since(since), occupancy=occupancy)
            self.stats['split'] += 1
            return
        account = self.add_account(premises, opened)
        self.add_services(account, 'apartment', opened)
        rented = not municipal and rng.random() < 0.08
        sold = (not municipal and not self.new_building
            and (rng.random() < 0.02 or (forced and position == 3)))
        sale = None
        if sold:
            sale = random_date(rng, add_months(window.start, 2),
                add_months(window.end, -2))
        two_owners = (not municipal and size >= 2
            and (rng.random() < 0.08 or (forced and position == 0)))
        if municipal:
            self.add_owner(premises, existing(self.setup.municipality),
                1, 1, since)
            # The tenant (наниматель) pays
            payer = self.person_party(family[0])
        elif rented:
            landlord = person(rng, rng.random() < 0.5)
            payer = self.person_party(landlord)
            self.add_owner(premises, payer, 1, 1, since,
                sale - dt.timedelta(days=1) if sale else None)
        elif two_owners:
            payer = self.person_party(family[0])
            for member in family[:2]:
                self.add_owner(premises, self.person_party(member), 1, 2,
                    since, sale - dt.timedelta(days=1) if sale else None)
            self.stats['two_owners'] += 1
        else:
            payer = self.person_party(family[0])
            self.add_owner(premises, payer, 1, 1, since,
                sale - dt.timedelta(days=1) if sale else None)
        self.add_payer(account, payer, opened)
        if rented:
            self.make_tenants(account, family, sale, occupancy)
            family = []
        # Residents
        for i, member in enumerate(family):
            registered = self.registered_since(since)
            left = None
            kind = 'permanent'
            if not self.new_building and i and rng.random() < 0.04:
                # A child born, or a relative moved in, in the window
                registered = random_date(rng, window.start,
                    add_months(window.end, -1))
            if sale:
                if registered >= sale:
                    continue
                left = sale - dt.timedelta(days=1)
            elif (not rented and not self.new_building and left is None
                    and i and rng.random() < 0.025):
                left = random_date(rng, max(registered, window.start)
                    + dt.timedelta(days=30), window.end)
            self.add_resident(account, self.person_party(member),
                registered, left, kind, occupancy,
                absent=forced and position == 4 and i == 0)
        if not sale and not rented and (
                rng.random() < 0.03 or (forced and position == 5)):
            # A temporary registration (a relative, a student)
            guest = person(rng, rng.random() < 0.5)
            start = random_date(rng, add_months(window.start, -3),
                add_months(window.end, -2))
            self.add_resident(account, self.person_party(guest), start,
                start + dt.timedelta(days=rng.randint(90, 365)),
                'temporary', occupancy)
        if sale:
            # The new owners: a new payer from the sale, a new family
            buyers = household(rng, rng.choices([1, 2, 3, 4],
                    [25, 35, 25, 15])[0])
            buyer = self.person_party(buyers[0])
            self.add_owner(premises, buyer, 1, 1, sale)
            self.add_payer(account, buyer, sale)
            for member in buyers:
                self.add_resident(account, self.person_party(member),
                    sale + dt.timedelta(days=rng.randint(0, 60)),
                    occupancy=occupancy)
            self.stats['sold'] += 1

    def make_tenants(self, account, family, sale, occupancy):
        """Tenants of a rented flat: temporary registrations renewed for
        6 to 12 months, from time to time a new family."""
        rng, window = self.rng, self.window
        start = window.start - dt.timedelta(days=rng.randint(0, 300))
        if self.new_building:
            start = self.management_start + dt.timedelta(
                days=rng.randint(20, 90))
        end = sale - dt.timedelta(days=1) if sale else window.end
        while start <= end:
            stop = start + dt.timedelta(days=rng.randint(180, 365))
            if sale and stop >= sale:
                stop = sale - dt.timedelta(days=1)
            for member in family:
                self.add_resident(account, self.person_party(member),
                    start, stop, 'temporary', occupancy)
            start = stop + dt.timedelta(days=1)
            if rng.random() < 0.3:
                # Another family moves in after a few weeks
                family = household(rng, rng.choices([1, 2, 3, 4],
                        [30, 40, 20, 10])[0])
                start += dt.timedelta(days=rng.randint(7, 45))

    def make_other(self, premises, kind):
        rng = self.rng
        since = self.owner_since()
        opened = max(self.management_start, since)
        if kind == 'non_residential':
            form = rng.choice(COMPANY_FORMS)
            if form == 'ИП':
                owner_name = 'ИП ' + person(rng, rng.random() < 0.5).name
            else:
                owner_name = '%s «%s»' % (form, rng.choice(COMPANY_WORDS))
            party = self.party(owner_name)
        else:
            # Often the owner of a flat of the building
            if self.people and rng.random() < 0.7:
                party = rng.choice(self.people).party
            else:
                party = self.person_party(person(rng, rng.random() < 0.7))
        self.add_owner(premises, party, 1, 1, since)
        account = self.add_account(premises, opened)
        self.add_payer(account, party, opened)
        self.add_services(account, kind, opened)

    # meters ---------------------------------------------------------------
    def make_meters(self, premises, position, occupancy):
        rng, window = self.rng, self.window
        kind = premises['kind']
        if kind == 'parking':
            return
        persons = occupancy.persons
        months = window.months
        season_water = [0.85 if m.month in {7, 8} else 1.0 for m in months]
        season_power = [1.2 if m.month in {11, 12, 1, 2} else (
                0.8 if m.month in {6, 7, 8} else 1.0) for m in months]
        points = []
        if kind == 'apartment':
            risers = 2 if (self.plan.year < 1990 and rng.random() < 0.15
                ) else 1
            if rng.random() < 0.95 or self.forced:
                cold = rng.uniform(95, 140) / risers
                hot = rng.uniform(65, 100) / risers
                for _ in range(risers):
                    points.append(Point('cold_water', 1, 5, [
                                (cold * max(p, 0.0) + 8) * s
                                for p, s in zip(persons, season_water)],
                            cold * 2.2 + 8))
                    points.append(Point('hot_water', 1, 5, [
                                (hot * max(p, 0.0) + 5) * s
                                for p, s in zip(persons, season_water)],
                            hot * 2.2 + 5))
            if rng.random() < 0.97 or self.forced:
                base = rng.uniform(2000, 3500)
                each = rng.uniform(900, 1600)
                points.append(Point('electricity', 2, 8, [
                            (base + each * p) * s if p > 0 else 400
                            for p, s in zip(persons, season_power)],
                        base + each * 2.2, rng.uniform(0.25, 0.4), 100))
        else:
            use = rng.uniform(300, 2500)
            power = rng.uniform(8000, 40000)
            points.append(Point('cold_water', 1, 5,
                    [use * s for s in season_water], use))
            points.append(Point('electricity', 2, 8,
                    [power * s for s in season_power], power,
                    rng.uniform(0.15, 0.3), 100))
        if not points:
            return
        # One resident submits all the readings of the premises the same
        # day; a few months are missed.
        dates = []
        for month in months:
            date = month.replace(day=rng.randint(15, 25))
            if date > window.end or rng.random() < 0.03:
                continue
            dates.append(date)
        if not dates:
            return
        for number, point in enumerate(points):
            for i, rate in enumerate(point.rates):
                self.building_rates[point.service][i] += rate
            features = set()
            if self.forced:
                # The features a small run must show, in the first flats
                wanted = {
                    (6, 'cold_water'): 'rollover',
                    (5, 'cold_water'): 'replaced',
                    (7, 'hot_water'): 'jump',
                    (9, 'electricity'): 'overdue',
                    (11, 'hot_water'): 'overdue',
                    }
                feature = wanted.get((position, point.service))
                if feature:
                    features.add(feature)
            elif point.zones == 1 and rng.random() < 0.001:
                # An old counter near its end
                features.add('rollover')
            self.make_point_meters(premises, point, dates, features)

    def install_date(self, service):
        rng = self.rng
        if self.new_building:
            return self.management_start - dt.timedelta(
                days=rng.randint(0, 60))
        latest = self.window.start - dt.timedelta(days=20)
        earliest = max(dt.date(self.plan.year + 1, 1, 1),
            dt.date(2008 if service == 'electricity' else 2012, 1, 1))
        if earliest > latest:
            earliest = latest - dt.timedelta(days=365)
        return random_date(rng, earliest, latest)

    def verification(self, service, installed, overdue):
        """The next verification: after the window, as the meter was
        verified in time, or inside it for an overdue meter."""
        rng, window = self.rng, self.window
        years = VERIFICATION_YEARS[service]
        if overdue:
            due = random_date(rng, add_months(window.start, 3),
                add_months(window.end, -4))
            return max(due, installed + dt.timedelta(days=200))
        due = add_years(installed, years)
        while due <= window.end:
            due = add_years(due, years)
        return due

    def serial(self, service):
        rng = self.rng
        if service == 'electricity':
            return '%012d' % rng.randrange(10 ** 11, 10 ** 12)
        return '%02d%06d' % (rng.randint(12, 25), rng.randrange(10 ** 6))

    def model(self, service):
        return self.rng.choice({
                'cold_water': WATER_MODELS, 'hot_water': HOT_WATER_MODELS,
                'electricity': ELECTRICITY_MODELS}[service])

    def make_point_meters(self, premises, point, dates, features):
        """The meters of a point (one, or a removed one and its
        replacement) and their readings."""
        rng, window = self.rng, self.window
        installed = self.install_date(point.service)
        dates = [d for d in dates if d > installed]
        if not dates:
            return
        consumption = point_consumption(rng, point, installed, dates,
            window, jump='jump' in features)
        overdue = 'overdue' in features or (
            rng.random() < 0.04 and not features)
        due = self.verification(point.service, installed, overdue)
        removal = None
        if 'replaced' in features:
            removal = random_date(rng, add_months(window.start, 4),
                add_months(window.end, -4))
        elif 'rollover' not in features and rng.random() < 0.01:
            removal = random_date(rng, add_months(window.start, 1),
                add_months(window.end, -2))
        elif overdue and rng.random() < 0.4:
            removal = due + dt.timedelta(days=rng.randint(20, 150))
            if removal > window.end - dt.timedelta(days=20):
                removal = None
        if removal is not None and removal <= installed:
            removal = None
        capacity = 10 ** point.digits * 1000
        zones = point.zones
        k = len(dates) // 2
        if ('rollover' in features and k >= 1
                and consumption[k][0] - consumption[k - 1][0] >= 2):
            # The counter passes 99999.999 in the middle of the window: it
            # came with a high reading.
            cum = consumption[k][0]
            last = consumption[k][0] - consumption[k - 1][0]
            start = [capacity - cum + rng.randint(1, last - 1)]
            self.stats['rollover_planned'] += 1
        else:
            start = [rng.randint(0, 90) for _ in range(zones)]
            if point.service == 'electricity':
                start = [rng.randint(0, 50) * 100 for _ in range(zones)]
        old = self.add_meter(premises, point, installed, start, due)
        if removal is None:
            self.add_readings(old, point, installed, start, due, dates,
                consumption, 0, len(dates), [0] * zones)
            return
        split = sum(1 for d in dates if d <= removal)
        at_removal = interpolate(installed, dates, consumption, removal)
        removal_values = [s + c for s, c in zip(start, at_removal)]
        self.rows['housing_meter'][-1] = self.rows['housing_meter'][-1][
            :13] + (removal, *(removal_values + [None] * (3 - zones)),
            ) + self.rows['housing_meter'][-1][17:]
        self.add_readings(old, point, installed, start, due, dates,
            consumption, 0, split, [0] * zones)
        # The new meter, verified and sealed on the day
        new_start = [rng.randint(0, 30) for _ in range(zones)]
        if point.service == 'electricity':
            new_start = [0] * zones
        new_due = add_years(removal, VERIFICATION_YEARS[point.service])
        new = self.add_meter(premises, point, removal, new_start, new_due)
        self.add_readings(new, point, removal, new_start, new_due, dates,
            consumption, split, len(dates), at_removal)
        self.stats['replaced'] += 1

    def add_meter(self, premises, point, installed, start, due,
            kind='individual', serial=None, model=None):
        meter = self.new_id('housing_meter')
        values = list(start) + [None] * (3 - len(start))
        self.rows['housing_meter'].append((
                meter, kind, self.setup.services[point.service],
                self.building_id, premises['id'] if premises else None,
                serial or self.serial(point.service),
                model or self.model(point.service), point.zones,
                point.digits, installed, *values, None, None, None, None,
                due, '%07d' % self.rng.randrange(10 ** 7), installed))
        return meter

    def add_readings(self, meter, point, installed, start, due, dates,
            consumption, first, last, offset):
        """Readings first..last-1 of the point on meter, whose counter
        showed start at installation when the point had consumed
        offset."""
        capacity = 10 ** point.digits * 1000
        readings = []
        for k in range(first, last):
            values = [(s + c - o) for s, c, o in zip(
                    start, consumption[k], offset)]
            readings.append((dates[k], values))
        self.gen.add_readings(meter, installed, start, capacity, due,
            readings, self.rng)

    # common-house meters ----------------------------------------------------
    def make_common_meters(self):
        rng, window = self.rng, self.window
        months = window.months
        installed = (self.management_start - dt.timedelta(days=10)
            if self.new_building else random_date(rng,
                max(dt.date(2012, 1, 1), dt.date(self.plan.year + 1, 1, 1)),
                add_months(window.start, -3)))
        dates = [m.replace(day=rng.randint(20, 25)) for m in months]
        dates = [d for d in dates if installed < d <= window.end]
        if not dates:
            return
        area = self.total_area / 100
        lifts = self.plan.entrances * (self.plan.floors >= 9)
        specs = []
        for service in ('cold_water', 'hot_water', 'electricity'):
            losses = rng.uniform(1.03, 1.12)
            rates = [r * losses for r in self.building_rates[service]]
            if service == 'electricity':
                common = (lifts * 8000 + self.plan.entrances
                    * self.plan.floors * 700)
                rates = [r + common for r in rates]
            if not any(rates):
                continue
            specs.append((service, rates))
        heat = rng.uniform(0.013, 0.021) * area * 1000 / 30.4
        specs.append(('heating', [
                    heat * HEATING_SEASON.get(m.month, 0)
                    for m in months]))
        for service, rates in specs:
            long_rate = sum(rates) / len(rates)
            point = Point(service, 1, 8, rates, long_rate)
            consumption = point_consumption(rng, point, installed, dates,
                window, noise=0.06)
            start = [rng.randint(0, 999) * 1000]
            due = add_years(installed, VERIFICATION_YEARS[service])
            while due <= window.end:
                due = add_years(due, VERIFICATION_YEARS[service])
            meter = self.add_meter(None, point, installed, start, due,
                kind='common_house',
                serial='%010d' % rng.randrange(10 ** 10),
                model=COMMON_MODELS[service])
            self.add_readings(meter, point, installed, start, due, dates,
                consumption, 0, len(dates), [0])
            self.stats['common_meters'] += 1


def fias_code(seed, index):
    rng = Random('%s:fias:%s' % (seed, index))
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _months_between(start, end):
    return (end.year - start.year) * 12 + end.month - start.month


def point_consumption(rng, point, installed, dates, window, noise=0.2,
        jump=False):
    """Cumulated consumption per zone (milli-units) at each date since the
    installation, from the point's daily rates."""
    month_index = {m: i for i, m in enumerate(window.months)}
    unit = point.unit
    totals = [0] * point.zones
    result = []
    previous = installed
    jump_at = max(2, len(dates) * 2 // 3) if jump else None
    for k, date in enumerate(dates):
        days = (date - previous).days
        if k == 0 and previous < window.start:
            rate = point.long_rate * rng.uniform(0.9, 1.1)
        else:
            rate = point.rates[month_index[date.replace(day=1)]] * (
                rng.uniform(1 - noise, 1 + noise))
        amount = rate * days
        if k == jump_at:
            amount *= 8  # a leak, a forgotten tap: flagged for review
        amount = int(amount) // unit * unit
        if point.zones == 2:
            night = int(amount * rng.uniform(
                    point.night_share - 0.05, point.night_share + 0.05))
            night = night // unit * unit
            totals[0] += amount - night
            totals[1] += night
        else:
            totals[0] += amount
        result.append(list(totals))
        previous = date
    return result


def interpolate(installed, dates, consumption, date):
    "Cumulated consumption per zone on date, between two readings."
    previous_date, previous = installed, [0] * len(consumption[0])
    for k, reading_date in enumerate(dates):
        if reading_date > date:
            following = consumption[k]
            span = (reading_date - previous_date).days
            part = (date - previous_date).days
            return [p + (f - p) * part // span
                for p, f in zip(previous, following)]
        previous_date, previous = reading_date, consumption[k]
    return list(previous)


# --------------------------------------------------------------------------
# Readings and their flags, as Reading.create would set them
# --------------------------------------------------------------------------

HISTORY_DAYS = 365
MIN_HISTORY_DAYS = 28


def reading_flags(installed, start, capacity, due, readings, factor):
    """[(rollover, overdue, jump) ...] of readings [(date, values) ...],
    values as the counter shows them (not yet wrapped), in milli-units,
    computed as Reading.check_sequence / set_flags do: jump is None or
    (consumption, days, history_sum, history_days) for the message."""
    result = []
    dates = [installed]
    consumptions = [None]
    previous = list(start)
    # the factor as a ratio of integers for exact comparisons
    numerator, denominator = (
        Decimal(factor).as_integer_ratio() if factor else (0, 1))
    first = 1  # first index of the year of history
    sums = [0]
    for date, values in readings:
        rollover = any(v < p for v, p in zip(values, previous))
        consumption = sum(
            (capacity - p + v) if (rollover and v < p) else (v - p)
            for p, v in zip(previous, values))
        # history: readings dated in [until - 365, until], until being
        # the previous reading's date (or the installation).
        until = dates[-1]
        jump = None
        if len(dates) > 1:
            limit = until - dt.timedelta(days=HISTORY_DAYS)
            while dates[first] < limit:
                first += 1
            history_start = dates[first - 1]
            history_days = (until - history_start).days
            days = (date - until).days
            if numerator and history_days >= MIN_HISTORY_DAYS and days:
                total = sums[-1] - sums[first - 1]
                if (consumption * history_days * denominator
                        > numerator * total * days):
                    jump = (days, first, len(dates) - 1)
        result.append((rollover, bool(due and date > due), jump))
        dates.append(date)
        consumptions.append(consumption)
        sums.append(sums[-1] + consumption)
        previous = values
    return result, consumptions


class ChunkBuilder:
    """Generates the rows of a chunk of buildings, with chunk-local ids;
    pure Python, so that it can run in another process."""

    def __init__(self, setup_, window, seed):
        self.setup = setup_
        self.window = window
        self.seed = seed
        self.factor = setup_.jump_factor
        self.rows = defaultdict(list)
        self.counts = defaultdict(int)
        self.party_names = []
        self.reasons = []  # (reading row index, message arguments)
        self.buildings = []
        self.stats = defaultdict(int)

    def new_id(self, table):
        id_ = self.counts[table]
        self.counts[table] = id_ + 1
        return id_

    def new_ids(self, table, count):
        first = self.counts[table]
        self.counts[table] = first + count
        return range(first, first + count)

    def build(self, plans):
        for plan_ in plans:
            BuildingGenerator(self, plan_).run()
        self.counts['party_party'] = len(self.party_names)
        return Chunk(self)

    def add_readings(self, meter, installed, start, capacity, due,
            readings, rng):
        """Wrap the counter, flag as set_flags would and keep the rows."""
        zones = len(start)
        shown = [(date, [v % capacity for v in values])
            for date, values in readings]
        flags, consumptions = reading_flags(
            installed, start, capacity, due, shown, self.factor)
        user = self.setup.user
        rows = self.rows['housing_meter_reading']
        ids = self.new_ids('housing_meter_reading', len(shown))
        padding = [None] * (3 - zones)
        choice = rng.choice
        for id_, (date, values), (rollover, overdue, jump) in zip(
                ids, shown, flags):
            review = None
            if jump is not None:
                self.reasons.append((len(rows), self.jump_arguments(
                            shown, installed, consumptions, jump)))
                review = 'pending'
                self.stats['jumps'] += 1
            if rollover:
                self.stats['rollovers'] += 1
            if overdue:
                self.stats['overdue readings'] += 1
            flagged = overdue or review is not None
            rows.append((id_, meter, date, *values, *padding, rollover,
                    choice(SOURCES), user, overdue, review, None,
                    user if flagged else None, True if flagged else None))

    def jump_arguments(self, shown, installed, consumptions, jump):
        """The arguments of the message of Reading.jump_reason, computed in
        Decimal as it does."""
        days, first, last = jump
        dec = [None] + [Decimal(c).scaleb(-3) for c in consumptions[1:]]
        consumption = Decimal(0) + dec[last + 1]
        dates = [installed] + [d for d, _ in shown]
        history_days = (dates[last] - dates[first - 1]).days
        total = sum((dec[i] for i in range(first, last + 1)), Decimal(0))
        average = total / history_days
        expected = average * days
        return {'consumption': consumption, 'days': days,
            'factor': self.setup.jump_factor,
            'expected': expected.quantize(Decimal('0.001'))}


class Chunk:
    "The rows of a chunk, as built (picklable)."

    def __init__(self, builder):
        self.rows = dict(builder.rows)
        self.counts = dict(builder.counts)
        self.party_names = builder.party_names
        self.reasons = builder.reasons
        self.buildings = builder.buildings
        self.stats = dict(builder.stats)


def build_chunk(setup_, end, months, seed, plans):
    "Generate the rows of the buildings of plans (no database needed)."
    return ChunkBuilder(setup_, Window(end, months), seed).build(plans)


def write_chunk(chunk, stats=None):
    """Write the rows of chunk in the current transaction, as Tryton's
    create would."""
    from trytond.i18n import gettext
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    stats = stats if stats is not None else defaultdict(float)
    writer = BulkWriter()
    writer.skip_foreign_key_triggers()
    rows = dict(chunk.rows)
    # Parties: codes from the party sequence, computed columns, the
    # language, as Party.create sets them
    Party = pool.get('party.party')
    names = chunk.party_names
    if names:
        sequence = Party._code_sequence()
        lang = Party.default_lang()
        company = Transaction().context.get('company')
        user = writer.user
        party_rows, lang_rows = [], []
        for i, (name, code) in enumerate(
                zip(names, sequence.get_many(len(names)))):
            digits = re.sub(r'\D', '', code)[-18:]
            party_rows.append((i, code, re.sub(r'[\W_]', '', code),
                    int(digits) if digits else None, name, True, None,
                    user, True))
            lang_rows.append((i, i, lang, company))
        rows['party_party'] = party_rows
        rows['party_party_lang'] = lang_rows
    counts = dict(chunk.counts)
    counts['party_party_lang'] = len(names)
    # The review reasons, in the language of the transaction
    readings = rows.get('housing_meter_reading')
    if chunk.reasons:
        readings = rows['housing_meter_reading'] = list(readings)
        for index, arguments in chunk.reasons:
            row = readings[index]
            readings[index] = row[:11] + (
                gettext('housing_billing.msg_reading_jump', **arguments),
                ) + row[12:]
    maps = {}
    for table in TABLE_ORDER:
        if counts.get(table):
            maps[table] = writer.allocate(table, counts[table])
    for table in TABLE_ORDER:
        table_rows = rows.get(table)
        if not table_rows:
            continue
        assert len(table_rows) == counts[table], table
        started = time.monotonic()
        writer.insert(table, table_rows, maps)
        stats['seconds:insert:' + table] += time.monotonic() - started
        started = time.monotonic()
        ids = writer.ids(maps[table], len(table_rows))
        writer.check(table, ids)
        Model = pool.get(MODELS[table])
        if table == 'housing_meter_reading':
            writer.history(Model, ids, override=READING_UNFLAGGED)
            flagged = [ids[r[0]] for r in table_rows if r[-1]]
            if flagged:
                writer.history(Model, flagged)
        else:
            writer.history(Model, ids)
        stats['seconds:history:' + table] += time.monotonic() - started
    return {index: writer.ids(maps['housing_building'], counts.get(
                'housing_building', 0))[local]
        for index, local in chunk.buildings}


def existing_buildings(company):
    "The fias codes of the buildings of company already generated."
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Building = Pool().get('housing.building')
    table = Building.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(table.fias_code,
            where=table.company == company))
    return {c for c, in cursor}


def generate(accounts, seed=1, end=None, months=24, admin_password=None,
        commit=None, chunk_accounts=2500, jobs=0, writers=0, indexes=True,
        log=None):
    """Generate a dataset of accounts personal accounts in the database of
    the current transaction; commit() is called after the set-up and each
    chunk of buildings. With jobs, that many processes generate the rows
    while this one writes them. With writers (and commit), the chunks are
    written by that many threads, each chunk in a transaction of its own
    (PostgreSQL). Unless indexes, the secondary indexes are dropped during
    the load and created again at the end (PostgreSQL). Return the summary
    {name: value}."""
    from trytond import backend
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    log = log or (lambda *a: None)
    started = time.monotonic()
    today = Pool().get('ir.date').today()
    end = end or default_end(today)
    if end > today:
        raise ValueError('the end %s is after today: readings cannot be in '
            'the future' % end)
    if months < 12:
        raise ValueError('at least 12 months are needed for the changes '
            'inside the window and a year of reading history')
    window = Window(end, months)
    setup_ = setup(window, admin_password=admin_password)
    setup_.user = Transaction().user
    if commit:
        commit()
    summary = {'setup seconds': round(time.monotonic() - started, 1)}
    plans = plan(accounts, seed)
    stats = defaultdict(float)
    with Transaction().set_context(company=setup_.company, language='ru'):
        present = existing_buildings(setup_.company)
        todo = [p for p in plans if fias_code(seed, p.index) not in present]
        if len(todo) < len(plans):
            log('%d buildings of %d already there, skipped'
                % (len(plans) - len(todo), len(plans)))
        batches, batch = [], []
        for plan_ in todo:
            batch.append(plan_)
            if sum(p.accounts for p in batch) >= chunk_accounts:
                batches.append(batch)
                batch = []
        if batch:
            batches.append(batch)
        bulk_started = time.monotonic()
        total = sum(p.accounts for p in todo)
        done = 0
        if not indexes and todo and defer_indexes():
            log('secondary indexes dropped for the load')
            if commit:
                commit()
        chunks = _chunks(setup_, end, months, seed, batches, jobs)
        if writers and commit:
            written = _write_in_threads(chunks, writers)
        else:
            written = _write_here(chunks, commit)
        for batch, chunk, chunk_stats in written:
            for key, value in list(chunk.stats.items()) + list(
                    chunk_stats.items()):
                stats[key] += value
            done += sum(p.accounts for p in batch)
            log('%d / %d accounts, %.0f s' % (
                    done, total, time.monotonic() - bulk_started))
        summary['bulk seconds'] = round(time.monotonic() - bulk_started, 1)
        if not indexes and backend.name == 'postgresql':
            # Also after a run that stopped before this point
            indexes_started = time.monotonic()
            restore_indexes()
            if commit:
                commit()
            summary['index seconds'] = round(
                time.monotonic() - indexes_started, 1)
        building = _first_building(setup_.company, fias_code(seed, 0))
        if building:
            setup_building_specifics(setup_, window, building)
            if commit:
                commit()
    summary['plan buildings'] = len(plans)
    summary['plan accounts'] = sum(p.accounts for p in plans)
    for key, value in sorted(stats.items()):
        if key.startswith('seconds:'):
            summary[key] = round(value, 2)
        else:
            summary['feature ' + key] = int(value)
    summary.update(count_rows())
    summary['seconds'] = round(time.monotonic() - started, 1)
    return summary


def _write_here(chunks, commit):
    "Write the chunks in the current transaction, committing each."
    for batch, chunk in chunks:
        stats = defaultdict(float)
        write_chunk(chunk, stats)
        if commit:
            commit()
        yield batch, chunk, stats


def _write_in_threads(chunks, writers):
    """Write the chunks by writers threads, each chunk in a transaction of
    its own; yield them as they are committed."""
    from concurrent.futures import ThreadPoolExecutor

    from trytond.transaction import Transaction
    transaction = Transaction()
    database = transaction.database.name
    user = transaction.user
    context = dict(transaction.context)

    def write(chunk):
        with Transaction().start(database, user, context=context) as other:
            stats = defaultdict(float)
            write_chunk(chunk, stats)
            other.commit()
        return stats

    with ThreadPoolExecutor(writers) as executor:
        pending = []
        for batch, chunk in chunks:
            pending.append((batch, chunk, executor.submit(write, chunk)))
            while len(pending) > writers:
                batch, chunk, future = pending.pop(0)
                yield batch, chunk, future.result()
        for batch, chunk, future in pending:
            yield batch, chunk, future.result()


def _chunks(setup_, end, months, seed, batches, jobs):
    "(batch, chunk) in order, built here or by jobs worker processes."
    if not jobs:
        for batch in batches:
            yield batch, build_chunk(setup_, end, months, seed, batch)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    context = multiprocessing.get_context('spawn')
    with ProcessPoolExecutor(jobs, mp_context=context) as executor:
        pending = []
        batches = iter(batches)
        for batch in batches:
            pending.append((batch, executor.submit(
                        build_chunk, setup_, end, months, seed, batch)))
            if len(pending) > jobs:
                break
        while pending:
            batch, future = pending.pop(0)
            for next_batch in batches:
                pending.append((next_batch, executor.submit(
                            build_chunk, setup_, end, months, seed,
                            next_batch)))
                break
            yield batch, future.result()


def _first_building(company, fias):
    from trytond.pool import Pool
    Building = Pool().get('housing.building')
    buildings = Building.search([
            ('company', '=', company), ('fias_code', '=', fias)])
    return buildings[0].id if buildings else None


def count_rows():
    "Rows per table (and its history) of the generated models."
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    counts = {}
    for table in TABLE_ORDER + ['housing_tariff', 'housing_tariff_rate',
            'housing_normative', 'housing_service']:
        cursor.execute('SELECT COUNT(*) FROM "%s"' % table)
        counts[table] = cursor.fetchone()[0]
        if table.startswith('housing_'):
            cursor.execute('SELECT COUNT(*) FROM "%s__history"' % table)
            counts[table + '__history'] = cursor.fetchone()[0]
    return counts


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', '-c', required=True,
        help="the trytond configuration file")
    parser.add_argument('--database', '-d', required=True)
    parser.add_argument('--accounts', type=int, required=True,
        help="the number of personal accounts")
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--end', type=dt.date.fromisoformat,
        help="the last day of the data (default: the last day of the "
        "previous month)")
    parser.add_argument('--months', type=int, default=24,
        help="the months of readings and changes up to --end")
    parser.add_argument('--admin-password',
        help="set the password of the admin user")
    parser.add_argument('--chunk', type=int, default=2500,
        help="personal accounts per transaction")
    parser.add_argument('--jobs', type=int, default=1,
        help="processes generating the rows while the main one writes "
        "them (0: generate in the main process)")
    parser.add_argument('--writers', type=int,
        help="threads writing the chunks, each in a transaction of its "
        "own (default: 2 on PostgreSQL, 0 on SQLite: the main transaction)")
    parser.add_argument('--keep-indexes', action='store_true',
        help="maintain the secondary indexes during the load instead of "
        "dropping them and creating them again at the end (PostgreSQL)")
    parser.add_argument('--quiet', '-q', action='store_true')
    return parser.parse_args(argv)


def configure(path):
    "Load the configuration file, then let TRYTOND_* variables override it."
    from trytond import config
    config.update_etc(path)
    for key, value in os.environ.items():
        if not key.startswith('TRYTOND_') or '__' not in key:
            continue
        section, option = key[len('TRYTOND_'):].lower().split('__', 1)
        if section.startswith('wsgi_'):
            section = section.replace('wsgi_', 'wsgi ')
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, option, value)


def main(argv=None):
    args = parse_args(argv)
    configure(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    def log(message):
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)
    started = time.monotonic()
    from trytond import backend
    writers = args.writers
    if writers is None:
        writers = 2 if backend.name == 'postgresql' else 0
    Pool.start()
    pool = Pool(args.database)
    pool.init()
    extras = {}
    while True:
        # As trytond's own callers do: a transaction that needs a table
        # lock is started again with it (all steps are idempotent).
        with Transaction().start(args.database, 0, **extras) as transaction:
            User = pool.get('res.user')
            admin, = User.search([('login', '=', 'admin')])
            try:
                with transaction.set_user(admin.id), \
                        transaction.set_context(language='ru'):
                    summary = generate(args.accounts, seed=args.seed,
                        end=args.end, months=args.months,
                        admin_password=args.admin_password,
                        commit=transaction.commit,
                        chunk_accounts=args.chunk, jobs=args.jobs,
                        writers=writers, indexes=args.keep_indexes,
                        log=log)
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                continue
            transaction.commit()
        break
    summary['seconds'] = round(time.monotonic() - started, 1)
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print('%-*s %s' % (width, key, value))


if __name__ == '__main__':
    # Run the module imported under its own name rather than as __main__,
    # so that the worker processes unpickle its classes.
    import importlib
    importlib.import_module('generate').main()
