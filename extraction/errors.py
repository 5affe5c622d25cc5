"""Why a document cannot be read. The service maps each to its protocol status."""


class ExtractionError(Exception):
    status = "error_internal"


class UnsupportedFormat(ExtractionError):
    status = "error_unsupported_format"


class UnsupportedSize(ExtractionError):
    status = "error_unsupported_size"


class PasswordProtected(ExtractionError):
    status = "error_password_protected"


class TooManyPages(ExtractionError):
    status = "error_too_many_pages"
