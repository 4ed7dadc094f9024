# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
# The portal's pages are trytond routes, registered when Tryton imports the
# module at start.
from . import (  # noqa: F401
    routes_account,
    routes_auth,
    routes_profile,
    routes_readings,
)
