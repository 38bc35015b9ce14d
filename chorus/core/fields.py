"""Model fields whose values are encrypted at rest with the data keys."""

from __future__ import annotations

from django.db import models

from chorus.core import crypto


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; it cannot be filtered or ordered on by design.

    `data_class` names the security class (confidential or secret) so that reads of such fields
    can be logged and exports can leave them out by default.
    """

    def __init__(self, *args, data_class: str = "confidential", **kwargs):
        self.data_class = data_class
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["data_class"] = self.data_class
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        if kwargs.get("default") == "":
            del kwargs["default"]
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


class EncryptedBinaryField(models.BinaryField):
    """Bytes (an original uploaded file) stored encrypted under the data keys."""

    def __init__(self, *args, data_class: str = "confidential", **kwargs):
        self.data_class = data_class
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["data_class"] = self.data_class
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None or len(value) == 0:
            return value
        return crypto.decrypt_bytes(bytes(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is not None and len(value) and not prepared:
            value = crypto.encrypt_bytes(bytes(value))
        return super().get_db_prep_value(value, connection, prepared)


def encrypted_fields(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField | EncryptedBinaryField)
    ]
