# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

SERVICE_KINDS = [
    ('utility', "Utility"),
    ('maintenance', "Housing Maintenance"),
    ('capital_repair', "Capital Repair"),
    ('agent', "Agent Service"),
    ('one_off', "One-Off"),
    ]
CALCULATION_METHODS = [
    ('meter', "Individual Meter"),
    ('normative_person', "Normative per Person"),
    ('area', "By Area"),
    ('premises', "Per Premises"),
    ('fixed', "Fixed Amount"),
    ('common_property', "Common Property by Area Share"),
    ('manual', "Manual"),
    ]
RESOURCES = [
    (None, ""),
    ('cold_water', "Cold Water"),
    ('hot_water', "Hot Water"),
    ('hot_water_heat', "Heat for Hot Water"),
    ('sewage', "Water Disposal"),
    ('electricity', "Electricity"),
    ('gas', "Gas"),
    ('heating', "Heating"),
    ('waste', "Solid Municipal Waste"),
    ]


class Service(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'housing.service'
    __string__ = "Service"
    _history = True

    company = fields.Many2One(
        'company.company', "Company", required=True)
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    product = fields.Many2One(
        'product.product', "Product", required=True,
        domain=[('type', '=', 'service')],
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The product whose revenue account the charges go to.")
    unit = fields.Many2One('product.uom', "Unit", required=True)
    kind = fields.Selection(SERVICE_KINDS, "Kind", required=True)
    method = fields.Selection(
        CALCULATION_METHODS, "Calculation Method", required=True)
    resource = fields.Selection(
        RESOURCES, "Resource",
        help="The utility resource the service delivers, "
        "for the rules of Decree 354.")
    two_component = fields.Boolean(
        "Two-Component Tariff",
        states={'invisible': Eval('resource') != 'hot_water'},
        help="Bill hot water as a water component per m³ and a heat "
        "component per Gcal (Decree 354 p. 38).")
    soi_resource = fields.Selection(
        [r for r in RESOURCES if r[0] not in {'heating', 'waste'}],
        "Common Property Resource",
        states={'invisible': Eval('method') != 'common_property'},
        help="The resource of the common-house meter whose balance this "
        "common property service bills (empty: the service's resource).")
    supplier = fields.Many2One(
        'party.party', "Supplier",
        context={'company': Eval('company', -1)}, depends={'company'},
        states={
            'required': Eval('kind') == 'agent',
            'invisible': Eval('kind') != 'agent',
            },
        help="The party the charges are collected for.")
    credit_account = fields.Many2One(
        'account.account', "Credit Account",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        help="Credit the charges to this account instead of the revenue "
        "account of the product (e.g. capital repair contributions to "
        "target financing).")
    sequence = fields.Integer("Sequence")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_code_unique', Unique(t, t.company, t.code),
                'housing_billing.msg_service_code_unique'),
            ]
        cls._order = [
            ('sequence', 'ASC NULLS LAST'), ('name', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_two_component():
        return False

    @staticmethod
    def default_kind():
        return 'utility'

    @fields.depends('product', 'unit')
    def on_change_product(self):
        if self.product and not self.unit:
            self.unit = self.product.default_uom
