"""Errors services raise; views turn them into flash messages or 403 pages."""


class ServiceError(Exception):
    """A refused action with a Chinese message for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(ServiceError):
    def __init__(self, message: str = "您没有权限执行此操作"):
        super().__init__(message)


class StaleData(ServiceError):
    """Optimistic-lock refusal: someone saved this record since the user loaded it."""
