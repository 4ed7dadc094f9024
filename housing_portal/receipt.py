# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The receipt of an account new to the portal prints its log-in and first
password: the account gets a web user when its receipt is prepared."""
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access


class Receipt(metaclass=PoolMeta):
    __name__ = 'housing.receipt'

    @classmethod
    def prepare(cls, company, period, account_ids, date=None):
        items = super().prepare(company, period, account_ids, date=date)
        if not any(item.get('portal') for item in items):
            # No portal address configured: nothing to log in to.
            return items
        User = Pool().get('web.user')
        with without_check_access():
            passwords = User.ensure_portal_users(account_ids)
        for item in items:
            item['portal_login'] = item['data'].number
            item['portal_password'] = passwords.get(item['data'].account)
        return items
