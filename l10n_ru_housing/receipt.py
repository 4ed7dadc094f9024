# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.pool import PoolMeta

from . import epd


class Receipt(metaclass=PoolMeta):
    __name__ = 'housing.receipt'

    @classmethod
    def render(cls, items):
        return [epd.render([item]) for item in items]
