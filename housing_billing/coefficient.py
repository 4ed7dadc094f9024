# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Increasing coefficients K of the normative (Decree 354 para 42; domain
spec §1.5): dated national values per resource and situation, e.g. cold
water 1.5 up to 05.12.2025 and 3.0 from 06.12.2025 (Decree 1871). The
values themselves are data (l10n_ru_housing seeds the Russian ones)."""
from collections import defaultdict

from trytond.model import ModelSQL, ModelView, fields
from trytond.pyson import Eval, If

from .dated import check_dates, check_no_overlap
from .engine.params import Timeline

RESOURCES = [
    ('cold_water', "Cold Water"),
    ('hot_water', "Hot Water"),
    ('electricity', "Electricity"),
    ]
# The situations the kernel asks K for (engine.calculate).
SITUATIONS = [
    ('no_meter', "No meter though one can be installed"),
    ('limit_a', "Meter out of service beyond the average limit"),
    ('limit_v', "Access refused beyond the average limit"),
    ('double_refusal', "Electricity: access refused twice"),
    ]


class Coefficient(ModelSQL, ModelView):
    __name__ = 'housing.coefficient'
    __string__ = "Increasing Coefficient"
    _history = True

    resource = fields.Selection(RESOURCES, "Resource", required=True)
    resource_string = resource.translated('resource')
    situation = fields.Selection(
        SITUATIONS, "Situation", required=True, sort=False)
    situation_string = situation.translated('situation')
    value = fields.Numeric(
        "Value", digits=(16, 4), required=True,
        domain=[('value', '>=', 1)])
    date_from = fields.Date("From", required=True)
    date_to = fields.Date(
        "To",
        domain=[If(Eval('date_to'), ('date_to', '>=', Eval('date_from')),
                ())])
    act = fields.Char("Act", help="The decree that set the value.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('resource', 'ASC'), ('situation', 'ASC'),
            ('date_from', 'DESC'), ('id', 'DESC')]

    def get_rec_name(self, name):
        return '%s, %s: %s' % (
            self.resource_string, self.situation_string,
            format(self.value.normalize(), 'f'))

    @classmethod
    def validate(cls, coefficients):
        super().validate(coefficients)
        for coefficient in coefficients:
            check_dates(coefficient, 'housing_billing.msg_coefficient_dates')
        check_no_overlap(coefficients,
            lambda c: [('resource', c.resource), ('situation', c.situation)],
            'housing_billing.msg_coefficient_overlap')

    @classmethod
    def timelines(cls, start, end):
        """{(resource, situation): Timeline} of the values in force between
        start and end."""
        rows = defaultdict(list)
        for coefficient in cls.search([
                    ('date_from', '<=', end),
                    ['OR',
                        ('date_to', '=', None),
                        ('date_to', '>=', start),
                        ],
                    ], order=[('date_from', 'ASC')]):
            rows[coefficient.resource, coefficient.situation].append((
                    max(coefficient.date_from, start), coefficient.value,
                    min(coefficient.date_to or end, end)))
        return {key: Timeline.of(values, name='K %s %s' % key)
            for key, values in rows.items()}

    @staticmethod
    def for_services(timelines, services):
        "The kernel's coefficients of services: {'code:situation': Timeline}"
        result = {}
        for service in services:
            for (resource, situation), timeline in timelines.items():
                if service.resource == resource:
                    result['%s:%s' % (service.code, situation)] = timeline
        return result

