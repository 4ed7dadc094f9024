# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The demo's residents on the portal: every personal account gets its web
user and first password (as its next receipt would print them), the portal
address is set, and two log-ins are printed.

  .venv/bin/python bench/demo_portal.py --config var/trytond.conf \\
      --database demo [--url http://localhost:8000/demo/portal/]

Hashing a password with Tryton's argon2 parameters takes about 0.3 s: 300
accounts take a minute and a half, once; a second run only prints.
"""
import argparse
import sys

from trytond.config import update_etc


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', required=True)
    parser.add_argument('--database', required=True)
    parser.add_argument('--url',
        help="the portal's address (default: http://localhost:8000/"
        "DATABASE/portal/)")
    args = parser.parse_args(argv)
    url = args.url or 'http://localhost:8000/%s/portal/' % args.database
    update_etc(args.config)
    from trytond.pool import Pool
    from trytond.tools import grouped_slice
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool(args.database)
    pool.init()
    with Transaction().start(args.database, 0) as transaction:
        Configuration = pool.get('housing.configuration')
        Account = pool.get('housing.account')
        Receipt = pool.get('housing.receipt')
        User = pool.get('web.user')
        configuration = Configuration(1)
        if not configuration.portal_url:
            configuration.portal_url = url
            configuration.save()
        account_ids = [a.id for a in Account.search([], order=[('id', 'ASC')])]
        passwords = {}
        done = 0
        for sub_ids in grouped_slice(account_ids, 50):
            sub_ids = list(sub_ids)
            passwords.update(User.ensure_portal_users(sub_ids))
            done += len(sub_ids)
            print("demo_portal: %s/%s accounts have a log-in" % (
                    done, len(account_ids)), file=sys.stderr)
        transaction.commit()
        with_receipts = {r.account.id for r in Receipt.search([
                    ('state', '=', 'current')])}
        shown = [i for i in account_ids
            if i in passwords and i in with_receipts][:2]
        print("\n  Resident portal: %s" % configuration.portal_url)
        for account in Account.browse(shown):
            print("  Log-in:          %s / %s   (first password, changed "
                "at the first log-in)" % (account.number,
                    passwords[account.id]))
        if not shown:
            print("  Every demo resident has already chosen a password.")


if __name__ == '__main__':
    sys.path.insert(0, '.')
    main()
