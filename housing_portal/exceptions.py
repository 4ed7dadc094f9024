# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.exceptions import UserError


class PortalError(UserError):
    pass
