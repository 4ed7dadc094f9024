# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .dated import check_dates, check_no_overlap, most_specific
from .engine.lines import Reason
from .recalculation import RecalculationTriggerMixin

NORMATIVE_KINDS = [
    ('person', "Per Person per Month"),
    ('area', "Per m² per Month"),
    ('common_property', "Common Property per m² per Month"),
    ('heat_per_volume', "Heat per m³ of Hot Water"),
    ]


class Normative(RecalculationTriggerMixin, ModelSQL, ModelView):
    __name__ = 'housing.normative'
    _recalculation_reason = Reason.TARIFF
    _recalculation_fields = {
        'service', 'kind', 'building', 'value', 'date_from', 'date_to'}
    __string__ = "Normative"
    _history = True

    company = fields.Many2One(
        'company.company', "Company", required=True)
    service = fields.Many2One(
        'housing.service', "Service", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    kind = fields.Selection(NORMATIVE_KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    building = fields.Many2One(
        'housing.building', "Building", ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))],
        help="Fill in where the building's equipment gives it "
        "its own normative.")
    value = fields.Numeric(
        "Value", digits=(16, 6), required=True,
        domain=[('value', '>=', 0)])
    unit = fields.Many2One('product.uom', "Unit", required=True)
    date_from = fields.Date("From", required=True)
    date_to = fields.Date("To")
    document = fields.Char(
        "Document", help="The regional act that set the normative.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.service, Index.Equality()),
                (t.date_from, Index.Range())))
        cls._order.insert(0, ('date_from', 'DESC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_kind():
        return 'person'

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.service.rec_name, self.kind_string, self.date_from)

    def recalculation_scope(self):
        buildings = ([self.building] if self.building
            else self.company_buildings(self.company))
        return (self.company.id, [self.date_from, self.date_to], [],
            buildings)

    @classmethod
    def validate(cls, normatives):
        super().validate(normatives)
        for normative in normatives:
            check_dates(normative, 'housing_billing.msg_normative_dates')
        check_no_overlap(
            normatives,
            lambda n: [
                ('service', n.service.id), ('kind', n.kind),
                ('building', n.building.id if n.building else None)],
            'housing_billing.msg_normative_overlap')

    @classmethod
    def find(cls, service, kind, building, date):
        "The normative in force on date: the building's own, else general."
        normatives = cls.search([
                ('service', '=', service.id),
                ('kind', '=', kind),
                ('date_from', '<=', date),
                ['OR', ('building', '=', building.id),
                    ('building', '=', None)],
                ])
        return most_specific(
            normatives, date, lambda n: n.building is None)
