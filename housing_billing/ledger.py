# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.model import Index, fields
from trytond.pool import PoolMeta


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'housing.accrual.run', 'housing.payment']


class MoveLine(metaclass=PoolMeta):
    __name__ = 'account.move.line'

    housing_account = fields.Many2One(
        'housing.account', "Personal Account", ondelete='RESTRICT',
        readonly=True,
        help="The personal account the receivable line belongs to.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.housing_account, Index.Equality()),
                where=t.housing_account != None))  # noqa: E711
