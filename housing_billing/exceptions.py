# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
from trytond.model.exceptions import ValidationError


class DatedOverlapError(ValidationError):
    pass


class ShareError(ValidationError):
    pass


class TariffError(ValidationError):
    pass


class MeterError(ValidationError):
    pass


class ReadingError(ValidationError):
    pass


class AccrualError(ValidationError):
    pass


class RecalculationError(ValidationError):
    pass


class ShortfallError(ValidationError):
    pass


class OneOffChargeError(ValidationError):
    pass


class PenaltyError(ValidationError):
    pass


class PaymentError(ValidationError):
    pass


class MoveWriterError(ValidationError):
    pass


class ReceiptError(ValidationError):
    pass


class LegalEntityError(ValidationError):
    pass


class CourtCaseError(ValidationError):
    pass


class InstallmentError(ValidationError):
    pass
