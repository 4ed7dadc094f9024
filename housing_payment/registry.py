# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Bank payment registries (реестры платежей, domain spec §7.1).

An accountant uploads the bank's file on a registry; *Preview* reads it
with the registry's format (a FormatError rejects it whole, naming the
line), matches each line to a personal account and marks the lines paid
before (in this file or in a posted registry) as duplicates; *Post* writes
the matched lines as posted registry payments (registry_posting): the
registry's own moves at once, the payments building by building in
Tryton's queue (housing.payment.registry.chunk), the registry posted when
every chunk is done."""
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from sql import Null
from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from housing_billing.bulk import (
    allocate_ids,
    as_date,
    as_money,
    in_slices,
    insert,
    where_in,
)
from housing_billing.chunking import batches
from housing_billing.payment import CHARGES, PURPOSES
from housing_billing.savepoint import attempt, together_or_alone

from .exceptions import RegistryError, RegistryFormatError
from .registry_format import (
    COLUMNS,
    SBERBANK,
    TOTALS,
    FormatError,
    Layout,
    read_client_bank,
    read_registry,
)
from .registry_posting import RegistryPoster

MONEY = (16, 2)
# Matched lines of a queue task: a task posts whole buildings.
BATCH = 5000
ZERO = Decimal('0.00')
ENCODINGS = [
    ('cp1251', "Windows-1251"),
    ('utf-8', "UTF-8"),
    ('koi8_r', "KOI8-R"),
    ('cp866', "DOS (cp866)"),
    ]


def names(text):
    "The names of a comma-separated list."
    return tuple(n.strip() for n in (text or '').split(',') if n.strip())


class Format(ModelSQL, ModelView):
    __name__ = 'housing.payment.registry.format'
    __string__ = "Registry Format"

    name = fields.Char("Name", required=True, translate=True)
    company = fields.Many2One('company.company', "Company", required=True)
    kind = fields.Selection([
            ('sberbank', "Sberbank"),
            ('delimited', "Delimited"),
            ('client_bank', "1C Client Bank Exchange"),
            ], "Kind", required=True)
    bank = fields.Char(
        "Bank Code", required=True,
        help="Names the bank in the key that tells one payment from "
        "another, so that a payment is posted once.")
    delimiter = fields.Char(
        "Delimiter", size=1,
        states={
            'invisible': Eval('kind') != 'delimited',
            'required': Eval('kind') == 'delimited',
            })
    encoding = fields.Selection(
        ENCODINGS, "Encoding",
        states={
            'invisible': Eval('kind') != 'delimited',
            'required': Eval('kind') == 'delimited',
            })
    columns = fields.Char(
        "Columns",
        states={
            'invisible': Eval('kind') != 'delimited',
            'required': Eval('kind') == 'delimited',
            },
        help="The fields of a line in their order, separated by commas: "
        "%s ('-' skips a column)." % ', '.join(COLUMNS[:-1]))
    date_format = fields.Char(
        "Date Format",
        states={
            'invisible': Eval('kind') != 'delimited',
            'required': Eval('kind') == 'delimited',
            },
        help="As Python's strptime reads it, e.g. %d.%m.%Y.")
    header_lines = fields.Integer(
        "Header Lines",
        states={'invisible': Eval('kind') != 'delimited'},
        domain=[If(Eval('header_lines'),
                ('header_lines', '>=', 0), ())],
        help="How many lines at the top of the file to skip.")
    total_marker = fields.Char(
        "Total Line Marker",
        states={'invisible': Eval('kind') != 'delimited'},
        help="What the line of control totals starts with.")
    total_columns = fields.Char(
        "Total Columns",
        states={'invisible': Eval('kind') != 'delimited'},
        help="The fields of the total line in their order, separated by "
        "commas: %s; empty when the file has no total line."
        % ', '.join(TOTALS[:-1]))
    our_accounts = fields.Char(
        "Our Bank Accounts",
        states={'invisible': Eval('kind') != 'client_bank'},
        help="The 20-digit accounts of the company whose incoming "
        "documents are payments, separated by commas (empty: all).")
    penalty_codes = fields.Char(
        "Penalty Codes",
        help="The codes of the line's service column that designate a "
        "payment of penalties, separated by commas: the money pays the "
        "penalties only.")
    capital_repair_penalty_codes = fields.Char(
        "Capital Repair Penalty Codes",
        help="The codes of the line's service column that designate a "
        "payment of the penalties on capital repair contributions, "
        "separated by commas.")
    commission_account = fields.Many2One(
        'account.account', "Commission Account",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        help="The expense account of the bank's commission.")
    suspense_account = fields.Many2One(
        'account.account', "Unidentified Receipts Account",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ('party_required', '!=', True),
            ],
        help="Where the money of the lines matched to no personal account "
        "is booked on posting, until it is identified (76.09).")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_kind():
        return 'sberbank'

    @staticmethod
    def default_delimiter():
        return ';'

    @staticmethod
    def default_encoding():
        return 'cp1251'

    @staticmethod
    def default_date_format():
        return '%d.%m.%Y'

    @staticmethod
    def default_header_lines():
        return 0

    @staticmethod
    def default_total_marker():
        return '='

    @classmethod
    def validate_fields(cls, formats, field_names):
        super().validate_fields(formats, field_names)
        for format_ in formats:
            if format_.kind == 'delimited':
                try:
                    format_.layout().check()
                except FormatError as error:
                    raise RegistryFormatError(gettext(
                            'housing_payment.msg_registry_format_column',
                            format=format_.rec_name,
                            column=error.values.get('column', '')))

    def payment_purpose(self, service_code):
        "The purpose of the payment of a line with service_code"
        code = (service_code or '').strip()
        if code:
            if code in names(self.penalty_codes):
                return 'penalties'
            if code in names(self.capital_repair_penalty_codes):
                return 'capital_repair_penalties'
        return CHARGES

    def layout(self):
        if self.kind == 'sberbank':
            return replace(SBERBANK, bank=self.bank)
        return Layout(
            columns=names(self.columns), delimiter=self.delimiter or ';',
            encoding=self.encoding or 'cp1251',
            date_format=self.date_format or '%d.%m.%Y',
            header_lines=self.header_lines or 0,
            total_marker=self.total_marker or '',
            total_columns=names(self.total_columns), bank=self.bank)

    def read_file(self, data):
        "The lines of a file; FormatError when it must be rejected."
        if self.kind == 'client_bank':
            return read_client_bank(
                data, names(self.our_accounts), bank=self.bank)
        return read_registry(data, self.layout())


class Registry(Workflow, ModelSQL, ModelView):
    __name__ = 'housing.payment.registry'
    __string__ = "Payment Registry"

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    format = fields.Many2One(
        'housing.payment.registry.format', "Format", required=True,
        states=_states, domain=[('company', '=', Eval('company', -1))])
    date = fields.Date(
        "Date", required=True, states=_states,
        help="The day the bank's money came; the commission is booked on "
        "it.")
    file = fields.Binary(
        "File", filename='file_name', required=True, states=_states)
    file_name = fields.Char("File Name", states=_states)
    payment_order = fields.Char(
        "Payment Order", readonly=True,
        help="The number of the bank's payment order from the total line.")
    payment_order_date = fields.Date("Payment Order Date", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('previewed', "Previewed"),
            ('posting', "Posting"),
            ('posted', "Posted"),
            ], "State", readonly=True, required=True, sort=False)
    lines = fields.One2Many(
        'housing.payment.registry.line', 'registry', "Lines", readonly=True)
    unmatched_lines = fields.One2Many(
        'housing.payment.registry.line', 'registry', "Unmatched Lines",
        readonly=True, filter=[
            ('status', 'in', ['unmatched', 'suspense', 'duplicate'])])
    chunks = fields.One2Many(
        'housing.payment.registry.chunk', 'registry', "Chunks",
        readonly=True,
        help="The matched lines posted building by building.")
    progress = fields.Function(
        fields.Float("Progress", digits=(1, 4)), 'get_progress')
    commission_move = fields.Many2One(
        'account.move', "Commission Move", readonly=True)
    suspense_move = fields.Many2One(
        'account.move', "Unidentified Receipts Move", readonly=True,
        help="The money of the unmatched lines, booked from the bank "
        "account to the unidentified receipts account.")
    line_count = fields.Function(
        fields.Integer("Lines"), 'get_totals')
    matched_count = fields.Function(
        fields.Integer("Matched"), 'get_totals')
    unmatched_count = fields.Function(
        fields.Integer("Unmatched"), 'get_totals')
    duplicate_count = fields.Function(
        fields.Integer("Paid Before"), 'get_totals')
    posted_count = fields.Function(
        fields.Integer("Posted"), 'get_totals')
    amount = fields.Function(
        fields.Numeric("Amount", digits=MONEY), 'get_totals')
    matched_amount = fields.Function(
        fields.Numeric("Matched Amount", digits=MONEY), 'get_totals')
    commission = fields.Function(
        fields.Numeric("Commission", digits=MONEY), 'get_totals')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.state, Index.Equality())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'previewed'),
            ('previewed', 'draft'),
            ('previewed', 'posting'),
            ('posting', 'posted'),
            }
        cls._buttons.update({
                'preview': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-search',
                    'depends': ['state'],
                    },
                'post': {
                    'invisible': Eval('state') != 'previewed',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'previewed',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'resume': {
                    'invisible': Eval('state') != 'posting',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    def get_rec_name(self, name):
        return '%s %s' % (
            self.file_name or self.format.rec_name,
            self.date.strftime('%d.%m.%Y'))

    @classmethod
    def get_totals(cls, registries, names):
        pool = Pool()
        line = pool.get('housing.payment.registry.line').__table__()
        cursor = Transaction().connection.cursor()
        result = {name: {r.id: 0 for r in registries} for name in names}
        for name in {'amount', 'matched_amount', 'commission'} & set(names):
            result[name] = {r.id: ZERO for r in registries}
        for sub_ids in grouped_slice([r.id for r in registries], 1000):
            cursor.execute(*line.select(
                    line.registry, line.status, Count(line.id),
                    Sum(line.amount), Sum(Coalesce(line.commission, 0)),
                    where=line.registry.in_(list(sub_ids)),
                    group_by=[line.registry, line.status]))
            for registry, status, count, amount, commission in cursor:
                amount = as_money(amount)
                counts = {
                    'line_count': count,
                    'matched_count': count if status in {
                        'matched', 'posted'} else 0,
                    'unmatched_count': count if status in {
                        'unmatched', 'suspense'} else 0,
                    'duplicate_count': count if status == 'duplicate'
                    else 0,
                    'posted_count': count if status == 'posted' else 0,
                    'amount': amount,
                    'matched_amount': amount if status in {
                        'matched', 'posted'} else ZERO,
                    'commission': as_money(commission) if status in {
                        'matched', 'posted'} else ZERO,
                    }
                for name in names:
                    result[name][registry] += counts[name]
        return result

    @classmethod
    def get_progress(cls, registries, name):
        "The share of building chunks posted."
        result = {}
        for registry in registries:
            chunks = registry.chunks
            done = [c for c in chunks if c.state == 'done']
            result[registry.id] = (len(done) / len(chunks) if chunks
                else float(registry.state == 'posted'))
        return result

    @classmethod
    def delete(cls, registries):
        for registry in registries:
            if registry.state in {'posting', 'posted'}:
                raise AccessError(gettext(
                        'housing_payment.msg_registry_delete_posted',
                        registry=registry.rec_name))
        super().delete(registries)

    @classmethod
    def copy(cls, registries, default=None):
        default = dict(default or {})
        default.setdefault('lines')
        default.setdefault('chunks')
        default.setdefault('commission_move')
        default.setdefault('suspense_move')
        default.setdefault('payment_order')
        default.setdefault('payment_order_date')
        return super().copy(registries, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, registries):
        Line = Pool().get('housing.payment.registry.line')
        Line.delete_of(registries)

    @classmethod
    @ModelView.button
    @Workflow.transition('previewed')
    def preview(cls, registries):
        Line = Pool().get('housing.payment.registry.line')
        Line.delete_of(registries)
        for registry in registries:
            parsed = registry.parse()
            registry.payment_order = parsed.order_number or None
            registry.payment_order_date = parsed.order_date
            with without_check_access():
                Line.write_preview(registry, parsed.lines)
        cls.save(registries)

    @classmethod
    @ModelView.button
    @Workflow.transition('posting')
    def post(cls, registries):
        """Book the registry's own moves and queue its matched lines by
        building; the registry is posted when every chunk is done (at once
        when no worker runs: the tasks run after this call commits)."""
        pool = Pool()
        Line = pool.get('housing.payment.registry.line')
        Chunk = pool.get('housing.payment.registry.chunk')
        # One Post at a time: another registry's Post must see this one's
        # lines before marking its own duplicates.
        Line.lock()
        chunks = []
        for registry in registries:
            with without_check_access():
                Line.mark_duplicates(registry)
                poster = RegistryPoster(registry)
                registry.commission_move = poster.book_registry()
                registry.suspense_move = poster.suspense_move
                chunks.extend(Chunk.create([{
                                'registry': registry.id,
                                'building': building,
                                'lines': count,
                                } for building, count
                            in poster.matched_buildings()]))
        cls.save(registries)
        cls.enqueue(chunks)
        # Queued: the registries are posting only once this call returns
        # (a registry without matched line has no chunk to check it).
        cls.__queue__.update_state(registries)

    @classmethod
    @ModelView.button
    def resume(cls, registries):
        "Post again the chunks that failed or never ran."
        cls.enqueue([c for r in registries for c in r.chunks
                if c.state != 'done'])
        cls.update_state(registries)

    @classmethod
    def enqueue(cls, chunks):
        "Queue the chunks in tasks of about BATCH lines, whole buildings."
        Chunk = Pool().get('housing.payment.registry.chunk')
        for batch in batches(
                chunks, lambda c: c.registry, lambda c: c.lines, BATCH):
            Chunk.__queue__.post(batch)

    @classmethod
    def update_state(cls, registries):
        "A posting registry whose chunks are all done is posted."
        finished = [r for r in cls.browse(registries)
            if r.state == 'posting'
            and all(c.state == 'done' for c in r.chunks)]
        if finished:
            cls.finish(finished)

    @classmethod
    @Workflow.transition('posted')
    def finish(cls, registries):
        "The payments' moves, drafts until every building is done, posted."
        for registry in registries:
            with without_check_access():
                RegistryPoster(registry).post_moves()

    def parse(self):
        "The file read by the format; a RegistryError names the line."
        try:
            return self.format.read_file(self.file or b'')
        except FormatError as error:
            values = {k: str(v) for k, v in error.values.items()}
            raise RegistryError(gettext(
                    'housing_payment.msg_registry_file',
                    registry=self.rec_name, line=error.line,
                    reason=gettext(
                        'housing_payment.msg_registry_reason_%s'
                        % error.code, **values)))


LINE_COLUMNS = [
    'id', 'registry', 'number', 'status', 'reason', 'duplicate_of', 'key',
    'date', 'account_number', 'account', 'period', 'amount', 'commission',
    'payer_name', 'address', 'operation', 'purpose', 'service_code',
    'payment_purpose']


class RegistryLine(ModelSQL, ModelView):
    __name__ = 'housing.payment.registry.line'
    __string__ = "Payment Registry Line"

    registry = fields.Many2One(
        'housing.payment.registry', "Registry", required=True,
        readonly=True, ondelete='CASCADE')
    number = fields.Integer(
        "Line", readonly=True, help="The line of the file.")
    status = fields.Selection([
            ('matched', "Matched"),
            ('unmatched', "Unmatched"),
            ('duplicate', "Paid Before"),
            ('posted', "Posted"),
            ('suspense', "Unidentified Receipt"),
            ], "Status", readonly=True, required=True,
        help="Unidentified Receipt: an unmatched line whose money the "
        "posting booked to the unidentified receipts account.")
    reason = fields.Selection([
            (None, ""),
            ('no_account', "No personal account in the line"),
            ('unknown_account', "Unknown personal account"),
            ('no_payer', "The account has no payer on the payment date"),
            ('duplicate_file', "Twice in this file"),
            ('duplicate_posted', "Posted in an earlier registry"),
            ], "Reason", readonly=True)
    duplicate_of = fields.Many2One(
        'housing.payment.registry.line', "Duplicate Of", readonly=True,
        help="The line that already paid the same payment.")
    key = fields.Char(
        "Key", readonly=True,
        help="What identifies the payment: bank, branch, operation, date, "
        "time and amount.")
    date = fields.Date("Payment Date", readonly=True)
    account_number = fields.Char("Account Number", readonly=True)
    account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True,
        ondelete='RESTRICT')
    period = fields.Date("Period Paid", readonly=True)
    amount = fields.Numeric("Amount", digits=MONEY, readonly=True)
    commission = fields.Numeric("Commission", digits=MONEY, readonly=True)
    payer_name = fields.Char("Payer", readonly=True)
    address = fields.Char("Address", readonly=True)
    operation = fields.Char("Operation", readonly=True)
    purpose = fields.Char("Purpose", readonly=True)
    service_code = fields.Char(
        "Service Code", readonly=True,
        help="The bank's code of what was paid, if the file has one.")
    payment_purpose = fields.Selection(
        PURPOSES, "Paid For", readonly=True, required=True,
        help="Penalties when the format names the service code as one "
        "of penalties.")
    payment = fields.Many2One(
        'housing.payment', "Payment", readonly=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.registry, Index.Equality()),
                    (t.number, Index.Range())),
                Index(t, (t.key, Index.Equality())),
                Index(t, (t.payment, Index.Equality())),
                })
        cls._order = [
            ('registry', 'DESC'), ('number', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_payment_purpose():
        return CHARGES

    def get_rec_name(self, name):
        return '%s: %s' % (self.registry.rec_name, self.number)

    @classmethod
    def delete_of(cls, registries):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice([r.id for r in registries], 1000):
            cursor.execute(*table.delete(
                    where=table.registry.in_(list(sub_ids))))

    @classmethod
    def write_preview(cls, registry, lines):
        "Insert the lines of a file, matched, with their status."
        accounts = account_ids(
            registry.company.id, {line.account for line in lines})
        payers = payers_on_dates(
            registry.company.id,
            {(accounts[line.account], line.paid_on) for line in lines
                if line.account in accounts})
        earlier = posted_keys({line.key for line in lines})
        ids = allocate_ids(cls._table, len(lines))
        first = {}
        rows = []
        for id_, line in zip(ids, lines):
            account = accounts.get(line.account)
            status, reason, duplicate = 'matched', None, None
            if line.key in earlier:
                status, reason = 'duplicate', 'duplicate_posted'
                duplicate = earlier[line.key]
            elif line.key in first:
                status, reason = 'duplicate', 'duplicate_file'
                duplicate = first[line.key]
            elif not line.account:
                status, reason = 'unmatched', 'no_account'
            elif account is None:
                status, reason = 'unmatched', 'unknown_account'
            elif (account, line.paid_on) not in payers:
                status, reason = 'unmatched', 'no_payer'
            first.setdefault(line.key, id_)
            rows.append((
                    id_, registry.id, line.number, status, reason, duplicate,
                    line.key, line.paid_on, line.account or None, account,
                    line.period.start if line.period else None,
                    line.amount, line.commission, line.payer or None,
                    line.address or None, line.operation or None,
                    (line.purpose or '')[:1000] or None,
                    line.service or None,
                    registry.format.payment_purpose(line.service)))
        insert(cls._table, LINE_COLUMNS, rows)

    @classmethod
    def mark_duplicates(cls, registry):
        """Lines paid (or booked as unidentified) by a registry posted
        since the preview become duplicates."""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                table.id, table.key,
                where=(table.registry == registry.id)
                & table.status.in_(['matched', 'unmatched'])))
        lines = dict(cursor)
        earlier = posted_keys(set(lines.values()))
        for line_id, key in lines.items():
            if key in earlier:
                cursor.execute(*table.update(
                        [table.status, table.reason, table.duplicate_of],
                        ['duplicate', 'duplicate_posted', earlier[key]],
                        where=table.id == line_id))


class RegistryChunk(ModelSQL, ModelView):
    "The matched lines of one building in a registry, posted together."
    __name__ = 'housing.payment.registry.chunk'
    __string__ = "Payment Registry Chunk"

    registry = fields.Many2One(
        'housing.payment.registry', "Registry", required=True,
        readonly=True, ondelete='CASCADE')
    building = fields.Many2One(
        'housing.building', "Building", required=True, readonly=True,
        ondelete='RESTRICT')
    lines = fields.Integer("Lines", readonly=True)
    state = fields.Selection([
            ('pending', "Pending"),
            ('done', "Done"),
            ('failed', "Failed"),
            ], "State", required=True, readonly=True)
    error = fields.Text("Error", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.registry, Index.Equality())))
        cls._order = [
            ('registry', 'ASC'), ('building', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_state():
        return 'pending'

    def get_rec_name(self, name):
        return '%s: %s' % (self.registry.rec_name, self.building.rec_name)

    @classmethod
    def post(cls, chunks):
        """Post the chunks of a task together (one set of queries for all
        their lines); if that fails, each on its own, so that only the
        buildings that cannot be posted are left failed."""
        Registry = Pool().get('housing.payment.registry')
        todo = defaultdict(list)
        for chunk in chunks:
            if chunk.state != 'done' and chunk.registry.state == 'posting':
                todo[chunk.registry].append(chunk)
        for registry, group in todo.items():
            together_or_alone(group,
                lambda chunks: cls.post_in_savepoint(registry, chunks))
        # Whether the registry is now posted is for a transaction that
        # starts after this one commits (as for the accrual's chunks).
        Registry.__queue__.update_state(list({c.registry for c in chunks}))

    @classmethod
    def post_in_savepoint(cls, registry, chunks):
        """Post the buildings' lines, or leave nothing of them and say why
        (Resume posts a failed chunk again); return whether it worked."""
        with attempt('housing_registry_chunk') as outcome:
            with without_check_access():
                RegistryPoster(registry).post_matched(
                    {c.building.id: c.id for c in chunks})
        with without_check_access():
            cls.write(chunks, {
                    'state': 'failed' if outcome.error else 'done',
                    'error': outcome.error,
                    })
        return not outcome.error

def account_ids(company, numbers):
    "{number: personal account id} of the company."
    table = Pool().get('housing.account').__table__()
    cursor = Transaction().connection.cursor()
    result = {}
    for sub_numbers in in_slices(sorted(n for n in numbers if n)):
        cursor.execute(*table.select(
                table.number, table.id,
                where=(table.company == company)
                & where_in(table.number, sub_numbers)))
        result.update(cursor)
    return result


def payers_on_dates(company, pairs):
    "The (account id, date) pairs whose account has a payer on the date."
    table = Pool().get('housing.account.payer').__table__()
    cursor = Transaction().connection.cursor()
    first = {}
    for sub_ids in in_slices(sorted({a for a, _ in pairs})):
        cursor.execute(*table.select(
                table.account, table.date_from,
                where=where_in(table.account, sub_ids)))
        for account, date_from in cursor:
            date_from = as_date(date_from)
            first[account] = min(first.get(account, date_from), date_from)
    return {(a, d) for a, d in pairs if a in first and first[a] <= d}


def posted_keys(keys):
    """{key: line id} of the posted registry lines among keys: paid, or
    booked as unidentified receipts, or queued to be paid."""
    pool = Pool()
    table = pool.get('housing.payment.registry.line').__table__()
    posting = pool.get('housing.payment.registry').__table__()
    cursor = Transaction().connection.cursor()
    result = {}
    for sub_keys in in_slices(sorted(keys)):
        cursor.execute(*table.select(
                table.key, table.id,
                where=where_in(table.key, sub_keys)
                & (((table.status == 'posted') & (table.payment != Null))
                    | (table.status == 'suspense')
                    | ((table.status == 'matched')
                        & table.registry.in_(posting.select(
                                posting.id,
                                where=posting.state == 'posting'))))))
        result.update(cursor)
    return result


def lines_by_status(registry):
    "{status: count} of a registry's lines."
    table = Pool().get('housing.payment.registry.line').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(
            table.status, Count(table.id),
            where=table.registry == registry.id, group_by=[table.status]))
    counts = defaultdict(int)
    counts.update(cursor)
    return counts


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'housing.payment.registry', 'housing.payment.registry.chunk']
