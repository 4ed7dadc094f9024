# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The audit trail: who created, changed, deleted or posted the data the
bills are computed from, and when.

It reads what trytond keeps anyway: the creation stamps of the records and
ir.model.log, where trytond writes every change, deletion, button click
and workflow transition made by a user (with the fields changed). The
values before and after a change are in the records' history
(``_history``: *View Revisions* in the client)."""
from sql import Column, Literal, Union
from sql.conditionals import Coalesce
from sql.operators import Concat
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

# The models whose changes the auditor follows, in this order.
AUDITED = [
    'housing.tariff',
    'housing.tariff.rate',
    'housing.normative',
    'housing.meter',
    'housing.meter.reading',
    'housing.account',
    'housing.account.service',
    'housing.resident',
    'housing.absence',
    'housing.one_off_charge',
    'housing.payment',
    'housing.accrual.run',
    'housing.recalculation',
    ]


class AuditEvent(ModelSQL, ModelView):
    __name__ = 'housing.audit.event'
    __string__ = "Audit Trail"

    date = fields.Timestamp("Date", readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    model = fields.Selection('get_models', "Model", readonly=True)
    record = fields.Reference("Record", selection='get_models', readonly=True)
    event = fields.Selection([
            ('create', "Created"),
            ('write', "Modified"),
            ('delete', "Deleted"),
            ('button', "Clicked on"),
            ('wizard', "Launched"),
            ('transition', "Transitioned to"),
            ], "Event", readonly=True)
    target = fields.Char("Target", readonly=True)
    action = fields.Function(fields.Char("Action"), 'get_action')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def get_models(cls):
        Model = Pool().get('ir.model')
        return [(None, '')] + [(m, Model.get_name(m)) for m in AUDITED]

    @classmethod
    def table_query(cls):
        """The ir.model.log rows of the audited models (even ids) and the
        creation of each audited record (odd ids)."""
        pool = Pool()
        log = pool.get('ir.model.log').__table__()
        queries = []
        for index, name in enumerate(AUDITED):
            table = pool.get(name).__table__()
            queries.append(log.select(
                    (log.id * 2).as_('id'),
                    log.create_uid.as_('create_uid'),
                    log.create_date.as_('create_date'),
                    Literal(None).as_('write_uid'),
                    Literal(None).as_('write_date'),
                    log.create_date.as_('date'),
                    Coalesce(log.user, log.create_uid).as_('user'),
                    Literal(name).as_('model'),
                    log.resource.as_('record'),
                    log.event.as_('event'),
                    log.target.as_('target'),
                    where=log.resource.like(name + ',%')))
            queries.append(table.select(
                    ((table.id * len(AUDITED) + index) * 2 + 1).as_('id'),
                    table.create_uid.as_('create_uid'),
                    table.create_date.as_('create_date'),
                    Literal(None).as_('write_uid'),
                    Literal(None).as_('write_date'),
                    table.create_date.as_('date'),
                    table.create_uid.as_('user'),
                    Literal(name).as_('model'),
                    Concat(name + ',', Column(table, 'id')).as_('record'),
                    Literal('create').as_('event'),
                    Literal(None).as_('target')))
        return Union(*queries, all_=True)

    def get_action(self, name):
        """The fields changed, the button clicked or the state reached,
        with the names the user sees."""
        Field = Pool().get('ir.model.field')
        if not self.target or not self.model:
            return None
        if self.event == 'write':
            return ', '.join(Field.get_name(self.model, f)
                for f in self.target.split(','))
        if self.event == 'transition':
            field_name, state = self.target.split(':', 1)
            Model = Pool().get(self.model)
            field = getattr(Model, field_name, None)
            if field is not None and isinstance(field, fields.Selection):
                selection = dict(field.selection
                    if isinstance(field.selection, list) else [])
                state = selection.get(state, state)
            return '%s: %s' % (Field.get_name(self.model, field_name), state)
        if self.event == 'button':
            Button = Pool().get('ir.model.button')
            return Button.get_view_attributes(self.model, self.target).get(
                'string', self.target)
        return self.target
