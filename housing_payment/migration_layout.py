# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The columns of each migration file: English name, type, required or
not, Russian aliases accepted in the header (README.md, "Migration from
another billing system", documents them)."""
from fractions import Fraction

from .migration_csv import Column

PREMISES_KINDS = {
    'apartment': 'apartment', 'квартира': 'apartment',
    'room': 'room', 'комната': 'room',
    'non_residential': 'non_residential', 'нежилое': 'non_residential',
    'parking': 'parking', 'машиноместо': 'parking',
    }
OWNERSHIP_FORMS = {
    'private': 'private', 'частная': 'private',
    'municipal': 'municipal', 'муниципальная': 'municipal',
    'state': 'state', 'государственная': 'state',
    }
REGISTRATION_KINDS = {
    'permanent': 'permanent', 'постоянная': 'permanent',
    'temporary': 'temporary', 'временная': 'temporary',
    }
DOCUMENT_KINDS = {
    'egrn': 'egrn', 'выписка егрн': 'egrn',
    'certificate': 'certificate', 'свидетельство': 'certificate',
    'contract': 'contract', 'договор': 'contract',
    'inheritance': 'inheritance', 'наследство': 'inheritance',
    'court': 'court', 'решение суда': 'court',
    'other': 'other', 'иное': 'other',
    }


def area(name, alias, required=True):
    return Column(name, 'decimal', required, (alias,))


BUILDINGS = [
    Column('address', 'text', True, ('Адрес',)),
    Column('fias_code', 'text', False, ('ФИАС', 'Код ФИАС')),
    Column('gis_code', 'text', False, ('ГИС ЖКХ', 'Код ГИС ЖКХ')),
    Column('year_built', 'integer', False, ('Год постройки',)),
    Column('floors', 'integer', False, ('Этажность',)),
    Column('entrances', 'integer', False, ('Подъездов',)),
    Column('management_start', 'date', True, ('Начало управления',)),
    area('total_area', 'Общая площадь'),
    area('residential_area', 'Жилая площадь'),
    area('non_residential_area', 'Нежилая площадь', False),
    area('common_area', 'Площадь общего имущества', False),
    ]
PREMISES = [
    Column('building', 'text', True, ('Адрес дома', 'Дом')),
    Column('number', 'text', True, ('Номер помещения', 'Помещение')),
    Column('entrance', 'integer', False, ('Подъезд',)),
    Column('floor', 'integer', False, ('Этаж',)),
    Column('kind', 'choice', False, ('Вид помещения',),
        PREMISES_KINDS, 'apartment'),
    Column('rooms', 'integer', False, ('Комнат',)),
    Column('ownership', 'choice', False, ('Форма собственности',),
        OWNERSHIP_FORMS, 'private'),
    area('total_area', 'Общая площадь'),
    area('living_area', 'Жилая площадь', False),
    ]
ACCOUNTS = [
    Column('number', 'text', True, ('Лицевой счет', 'Номер ЛС')),
    Column('building', 'text', True, ('Адрес дома', 'Дом')),
    Column('premises', 'text', True, ('Помещение', 'Номер помещения')),
    Column('share', 'share', False, ('Доля',), default=Fraction(1)),
    Column('opened', 'date', True, ('Дата открытия', 'Открыт')),
    Column('closed', 'date', False, ('Дата закрытия', 'Закрыт')),
    Column('payer', 'text', True, ('Плательщик',)),
    ]
OWNERS = [
    Column('building', 'text', True, ('Адрес дома', 'Дом')),
    Column('premises', 'text', True, ('Помещение', 'Номер помещения')),
    Column('owner', 'text', True, ('Собственник',)),
    Column('share', 'share', True, ('Доля',)),
    Column('date_from', 'date', True, ('Право с', 'Дата регистрации права')),
    Column('date_to', 'date', False, ('Право по',)),
    Column('document_kind', 'choice', False, ('Вид документа',),
        DOCUMENT_KINDS),
    Column('document_number', 'text', False, ('Номер документа',)),
    Column('document_date', 'date', False, ('Дата документа',)),
    ]
RESIDENTS = [
    Column('account', 'text', True, ('Лицевой счет',)),
    Column('person', 'text', True, ('ФИО', 'Житель')),
    Column('kind', 'choice', False, ('Регистрация',),
        REGISTRATION_KINDS, 'permanent'),
    Column('registered_from', 'date', True, ('Зарегистрирован с',)),
    Column('registered_to', 'date', False, ('Зарегистрирован по',)),
    ]
METERS = [
    Column('building', 'text', True, ('Адрес дома', 'Дом')),
    Column('premises', 'text', False, ('Помещение', 'Номер помещения')),
    Column('service', 'text', True, ('Услуга', 'Код услуги')),
    Column('serial_number', 'text', True, ('Заводской номер',)),
    Column('zones', 'integer', False, ('Тарифных зон', 'Зон'), default=1),
    Column('digits', 'integer', False, ('Разрядность',), default=5),
    Column('installation_date', 'date', True, ('Дата установки',)),
    Column('installation_value1', 'decimal', False,
        ('Показание при установке', 'Показание при установке Т1')),
    Column('installation_value2', 'decimal', False,
        ('Показание при установке Т2',)),
    Column('installation_value3', 'decimal', False,
        ('Показание при установке Т3',)),
    Column('verification_due', 'date', False, ('Дата поверки',)),
    Column('seal_number', 'text', False, ('Номер пломбы',)),
    Column('reading_date', 'date', False, ('Дата показания',)),
    Column('reading_value1', 'decimal', False, ('Показание', 'Показание Т1')),
    Column('reading_value2', 'decimal', False, ('Показание Т2',)),
    Column('reading_value3', 'decimal', False, ('Показание Т3',)),
    ]
BALANCES = [
    Column('account', 'text', True, ('Лицевой счет',)),
    Column('period', 'period', True, ('Период',)),
    Column('service', 'text', False, ('Услуга', 'Код услуги')),
    Column('amount', 'money', True, ('Сумма', 'Сальдо')),
    ]

# The files in the order they are checked and written: each refers only
# to the ones before it (or to records already in the database).
LAYOUTS = {
    'buildings': BUILDINGS,
    'premises': PREMISES,
    'accounts': ACCOUNTS,
    'owners': OWNERS,
    'residents': RESIDENTS,
    'meters': METERS,
    'balances': BALANCES,
    }
