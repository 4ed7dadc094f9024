# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class OnlinePaymentError(ValidationError):
    "An online payment that cannot be started, synchronised or refunded"


class ProviderError(UserError):
    "The payment provider refused a request or could not be reached"


class NotificationError(UserError):
    "A provider notification that is not of the documented form"


class Export1CError(UserError):
    pass


class GisExportError(UserError):
    pass


class GisIdentifierError(ValidationError):
    pass


class MigrationError(UserError):
    pass


class NoticeError(ValidationError):
    pass


class RegistryError(UserError):
    pass


class RegistryFormatError(ValidationError):
    pass


class SplitError(UserError):
    pass
